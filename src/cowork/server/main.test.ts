import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { COWORK_SERVER_VERSION } from '../../core/version.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { REPO_ROOT, spawnServer, waitForHealth } from '../../testing/spawn-server.js';

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

test('the port opens early: /health answers at once and API requests sent during start-up are queued, not refused', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer([], cleanEnv(home));
  t.after(() => srv.stop('SIGKILL'));
  const early = (await (await waitForHealth(srv.url)).json()) as Record<string, unknown>;
  // Fired immediately after the first /health: it may arrive before the full app is ready.
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
