import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../../testing/test-app.js';

test('POST /v1/scratchpad/install: an unknown pad is 404 even with no packages; a known pad with [] is 200', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const unknown = await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/install', payload: { name: 'ghost', packages: [] } });
  assert.equal(unknown.statusCode, 404);
  assert.deepEqual(unknown.json(), { detail: "Scratchpad 'ghost' not found.", code: 'not_found' });
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/start', payload: { name: 'p1' } })).statusCode, 200);
  const empty = await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/install', payload: { name: 'p1', packages: [] } });
  assert.equal(empty.statusCode, 200);
  assert.equal(typeof empty.json().result, 'string');
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/install', payload: { name: 'p1' } })).statusCode, 422, 'packages is still required');
});

test('/v1/scratchpad/start keeps its coding_* fields: the pad sees the coding provider and model, and the key only when given', async (t) => {
  const ta = await startTestApp({ env: { ANTON_ANTHROPIC_API_KEY: 'sk-server-secret' } });
  t.after(() => ta.close());
  const show = "import os\nprint([os.environ.get(k) for k in ('ANTON_SCRATCHPAD_PROVIDER', 'ANTON_SCRATCHPAD_MODEL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY')])";
  await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/start', payload: { name: 'given', coding_provider: 'openai', coding_model: 'gpt-5-mini', coding_api_key: 'sk-caller', coding_base_url: 'http://127.0.0.1:9/v1' } });
  const given = (await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/execute', payload: { name: 'given', code: show } })).json().cell.stdout;
  assert.equal(given.trim(), "['openai', 'gpt-5-mini', 'sk-caller', 'http://127.0.0.1:9/v1', None]");
  await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/start', payload: { name: 'defaults' } });
  const defaults = (await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/execute', payload: { name: 'defaults', code: show } })).json().cell.stdout;
  assert.equal(defaults.trim(), "['anthropic', 'claude-haiku-4-5-20251001', None, None, None]", "the server's own key never reaches user code");
});

test('a JSON body sent as text/plain is refused with 422 like the reference, and has no effect', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const res = await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: '{"name":"via-text-plain"}' });
  assert.equal(res.statusCode, 422);
  assert.deepEqual(res.json().detail[0].loc, ['body']);
  const names = (await ta.app.inject('/v1/projects')).json().projects.map((p: { name: string }) => p.name);
  assert.ok(!names.includes('via-text-plain'));
});

test('legacy POST /v1/attachments/upload honours its session_id field wherever it sits in the form', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const b = '----legacy' + Math.random().toString(16).slice(2);
  const body =
    `--${b}\r\nContent-Disposition: form-data; name="files"; filename="late.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n` +
    `--${b}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n20260101_000000_abcdef\r\n--${b}--\r\n`;
  const up = await ta.app.inject({ method: 'POST', url: '/v1/attachments/upload', headers: { 'content-type': `multipart/form-data; boundary=${b}` }, payload: Buffer.from(body) });
  assert.equal(up.statusCode, 200);
  assert.equal(up.json().attachments[0].sessionId, '20260101_000000_abcdef');
  const listed = (await ta.app.inject('/v1/attachments?session_id=20260101_000000_abcdef')).json().attachments;
  assert.deepEqual(listed.map((a: { name: string }) => a.name), ['late.csv']);
});
