import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { COWORK_SERVER_VERSION } from '../../core/version.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { REPO_ROOT, freePort, spawnServer, waitForHealth } from '../../testing/spawn-server.js';
import { waitFor } from '../../testing/wait.js';

/** Nothing listens on the port any more. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
    req.end();
  });

test('the anton-cowork-server bin boots with no API key, reports config_ready:false and exits 0 on SIGTERM', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer([], cleanEnv(home));
  t.after(() => srv.stop('SIGKILL'));
  const health = (await (await waitForHealth(srv.url)).json()) as { status: string; config_ready: boolean };
  assert.equal(health.status, 'ok');
  assert.equal(health.config_ready, false);
  assert.equal(await srv.stop('SIGTERM'), 0, srv.output());
});

test('`anton cowork-server` starts the same server; --version prints the package version', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer(['cowork-server'], cleanEnv(home, { ANTON_PROJECTS_DIR: join(home, 'p') }), 'bin/anton.js');
  t.after(() => srv.stop('SIGKILL'));
  await waitForHealth(srv.url);
  const projects = (await (await fetch(`${srv.url}/v1/projects`)).json()) as { projects: unknown[] };
  assert.deepEqual(projects.projects, [{ name: 'general', path: join(home, 'p', 'general') }]);
  assert.equal(await srv.stop('SIGINT'), 0);
  const v = execFileSync(process.execPath, ['bin/anton.js', '--version'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(v.trim(), COWORK_SERVER_VERSION);
});

test('the module entry file is runnable directly', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer([], cleanEnv(home), 'dist/cowork/server/main.js');
  t.after(() => srv.stop('SIGKILL'));
  assert.equal((await waitForHealth(srv.url)).status, 200);
});

test('the real bin answers API requests fired right after its first /health (early /health has the full shape, Host allow-list from the first request)', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer([], cleanEnv(home));
  t.after(() => srv.stop('SIGKILL'));
  const early = (await (await waitForHealth(srv.url)).json()) as Record<string, unknown>;
  // The queueing itself is proven in early.test.ts; here the bin as a whole must answer them.
  const [projects, settings] = await Promise.all([fetch(`${srv.url}/v1/projects`), fetch(`${srv.url}/v1/settings/configured`)]);
  assert.equal(projects.status, 200);
  assert.deepEqual(await settings.json(), { configured: false, provider: '' });
  const full = (await (await fetch(`${srv.url}/health`)).json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(early).sort(), Object.keys(full).sort(), 'the early /health has the full shape');
  const evil = await new Promise<number>((resolve, reject) => {
    const u = new URL(srv.url);
    request({ host: u.hostname, port: u.port, path: '/health', headers: { host: 'evil.example' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(evil, 403, 'the Host allow-list applies from the first request');
  assert.equal(await srv.stop('SIGTERM'), 0);
});

test('started with `npm start`, a SIGTERM to npm leaves no server behind holding the port', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const port = await freePort();
  const npm = spawn('npm', ['start', '--silent'], { cwd: REPO_ROOT, env: { ...cleanEnv(home), ANTON_SERVER_PORT: String(port) }, stdio: 'ignore', detached: true });
  t.after(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  await waitForHealth(`http://127.0.0.1:${port}`);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/v1/settings`)).ok); // the full app is up
  npm.kill('SIGTERM'); // the npm process only, as a terminal or process manager would
  await waitFor(() => refused(port), 10_000);
});

test('flags: --port serves there, --help prints usage, an unknown flag is an error with the usage (exit 2)', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const port = await freePort();
  const srv = await spawnServer(['--port', String(port), '--log-level', 'warn'], cleanEnv(home));
  t.after(() => srv.stop('SIGKILL'));
  await waitForHealth(`http://127.0.0.1:${port}`);
  assert.equal(await srv.stop('SIGTERM'), 0);
  assert.match(execFileSync(process.execPath, ['bin/anton-cowork-server.js', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' }), /--state-dir <dir>/);
  const bad = spawnSync(process.execPath, ['bin/anton-cowork-server.js', '--prot', '1'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown option '--prot'[\s\S]*Usage: anton-cowork-server/);
});

test('a port in use and an unusable state dir each give one line with the fix, exit 1, no stack trace', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const busy = spawnSync(process.execPath, ['bin/anton-cowork-server.js', '--port', String(port)], { cwd: REPO_ROOT, env: cleanEnv(home), encoding: 'utf8', timeout: 30_000 });
  assert.equal(busy.status, 1);
  assert.match(busy.stderr.trim(), new RegExp(`^anton-cowork-server: port ${port} on 127\\.0\\.0\\.1 is already in use.*--port <n>\\.$`));
  writeFileSync(join(home, 'a-file'), '');
  const blocked = spawnSync(process.execPath, ['bin/anton-cowork-server.js', '--port', String(await freePort()), '--state-dir', join(home, 'a-file', 'state')], { cwd: REPO_ROOT, env: cleanEnv(home), encoding: 'utf8', timeout: 30_000 });
  assert.equal(blocked.status, 1);
  assert.match(blocked.stderr.trim(), /^anton-cowork-server: cannot create .*a-file.*--state-dir <dir>\.$/);
  assert.doesNotMatch(blocked.stderr + busy.stderr, /\n\s+at /, 'no stack trace');
});

test('a stop signal while the app is still loading ends the process at once (exit 0), without waiting for the load', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer([], cleanEnv(home));
  t.after(() => srv.stop('SIGKILL'));
  await waitForHealth(srv.url); // the early listener answers before the full app is loaded
  const sent = Date.now();
  const code = await srv.stop('SIGTERM');
  assert.equal(code, 0, srv.output());
  assert.ok(Date.now() - sent < 3000, 'honoured within a few seconds');
});
