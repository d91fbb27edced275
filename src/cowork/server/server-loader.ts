import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { runServerCli as RunServerCli } from './server-cli.js';

export interface LoadedServer {
  runServerCli: typeof RunServerCli;
  /**
   * Write V8's code cache of the server bundle (what has been compiled so far: boot, and the warm-up if it has run),
   * unless the cache it was loaded with is still valid. Throws when it cannot be written (the caller logs it).
   */
  saveCodeCache(): void;
  /** How the bundle was loaded: 'cached' (V8 took the cache), 'compiled' (no usable cache) or 'esm' (the fallback). */
  how: 'cached' | 'compiled' | 'esm';
}

/** Where the cache lives: the state dir is private to its user, so nobody else can plant code in it. */
export const codeCacheDir = (stateDir: string) => join(stateDir, 'code-cache');

/**
 * Load the server bundle (dist/bundle/server.cjs, one CommonJS file) with V8's code cache, so a start skips parsing
 * and compiling what the last run already compiled (about a third of start-up; Node 20 has no built-in compile cache
 * for ES modules). The cache is kept per bundle file and Node build: its name is a hash of the bundle's path, size,
 * mtime and inode and of Node's version and architecture, so an update or a rebuild never meets a stale cache, and
 * V8 itself refuses one made with other flags. Without the bundle (running from source) the ES-module build is
 * loaded, uncached.
 */
export async function loadServer(stateDir: string | null, bundleDir = dirname(fileURLToPath(import.meta.url))): Promise<LoadedServer> {
  const file = join(bundleDir, 'server.cjs');
  let source: string;
  let key: string;
  try {
    const st = statSync(file);
    key = createHash('sha256').update([process.version, process.arch, file, st.size, st.mtimeMs, st.ino].join('|')).digest('hex').slice(0, 20);
    source = readFileSync(file, 'latin1'); // the bundle is ASCII (esbuild's charset), and latin1 is decoded faster
  } catch {
    const { runServerCli } = await import('./server-cli.js');
    return { runServerCli, saveCodeCache: () => {}, how: 'esm' };
  }
  const dir = stateDir ? codeCacheDir(stateDir) : null;
  const name = `server-${key}.v8cache`;
  let cachedData: Buffer | undefined;
  if (dir) {
    try {
      cachedData = readFileSync(join(dir, name));
    } catch {
      // none yet: compiled from source, and saved once warm
    }
  }
  // The bundle has no import() (scripts/bundle.mjs): a script from a code cache would lose the hook it needs.
  let script: vm.Script | null = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const cached = cachedData !== undefined && script.cachedDataRejected === false; // undefined: not consumed
  const mod = { exports: {} as { runServerCli: typeof RunServerCli } };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, bundleDir);
  if (cached || !dir) script = null; // nothing to save
  return {
    runServerCli: mod.exports.runServerCli,
    how: cached ? 'cached' : 'compiled',
    saveCodeCache() {
      if (!script || !dir) return;
      const data = script.createCachedData();
      script = null;
      writeAtomically(dir, name, data);
      // Caches of other builds (an earlier version, a rebuild, another Node) are never read again.
      for (const f of readdirSync(dir)) if (f !== name) rmSync(join(dir, f), { force: true });
    },
  };
}

/** Written whole or not at all: a torn cache must never be read. */
function writeAtomically(dir: string, name: string, data: Buffer): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeFileSync(fd, data); // all of it (a bare writeSync may write part)
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
}
