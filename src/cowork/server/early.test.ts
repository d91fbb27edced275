import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootEnv } from './boot-env.js';
import { listenEarly } from './early.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { freePort } from '../../testing/spawn-server.js';
import { waitFor } from '../../testing/wait.js';

test('before the app is attached, /health answers and every other request waits in the queue; attaching serves it', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const port = await freePort();
  const { env } = bootEnv(cleanEnv(home, { ANTON_SERVER_PORT: String(port) }));
  const early = await listenEarly(env, join(home, '.anton', 'cowork'));
  assert.ok(early);
  t.after(() => {
    early.releaseSignals();
    early.http.closeAllConnections();
    early.acceptor?.close();
  });
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  let settled = false;
  const projects = fetch(`http://127.0.0.1:${port}/v1/projects`).then((r) => {
    settled = true;
    return r;
  });
  await waitFor(() => early.queued() === 1);
  assert.equal(settled, false, 'an API request is held, not answered and not refused');
  early.attach((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"app"}'));
  assert.deepEqual(await (await projects).json(), { from: 'app' });
  assert.equal(early.queued(), 0);
});
