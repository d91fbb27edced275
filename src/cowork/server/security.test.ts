import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../testing/test-app.js';
import { rawGet, rawHttp } from '../../testing/raw-http.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { createContext } from './context.js';
import { buildApp } from './app.js';

test('DNS rebinding: a request whose Host is not ours gets 403', async (t) => {
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  const evil = await ta.app.inject({ url: '/v1/settings/raw', headers: { host: 'evil.example' } });
  assert.equal(evil.statusCode, 403);
  assert.deepEqual(evil.json(), { detail: 'Host not allowed', code: 'forbidden' });
  assert.equal((await ta.app.inject({ url: '/health', headers: { host: 'evil.example:26866' } })).statusCode, 403);
  for (const host of ['localhost:26866', '127.0.0.1:26866', '[::1]:26866']) {
    assert.equal((await ta.app.inject({ url: '/health', headers: { host } })).statusCode, 200, host);
  }
  assert.equal((await fetch(`${ta.url}/health`)).status, 200);
});

test('cross-site writes: a foreign or null Origin cannot POST (multipart or JSON); our own origins can', async (t) => {
  const ta = await startTestApp({ env: { ANTON_DEV_ORIGINS: 'true' } });
  t.after(() => ta.close());
  for (const origin of ['https://evil.example', 'null']) {
    const r = await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { origin }, payload: { name: 'x' } });
    assert.equal(r.statusCode, 403, origin);
  }
  const multipart = await ta.app.inject({
    method: 'POST',
    url: '/v1/projects/general/files/upload',
    headers: { origin: 'https://evil.example', 'content-type': 'multipart/form-data; boundary=b' },
    payload: '--b\r\nContent-Disposition: form-data; name="files"; filename="x.txt"\r\n\r\nx\r\n--b--\r\n',
  });
  assert.equal(multipart.statusCode, 403);
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { origin: 'http://localhost:5173' }, payload: { name: 'dev' } })).statusCode, 200);
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { origin: 'http://localhost:80', host: 'localhost:80' }, payload: { name: 'same' } })).statusCode, 200);
  assert.equal((await ta.app.inject({ url: '/v1/projects', headers: { origin: 'https://evil.example' } })).headers['access-control-allow-origin'], undefined);
});

