import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { compareVersions } from './semver.js';
import { freePort } from '../net/free-port.js';

export interface UpdateConfig {
  packageName: string;
  currentVersion: string;
  protocolVersion: number;
  registry: string;
  tag: string;
  /** Where versions are installed side by side, with current.json naming the one to run. */
  versionsDir: string;
  /** The running package's root (its node_modules can be shared when dependencies are unchanged). */
  currentRoot: string;
}

export interface Release {
  version: string;
  tarball: string;
  integrity?: string;
  shasum?: string;
}

export interface Staged {
  version: string;
  entry: string;
  previous?: { version: string; entry: string } | null;
}

/** The newest release on the channel (npm dist-tag) when it is newer than us; null otherwise. */
export async function checkForUpdate(cfg: UpdateConfig, timeoutMs = 3000): Promise<Release | null> {
  const res = await fetch(`${cfg.registry.replace(/\/+$/, '')}/${cfg.packageName.replace('/', '%2f')}`, {
    headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`registry answered HTTP ${res.status}`);
  const doc = (await res.json()) as { 'dist-tags'?: Record<string, string>; versions?: Record<string, { dist?: { tarball?: string; integrity?: string; shasum?: string } }> };
  const version = doc['dist-tags']?.[cfg.tag];
  const dist = version ? doc.versions?.[version]?.dist : undefined;
  if (!version || !dist?.tarball || compareVersions(version, cfg.currentVersion) <= 0) return null;
  return { version, tarball: dist.tarball, integrity: dist.integrity, shasum: dist.shasum };
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
    child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
    child.on('error', (e) => (out += e.message));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function checkIntegrity(data: Buffer, r: Release): void {
  if (r.integrity?.startsWith('sha512-')) {
    if (createHash('sha512').update(data).digest('base64') !== r.integrity.slice(7)) throw new Error('tarball integrity check failed');
  } else if (r.shasum && createHash('sha1').update(data).digest('hex') !== r.shasum) throw new Error('tarball shasum check failed');
}

/**
 * Install a release beside the current one: download, verify integrity, unpack, and reuse the current
 * node_modules when the dependencies are unchanged (no network, no native rebuild); otherwise `npm install`.
 */
export async function installRelease(cfg: UpdateConfig, r: Release, timeoutMs = 300_000): Promise<string> {
  const dir = join(cfg.versionsDir, r.version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const res = await fetch(r.tarball, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`tarball download failed: HTTP ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  checkIntegrity(data, r);
  writeFileSync(join(dir, 'package.tgz'), data);
  const untar = await run('tar', ['-xzf', 'package.tgz'], { cwd: dir, timeoutMs: 60_000 });
  if (untar.code !== 0) throw new Error(`could not unpack the release: ${untar.out}`);
  const pkgDir = join(dir, 'package');
  const next = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
  if (next.version !== r.version) throw new Error(`release says ${next.version}, expected ${r.version}`);
  const mine = JSON.parse(readFileSync(join(cfg.currentRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const sameDeps = JSON.stringify(next.dependencies ?? {}) === JSON.stringify(mine.dependencies ?? {});
  if (sameDeps && existsSync(join(cfg.currentRoot, 'node_modules'))) symlinkSync(join(cfg.currentRoot, 'node_modules'), join(pkgDir, 'node_modules'), 'dir');
  else {
    const npm = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund', `--registry=${cfg.registry}`], { cwd: pkgDir, timeoutMs });
    if (npm.code !== 0) throw new Error(`npm install failed: ${npm.out.slice(-2000)}`);
  }
  return join(pkgDir, 'bin', 'anton-cowork-server.js');
}

/** The new version must report itself and answer /health with the expected versions, in a scratch HOME. */
export async function verifyRelease(entry: string, version: string, protocolVersion: number): Promise<void> {
  const v = await run(process.execPath, [entry, '--version'], { timeoutMs: 20_000 });
  if (v.code !== 0 || v.out.trim() !== version) throw new Error(`--version printed "${v.out.trim()}", expected ${version}`);
  const home = mkdtempSync(join(tmpdir(), 'anton-verify-'));
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, HOME: home, ANTON_SERVER_PORT: String(port), ANTON_SERVER_HOST: '127.0.0.1', ANTON_DISABLE_AUTOUPDATES: 'true', _ANTON_UPDATED: '1' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const h = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { cowork_server_version?: string; cowork_server_protocol_version?: number };
        if (h.cowork_server_version !== version) throw new Error(`/health reports ${h.cowork_server_version}`);
        if (h.cowork_server_protocol_version !== protocolVersion) throw new Error(`protocol ${h.cowork_server_protocol_version}, expected ${protocolVersion}`);
        return;
      } catch (e) {
        if (e instanceof Error && /reports|protocol/.test(e.message)) throw e;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('the new version did not answer /health');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

const currentFile = (versionsDir: string) => join(versionsDir, 'current.json');

export function readStaged(versionsDir: string): Staged | null {
  try {
    return JSON.parse(readFileSync(currentFile(versionsDir), 'utf8')) as Staged;
  } catch {
    return null;
  }
}

/** Switch the pointer, keeping the version we ran before for rollback. */
export function writeStaged(versionsDir: string, staged: Staged): void {
  writeFileAtomic(currentFile(versionsDir), JSON.stringify(staged, null, 2));
}
