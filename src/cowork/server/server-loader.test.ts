import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { REPO_ROOT, spawnServer, waitForHealth } from '../../testing/spawn-server.js';
import { waitFor } from '../../testing/wait.js';
import { codeCacheDir } from './server-loader.js';

// Every load runs in a fresh process, as a start does: within one process V8 would answer a second compile of the
// same script from its own in-memory cache and never look at the one on disk.
const LOADER = pathToFileURL(join(REPO_ROOT, 'dist', 'bundle', 'server-loader.mjs')).href;

interface Load {
  how: string;
  ran: string;
}

/** Load `bundleDir`'s server bundle the way the bin does (the shipped loader), optionally save its cache, run it. */
function load(stateDir: string, bundleDir: string, { save = true, run = true } = {}): Load {
  const script = `
    const { loadServer } = await import(${JSON.stringify(LOADER)});
    const s = await loadServer(${JSON.stringify(stateDir)}, ${JSON.stringify(bundleDir)});
    const ran = ${run} ? await s.runServerCli() : typeof s.runServerCli;
    if (${save}) s.saveCodeCache();
    console.log(JSON.stringify({ how: s.how, ran }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Load;
}

/** A small stand-in for dist/bundle/server.cjs, with enough code for V8 to cache. */
function fakeBundle(t: TestContext, body = 'ran'): { stateDir: string; bundleDir: string; cacheFiles: () => string[] } {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const bundleDir = join(home, 'bundle');
  mkdirSync(bundleDir);
  const helpers = Array.from({ length: 50 }, (_, i) => `function helper${i}(x) { return x.map((v) => v * ${i} + 1).filter(Boolean).length; }`).join('\n');
  writeFileSync(join(bundleDir, 'server.cjs'), `${helpers}\nexports.runServerCli = async () => { helper1([1, 2]); return ${JSON.stringify(body)}; };\n`);
  const stateDir = join(home, 'state');
  const dir = codeCacheDir(stateDir);
  return { stateDir, bundleDir, cacheFiles: () => (existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []) };
}

test('a first start compiles the server bundle and saves its V8 code cache (private to the user); the next start runs from that cache and leaves it as it is', (t) => {
  const { stateDir, bundleDir, cacheFiles } = fakeBundle(t);
  assert.deepEqual(load(stateDir, bundleDir), { how: 'compiled', ran: 'ran' });
  const [file] = cacheFiles();
  assert.ok(file?.endsWith('.v8cache'), `one cache file: ${cacheFiles()}`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(codeCacheDir(stateDir)).mode & 0o777, 0o700);
  const before = statSync(file);
  assert.deepEqual(load(stateDir, bundleDir), { how: 'cached', ran: 'ran' });
  const after = statSync(file);
  assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs], 'a valid cache is not written again');
  assert.deepEqual(cacheFiles(), [file]);
});

test('a cache V8 refuses (here: garbage) is compiled past and replaced by a good one, and caches of other builds are removed', (t) => {
  const { stateDir, bundleDir, cacheFiles } = fakeBundle(t);
  load(stateDir, bundleDir);
  const [file] = cacheFiles();
  writeFileSync(file, Buffer.alloc(4096, 7));
  const stale = join(codeCacheDir(stateDir), 'server-0123456789abcdef0123.v8cache');
  writeFileSync(stale, 'from an earlier version');
  assert.deepEqual(load(stateDir, bundleDir), { how: 'compiled', ran: 'ran' });
  assert.deepEqual(cacheFiles(), [file], 'the stale cache is gone');
  assert.notDeepEqual(readFileSync(file), Buffer.alloc(4096, 7));
  assert.equal(load(stateDir, bundleDir).how, 'cached');
});

test('a rebuilt bundle of the very same size never runs from the old cache (V8 itself only compares lengths)', (t) => {
  const { stateDir, bundleDir } = fakeBundle(t, 'old');
  assert.equal(load(stateDir, bundleDir).ran, 'old');
  const file = join(bundleDir, 'server.cjs');
  const rebuilt = readFileSync(file, 'latin1').replace('"old"', '"new"');
  writeFileSync(file, rebuilt);
  assert.deepEqual(load(stateDir, bundleDir), { how: 'compiled', ran: 'new' });
});

test('without the CommonJS bundle (running from a source checkout) the ES-module build is loaded, uncached', (t) => {
  const { stateDir, cacheFiles } = fakeBundle(t);
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  assert.deepEqual(load(stateDir, home, { run: false }), { how: 'esm', ran: 'function' });
  assert.deepEqual(cacheFiles(), []);
});

test('the real server, started again on the same install, runs from its code cache and still loads packages on demand (/docs)', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const dir = codeCacheDir(join(home, '.anton', 'cowork'));
  const first = await spawnServer([], cleanEnv(home));
  t.after(() => first.stop('SIGKILL'));
  await waitForHealth(first.url);
  await waitFor(() => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.v8cache')), 30_000); // saved once warm
  assert.equal(await first.stop('SIGTERM'), 0);
  const second = await spawnServer([], cleanEnv(home));
  t.after(() => second.stop('SIGKILL'));
  await waitForHealth(second.url);
  await waitFor(() => second.output().includes('"msg":"server listening"'));
  assert.match(second.output(), /"codeCache":"cached"/);
  const docs = await fetch(`${second.url}/docs`, { headers: { accept: 'text/html' } });
  assert.equal(docs.status, 200, await docs.text());
});
