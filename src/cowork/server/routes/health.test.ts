import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';
import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION } from '../../../core/version.js';

test('GET /health reports every field, config_ready false without a key, and writes nothing', async (t) => {
  const ta = await startTestApp({ env: { ANTHROPIC_API_KEY: '' } });
  t.after(() => ta.close());
  const antonDirBefore = readdirSync(join(ta.home, '.anton'));
  const res = await ta.app.inject('/health');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), {
    status: 'ok',
    anton_version: COWORK_SERVER_VERSION,
    cowork_server_version: COWORK_SERVER_VERSION,
    cowork_server_protocol_version: COWORK_SERVER_PROTOCOL_VERSION,
    anton_available: true,
    mode: 'anton',
    config_ready: false,
    config_error: 'Configure ANTON_ANTHROPIC_API_KEY for Anthropic.',
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    provider_label: 'Anthropic',
    live_conversations: [],
    live_pads: [],
    scratchpad_available: true,
    scratchpad_error: '',
  });
  assert.equal(existsSync(join(ta.home, '.anton', '.env')), false, '/health must not write ~/.anton/.env');
  assert.deepEqual(readdirSync(join(ta.home, '.anton')), antonDirBefore);
});

test('a legacy key makes the config ready without being migrated to disk', async (t) => {
  const ta = await startTestApp({ env: { ANTHROPIC_API_KEY: 'sk-legacy' } });
  t.after(() => ta.close());
  assert.equal((await ta.app.inject('/health')).json().config_ready, true);
  assert.equal(existsSync(join(ta.home, '.anton', '.env')), false);
});

test('GET / banner, FastAPI-style 404 and 405, trailing slash served', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  assert.deepEqual((await ta.app.inject('/')).json(), { message: 'Anton CoWork API', anton_available: true });
  const missing = await ta.app.inject('/v1/nope');
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), { detail: 'Not Found', code: 'not_found' });
  const wrong = await ta.app.inject({ method: 'DELETE', url: '/health' });
  assert.equal(wrong.statusCode, 405);
  assert.deepEqual(wrong.json(), { detail: 'Method Not Allowed', code: 'method_not_allowed' });
  assert.equal((await ta.app.inject('/v1/projects/')).statusCode, 200);
});

test('HEAD answers /health (as before ready) and is 405 on other GET routes, as FastAPI', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const health = await ta.app.inject({ method: 'HEAD', url: '/health' });
  assert.equal(health.statusCode, 200);
  assert.equal(health.body, '');
  const projects = await ta.app.inject({ method: 'HEAD', url: '/v1/projects' });
  assert.equal(projects.statusCode, 405);
  assert.equal(projects.headers.allow, 'GET, POST');
});

test('CORS admits the dev (when enabled) and app origins but never `null`', async (t) => {
  const ta = await startTestApp({ env: { ANTON_DEV_ORIGINS: 'true' } });
  t.after(() => ta.close());
  const ok = await ta.app.inject({ url: '/health', headers: { origin: 'http://localhost:5173' } });
  assert.equal(ok.headers['access-control-allow-origin'], 'http://localhost:5173');
  const nul = await ta.app.inject({ url: '/health', headers: { origin: 'null' } });
  assert.equal(nul.headers['access-control-allow-origin'], undefined);
  const evil = await ta.app.inject({
    method: 'OPTIONS',
    url: '/v1/settings',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
  });
  assert.equal(evil.headers['access-control-allow-origin'], undefined);
});

test('GET /openapi.json documents the routes from their schemas', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const doc = (await ta.app.inject('/openapi.json')).json();
  assert.match(doc.openapi, /^3\./);
  assert.ok(doc.paths['/health']);
  assert.ok(doc.paths['/v1/projects'].post.requestBody, 'request bodies come from zod schemas');
  assert.ok(doc.paths['/v1/settings/validate-provider']);
});

test('a malformed JSON body gets 422 with a detail list, not a 500', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const res = await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().detail[0].type, 'json_invalid');
  const missing = await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: {} });
  assert.equal(missing.statusCode, 422);
  assert.deepEqual(missing.json().detail[0].loc, ['body', 'name']);
  assert.equal(missing.json().detail[0].type, 'missing');
  const plain = await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { 'content-type': 'text/plain' }, payload: 'name=x' });
  assert.equal(plain.statusCode, 422, 'text/plain (CSRF-able) bodies are refused, with the reference status');
});

test('without Python, /health says the scratchpad is unavailable and starting a pad answers 503 naming the fix', async (t) => {
  const ta = await startTestApp({ env: { ANTON_PYTHON: 'python3-that-is-not-installed' } });
  t.after(() => ta.close());
  const h = (await ta.app.inject('/health')).json();
  assert.equal(h.status, 'ok');
  assert.equal(h.scratchpad_available, false);
  assert.match(h.scratchpad_error, /"python3-that-is-not-installed" is not on PATH.*ANTON_PYTHON/);
  const start = await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/start', payload: { name: 'p' } });
  assert.equal(start.statusCode, 503);
  assert.match(start.json().detail, /Install Python 3/);
});