test('ANTON_SERVER_TOKEN guards every /v1 route; /health and preview capabilities stay open', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SERVER_TOKEN: 'launch-secret-123' } });
  t.after(() => ta.close());
  assert.equal((await ta.app.inject('/health')).statusCode, 200);
  const no = await ta.app.inject('/v1/projects');
  assert.equal(no.statusCode, 401);
  assert.deepEqual(no.json(), { detail: 'Not authenticated', code: 'unauthorized' });
  assert.equal((await ta.app.inject({ url: '/v1/projects', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  assert.equal((await ta.app.inject({ url: '/v1/projects', headers: { authorization: 'Bearer launch-secret-123' } })).statusCode, 200);
  assert.equal((await ta.app.inject('/v1/projects?token=launch-secret-123')).statusCode, 200, 'downloads may pass it as a query parameter');
  assert.notEqual((await ta.app.inject('/v1/projects/preview-asset/0123456789abcdef/x.html')).statusCode, 401);
});

test('token bypass: percent-encoded, absolute-form and odd request targets never reach a /v1 route without the token', async (t) => {
  const ta = await startTestApp({ listen: true, env: { ANTON_SERVER_TOKEN: 'launch-secret-123', ANTON_ANTHROPIC_API_KEY: 'sk-ant-must-not-leak' } });
  t.after(() => ta.close());
  const port = Number(new URL(ta.url).port);
  const variants = (rest: string) => [
    `/%76%31/${rest}`,
    `/v%31/${rest}`,
    `/%761/${rest}`,
    `/%76%31/${rest.replace(/\//g, '%2F')}`,
    `http://127.0.0.1:${port}/v1/${rest}`,
    `http://localhost:${port}/%76%31/${rest}`,
    `/v1//${rest}`,
    `/v1/${rest}/`,
    `/v1/./${rest}`,
    `/v1/${rest}#frag`,
  ];
  for (const rest of ['settings/reveal-key/anthropic', 'settings/raw']) {
    for (const target of variants(rest)) {
      const r = await rawGet(port, target);
      assert.ok(!r.body.includes('sk-ant-must-not-leak'), `${target} leaked the key (${r.status})`);
      assert.ok(r.status === 401 || r.status === 404 || r.status === 400, `${target} → ${r.status}`);
    }
  }
  const body = JSON.stringify({ name: 'p', code: 'print(1)' });
  for (const target of variants('scratchpad/execute')) {
    const r = await rawHttp(port, `POST ${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    assert.ok(r.status === 401 || r.status === 404 || r.status === 400, `POST ${target} → ${r.status} ${r.body.slice(0, 80)}`);
  }
  // An absolute-form target naming a foreign host is refused like a foreign Host header.
  assert.equal((await rawGet(port, `http://evil.example/health`)).status, 403);
  // The right token still works on the same odd spellings.
  assert.equal((await rawGet(port, '/%76%31/settings/raw', { authorization: 'Bearer launch-secret-123' })).status, 200);
});

test('dev origins on port 5173 are trusted only when VITE_RENDERER_URL or ANTON_DEV_ORIGINS says so', async (t) => {
  const plain = await startTestApp();
  t.after(() => plain.close());
  for (const origin of ['http://localhost:5173', 'http://127.0.0.1:5173']) {
    const w = await plain.app.inject({ method: 'POST', url: '/v1/projects', headers: { origin }, payload: { name: 'dev' } });
    assert.equal(w.statusCode, 403, origin);
    assert.equal((await plain.app.inject({ url: '/v1/settings/raw', headers: { origin } })).headers['access-control-allow-origin'], undefined, origin);
  }
  assert.equal((await plain.app.inject({ url: '/health', headers: { origin: 'app://-' } })).headers['access-control-allow-origin'], 'app://-');
  const vite = await startTestApp({ env: { VITE_RENDERER_URL: 'http://localhost:5173/' } });
  t.after(() => vite.close());
  assert.equal((await vite.app.inject({ method: 'POST', url: '/v1/projects', headers: { origin: 'http://localhost:5173' }, payload: { name: 'dev' } })).statusCode, 200);
  assert.equal((await vite.app.inject({ method: 'POST', url: '/v1/projects', headers: { origin: 'http://127.0.0.1:5173' }, payload: { name: 'dev2' } })).statusCode, 403, 'only the named renderer');
});

test('Origin must match scheme too, and a comma-joined or malformed Host is refused', async (t) => {
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  const port = Number(new URL(ta.url).port);
  const host = `127.0.0.1:${port}`;
  const post = (origin: string) => ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { host, origin }, payload: { name: `p${Math.random()}`.replace('.', '') } });
  assert.equal((await post(`https://${host}`)).statusCode, 403, 'https is another origin');
  assert.equal((await post(`ws://${host}`)).statusCode, 403);
  assert.equal((await post(`http://${host}`)).statusCode, 200);
  for (const bad of [`127.0.0.1, evil.example`, `[::1],evil.example`, `evil.example,127.0.0.1`, `127.0.0.1 evil.example`, `user@127.0.0.1`, `127.0.0.1:${port}, evil.example:${port}`]) {
    const r = await rawGet(port, '/health', { host: bad });
    assert.ok(r.status === 403 || r.status === 400, `${bad} → ${r.status}`);
  }
  assert.equal((await rawGet(port, '/health')).status, 200);
});

test('?token= never reaches the request log', async (t) => {
  const lines: string[] = [];
  const { default: pino } = await import('pino');
  const { Writable } = await import('node:stream');
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const temp = makeTempHome();
  const ctx = createContext(cleanEnv(temp.home, { ANTON_SERVER_TOKEN: 'tok-secret-777' }), { logLevel: 'silent' });
  ctx.log = pino({ level: 'info' }, sink);
  const app = await buildApp(ctx, { logRequests: true });
  t.after(async () => {
    await app.close();
    temp.cleanup();
  });
  assert.equal((await app.inject('/v1/projects?token=tok-secret-777&x=1')).statusCode, 200);
  await app.inject('/v1/nope?a=1&token=tok-secret-777');
  await app.inject({ method: 'POST', url: '/v1/projects?token=tok-secret-777', payload: '{' });
  const log = lines.join('');
  assert.match(log, /incoming request/, 'requests are logged');
  assert.ok(!log.includes('tok-secret-777'), log);
});
