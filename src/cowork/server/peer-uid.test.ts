import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { startTestApp } from '../../testing/test-app.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { spawnServer, waitForHealth } from '../../testing/spawn-server.js';
import { installPeerCheck, ownerOf, peerUid } from './peer-uid.js';

const NOBODY = 65534;
const canSwitchUser = process.platform === 'linux' && process.getuid?.() === 0;

/** GET `url` from a process running as `nobody`: the HTTP status, or 'refused' when the connection was dropped. */
function getAsNobody(url: string): Promise<string> {
  const code = `require('node:http').get(process.argv[1], (res) => { console.log(res.statusCode); res.resume(); }).on('error', (e) => console.log('refused', e.code));`;
  return new Promise((resolve, reject) =>
    execFile('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', code, url], { timeout: 20_000, cwd: '/' }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message} ${stderr}`)) : resolve(stdout.trim().split(' ')[0]),
    ),
  );
}

test('another OS user cannot talk to the server over loopback (peer uid from /proc/net/tcp); the owner can', async (t) => {
  if (!canSwitchUser) {
    if (process.env.CI) assert.fail('CI runs as root on Linux: this test must run there');
    t.skip('needs Linux and root to run a client as another uid (setpriv)');
    return;
  }
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-other-user' } });
  t.after(() => ta.close());
  assert.equal(await getAsNobody(`${ta.url}/v1/settings/reveal-key/anthropic`), 'refused');
  assert.equal(await getAsNobody(`${ta.url}/health`), 'refused');
  const own = await fetch(`${ta.url}/v1/settings/reveal-key/anthropic`);
  assert.equal(own.status, 200, 'the owner is unaffected');

  const open = await startTestApp({ listen: true, env: { ANTON_ALLOW_OTHER_USERS: 'true' } });
  t.after(() => open.close());
  assert.equal(await getAsNobody(`${open.url}/health`), '200', 'ANTON_ALLOW_OTHER_USERS=true turns the check off');
});

test('the peer check works over IPv6 loopback and dual-stack listeners too, and resolves the uid of a live peer', async (t) => {
  if (!canSwitchUser) {
    if (process.env.CI) assert.fail('CI runs as root on Linux: this test must run there');
    t.skip('needs Linux and root to run a client as another uid (setpriv)');
    return;
  }
  const uids: Promise<number | null>[] = [];
  const server = createServer((_req, res) => res.end('ok'));
  installPeerCheck(server, {});
  server.prependListener('connection', (s) => uids.push(peerUid(s))); // reads the addresses before the check destroys it
  await new Promise<void>((r) => server.listen(0, '::1', r));
  t.after(() => server.close());
  const url = `http://[::1]:${(server.address() as { port: number }).port}/`;
  assert.equal(await getAsNobody(url), 'refused');
  assert.equal((await fetch(url)).status, 200);
  assert.deepEqual(await Promise.all(uids), [NOBODY, process.getuid!()]);

  // A dual-stack listener sees IPv4 clients as ::ffff:127.0.0.1 (listed in /proc/net/tcp6).
  const dual = createServer((_req, res) => res.end('ok'));
  installPeerCheck(dual, {});
  await new Promise<void>((r) => dual.listen(0, '::', r));
  t.after(() => dual.close());
  const v4 = `http://127.0.0.1:${(dual.address() as { port: number }).port}/`;
  assert.equal(await getAsNobody(v4), 'refused');
  assert.equal((await fetch(v4)).status, 200);
});

test('the real bin refuses another OS user while the owner is served', async (t) => {
  if (!canSwitchUser) {
    if (process.env.CI) assert.fail('CI runs as root on Linux: this test must run there');
    t.skip('needs Linux and root to run a client as another uid (setpriv)');
    return;
  }
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const srv = await spawnServer([], cleanEnv(home));
  t.after(() => srv.stop('SIGKILL'));
  await waitForHealth(srv.url);
  assert.equal(await getAsNobody(`${srv.url}/health`), 'refused');
  assert.equal((await fetch(`${srv.url}/v1/settings`)).status, 200, 'the owner is unaffected');
});

test('a peer socket its owner has closed vouches for no one: a time-wait or orphan entry (inode 0, listed as uid 0) is not root', () => {
  // /proc/net/tcp lines cut at the local address: local rem st tx:rx tr:when retrnsmt uid timeout inode …
  const live = '0100007F:A1B2 0100007F:6902 01 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 20 4 30 10 -1';
  const closed = '0100007F:A1B2 0100007F:6902 06 00000000:00000000 03:00000F9E 00000000     0        0 0 3 0000000000000000';
  const other = '0100007F:A1B2 0100007F:6902 01 00000000:00000000 00:00000000 00000000 65534        0 98765 1 0000000000000000 20 4 30 10 -1';
  assert.equal(ownerOf(live), 0);
  assert.equal(ownerOf(closed), -1);
  assert.equal(ownerOf(other), 65534);
});

test('two copies of the peer-check module (the early step and the server bundle) check each connection once, not twice', async (t) => {
  if (!canSwitchUser) {
    if (process.env.CI) assert.fail('CI runs as root on Linux: this test must run there');
    t.skip('needs Linux and root to run a client as another uid (setpriv)');
    return;
  }
  // A second instance of the same module, as the bins load it once as an ES module and once inside server.cjs.
  const copy = (await import(new URL('./peer-uid.js?second-copy', import.meta.url).href)) as typeof import('./peer-uid.js');
  assert.notEqual(copy.installPeerCheck, installPeerCheck, 'a separate module instance');
  const refusals: number[] = [];
  const server = createServer((_req, res) => res.end('ok'));
  installPeerCheck(server, { onRefused: (i) => refusals.push(i.uid) });
  copy.installPeerCheck(server, { onRefused: (i) => refusals.push(i.uid) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  assert.equal(await getAsNobody(url), 'refused');
  assert.deepEqual(refusals, [NOBODY]);
  assert.equal((await fetch(url)).status, 200);
});
