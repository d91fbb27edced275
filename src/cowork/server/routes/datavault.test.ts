import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../../testing/test-app.js';
import { PROBE_PASSWORD, PROBE_USER, startPostgres, type Throwaway } from '../../../testing/databases.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { formTools } from '../services/form-tools.js';
import { SubmissionStore } from '../services/submissions.js';

/** The `response.completed` status of a submission stream. */
const statusOf = (frames: Record<string, unknown>[]) => (frames.at(-1)?.response as { status?: string } | undefined)?.status;

const pgSpec = { _connector_id: 'postgres', selected_method: 'host-port', name: 'local' };
const pgValues = (pg: Throwaway, password: string) => ({ host: pg.host, port: String(pg.port), database: 'test', username: PROBE_USER, password, ssl_enabled: 'false' });

test('a submitted form is probed live, saved encrypted on success, and reported with form patches; values never come back', async (t) => {
  const pg = await startPostgres({ tls: false });
  t.after(() => pg.stop());
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  const bad = await readSse(await postJson(`${ta.url}/v1/datavault/submissions`, { form_id: 'fm_1', values: pgValues(pg, 'wrong'), form_spec: pgSpec }));
  assert.equal(bad.frames[0].type, 'response.created');
  assert.equal((bad.frames[0].response as { model?: string }).model, 'datavault-agent');
  const badText = bad.frames.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta).join('');
  assert.match(badText, /```data-vault-form-patch\n[\s\S]*"password": \{\n\s+"error"/);
  assert.deepEqual(statusOf(bad.frames), 'retry');
  assert.equal(ta.ctx.vault.get('postgres', 'local'), null);

  const good = await readSse(await postJson(`${ta.url}/v1/datavault/submissions`, { form_id: 'fm_1', values: pgValues(pg, PROBE_PASSWORD), form_spec: pgSpec }));
  assert.equal(statusOf(good.frames), 'success');
  assert.match(good.frames.map((f) => f.delta ?? '').join(''), /"_is_success": true/);
  assert.equal(ta.ctx.vault.get('postgres', 'local')!.fields.password, PROBE_PASSWORD);
  assert.ok(!good.raw.includes(PROBE_PASSWORD), 'the stream never echoes a secret');
});

test('connectors without a live test are saved directly; bad submissions and lookups', async (t) => {
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  const saved = await readSse(
    await postJson(`${ta.url}/v1/datavault/submissions`, {
      form_id: 'fm_2',
      values: { api_key: 'pika-123456', extra: '' },
      skipped: [],
      form_spec: { _connector_id: 'pika', selected_method: 'api-key', name: 'work' },
    }),
  );
  assert.equal(statusOf(saved.frames), 'success');
  assert.match(saved.frames.map((f) => f.delta ?? '').join(''), /no live test is available for Pika/);
  assert.equal((await postJson(`${ta.url}/v1/datavault/submissions`, { form_id: ' ', values: {} })).status, 400);
  const missing = await readSse(await postJson(`${ta.url}/v1/datavault/submissions`, { form_id: 'fm_3', values: { host: 'h' }, form_spec: pgSpec }));
  assert.equal(statusOf(missing.frames), 'needs_input');
  assert.equal((await ta.app.inject('/v1/datavault/submissions/sub_nope')).statusCode, 404);
});

test('form tools: lookup_connector, request_credentials, fetch_submission without values, update_form strips values', async () => {
  const subs = new SubmissionStore();
  const tools = Object.fromEntries(formTools(subs).map((t) => [t.name, t]));
  const ctx = { signal: new AbortController().signal, toolUseId: 't', emit: () => {} };
  const found = JSON.parse(String(await tools.lookup_connector.handler({ query: 'postgresql' }, ctx)));
  assert.equal(found.id, 'postgres');
  assert.equal(found.form._connector_id, 'postgres');
  assert.equal(JSON.parse(String(await tools.lookup_connector.handler({ query: 'qqqq zzzz' }, ctx))).match, 'none');
  const form = String(await tools.request_credentials.handler({ spec: { engine: 'postgres', fields: [] } }, ctx));
  assert.match(form, /```data-vault-form\n\{\n\s+"engine": "postgres"[\s\S]*"form_id": "fm_[0-9a-f]{10}"/);
  const s = subs.stage({ form_id: 'f', conversation_id: null, values: { password: 'p4ss-secret' }, skipped: [], form_spec: null });
  const fetched = String(await tools.fetch_submission.handler({ submission_id: s.submission_id }, ctx));
  assert.ok(!fetched.includes('p4ss-secret'));
  assert.match(fetched, /"field_names":\["password"\]/);
  const patch = String(await tools.update_form.handler({ form_id: 'f', fields: { password: { value: 'leak', error: 'wrong' } } }, ctx));
  assert.ok(!patch.includes('leak'));
  assert.match(patch, /"error": "wrong"/);
});
