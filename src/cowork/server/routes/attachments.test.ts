import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppWithStub, startTestApp } from '../../../testing/test-app.js';
import { postJson, readSse } from '../../../testing/sse-client.js';

function multipart(files: { name: string; content: string }[], fields: Record<string, string> = {}) {
  const b = '----att' + Math.random().toString(16).slice(2);
  const parts = [
    ...Object.entries(fields).map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
    ...files.map((f) => `--${b}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: text/csv\r\n\r\n${f.content}\r\n`),
  ];
  return { payload: Buffer.from(parts.join('') + `--${b}--\r\n`), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

test('per-conversation uploads: upload, list, raw (sandboxed), move to project with collisions, delete, bad ids', async (t) => {
  const ta = await startTestApp({ env: { ANTON_MAX_UPLOAD_MB: '1' } });
  t.after(() => ta.close());
  const base = '/v1/attachments/general/20260101_000000_abcdef';
  const up = await ta.app.inject({ method: 'POST', url: `${base}/upload`, ...multipart([{ name: '../../sales data.csv', content: 'a,b\n1,2\n' }]) });
  assert.equal(up.statusCode, 200);
  const [att] = up.json();
  assert.match(att.id, /^att_[0-9a-f]{16}$/);
  assert.equal(att.name, 'sales data.csv');
  assert.equal(att.size, 8);
  assert.ok(att.path.startsWith(join(ta.ctx.paths.projectsDir, 'general', '.anton', 'uploads', '20260101_000000_abcdef')));
  for (const k of ['mime', 'created_at', 'updated_at']) assert.ok(k in att);
  assert.deepEqual((await ta.app.inject(base)).json().map((a: { id: string }) => a.id), [att.id]);
  assert.deepEqual((await ta.app.inject(`${base}?ids=att_nope`)).json(), []);
  const raw = await ta.app.inject(`${base}/${att.id}/raw`);
  assert.equal(raw.body, 'a,b\n1,2\n');
  assert.match(String(raw.headers['content-disposition']), /^inline; filename="sales data.csv"/);
  assert.match(String(raw.headers['content-security-policy']), /sandbox/);

  writeFileSync(join(ta.ctx.paths.projectsDir, 'general', 'sales data.csv'), 'existing');
  const moved = (await ta.app.inject({ method: 'POST', url: `${base}/${att.id}/move-to-project` })).json();
  assert.deepEqual(moved, { ok: true, project_path: 'sales data (1).csv', absolute_path: join(ta.ctx.paths.projectsDir, 'general', 'sales data (1).csv') });
  assert.deepEqual((await ta.app.inject(base)).json(), []);

  const second = (await ta.app.inject({ method: 'POST', url: `${base}/upload`, ...multipart([{ name: 'x.csv', content: '1' }]) })).json()[0];
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: `${base}/${second.id}` })).json(), { ok: true });
  assert.equal((await ta.app.inject({ method: 'DELETE', url: `${base}/${second.id}` })).statusCode, 404);
  assert.equal((await ta.app.inject({ method: 'DELETE', url: `${base}/..%2F..` })).statusCode, 400);
  assert.equal((await ta.app.inject('/v1/attachments/general/..%2Fepisodes')).statusCode, 400, 'session ids cannot escape');
  assert.equal((await ta.app.inject('/v1/attachments/nope/s1')).statusCode, 404, 'unknown project is a 404, not a 500');
  const big = await ta.app.inject({ method: 'POST', url: `${base}/upload`, ...multipart([{ name: 'big.bin', content: 'x'.repeat(1024 * 1024 + 1) }]) });
  assert.equal(big.statusCode, 413);
});

test('legacy attachments: upload with fields, snippet, list by session and ids, delete', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const up = await ta.app.inject({ method: 'POST', url: '/v1/attachments/upload', ...multipart([{ name: 'notes.csv', content: 'x' }], { session_id: 's1' }) });
  const a = up.json().attachments[0];
  assert.equal(a.kind, 'file');
  assert.equal(a.sessionId, 's1');
  assert.ok(existsSync(a.path));
  const snip = (await ta.app.inject({ method: 'POST', url: '/v1/attachments/snippet', payload: { title: 'Query', content: 'SELECT   1\n', language: 'sql' } })).json().attachment;
  assert.equal(snip.kind, 'snippet');
  assert.equal(snip.textPreview, 'SELECT 1');
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/attachments/snippet', payload: { title: 'x'.repeat(161), content: '' } })).statusCode, 422);
  assert.deepEqual((await ta.app.inject('/v1/attachments?session_id=s1')).json().attachments.map((x: { id: string }) => x.id), [a.id]);
  assert.deepEqual((await ta.app.inject(`/v1/attachments?ids=${snip.id}&ids=${a.id}`)).json().attachments.map((x: { id: string }) => x.id), [snip.id, a.id]);
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: `/v1/attachments/${a.id}` })).json(), { ok: true });
  assert.equal(existsSync(a.path), false);
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: `/v1/attachments/${a.id}` })).json(), { detail: 'Attachment not found.', code: 'not_found' });
});

test('attachment_ids feed the prompt: only the ids sent, snippets with their text; history shows the clean input', async (t) => {
  const { ta, stub } = await startAppWithStub(t);
  const cid = '20260202_020202_abcdef';
  const base = `/v1/attachments/general/${cid}`;
  const [one] = (await ta.app.inject({ method: 'POST', url: `${base}/upload`, ...multipart([{ name: 'one.csv', content: '1' }]) })).json();
  await ta.app.inject({ method: 'POST', url: `${base}/upload`, ...multipart([{ name: 'two.csv', content: '2' }]) });
  const snip = (await ta.app.inject({ method: 'POST', url: '/v1/attachments/snippet', payload: { title: 'SQL', content: 'SELECT 42', language: 'sql' } })).json().attachment;
  stub.enqueue({ text: 'Got it.' });
  await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Use these', conversation: cid, attachment_ids: [one.id, snip.id] }));
  const prompt = JSON.stringify(stub.requests[0].body.messages);
  assert.match(prompt, /Attached context supplied by the user:/);
  assert.match(prompt, /### one.csv \(text\/csv/);
  assert.match(prompt, /File path: [^"]*one.csv/);
  assert.doesNotMatch(prompt, /two.csv/, 'an upload not sent with this message stays out');
  assert.match(prompt, /SELECT 42/);
  const msgs = (await ta.app.inject(`/v1/conversations/${cid}/messages`)).json().messages;
  assert.equal(msgs[0].content, 'Use these');
  assert.equal(readFileSync(one.path, 'utf8'), '1');
});
