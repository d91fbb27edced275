import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { cleanEnv, makeTempHome } from '../../../testing/temp-home.js';
import { closeContext, createContext } from '../context.js';
import { waitFor } from '../../../testing/wait.js';


async function call(ta: TestApp, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}


const HOUR = 3_600_000;

test('schedules CRUD: defaults, title from prompt, validation, pause/resume, delete, runs', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SCHEDULER_TICK_MS: '3600000' } });
  t.after(() => ta.close());
  const future = new Date(Date.now() + 24 * HOUR).toISOString();
  const created = await call(ta, 'POST', '/v1/schedules', { prompt: 'Summarize my inbox\nand more', next_run_at: future, cadence: 'daily', timezone: 'Europe/Berlin' });
  assert.equal(created.status, 200);
  const s = created.body.schedule;
  assert.match(s.id, /^sch_[0-9a-f]{14}$/);
  assert.equal(s.title, 'Summarize my inbox');
  assert.equal(s.enabled, true);
  assert.equal(s.missedRuns, 0);
  const bad = async (payload: object) => (await call(ta, 'POST', '/v1/schedules', { prompt: 'x', next_run_at: future, ...payload })).body.detail;
  assert.equal(await bad({ cadence: 'monthly' }), 'Cadence must be once, hourly, daily, weekly, or cron.');
  assert.equal(await bad({ next_run_at: 'tomorrow' }), 'Next run time must be a valid ISO datetime.');
  assert.match(await bad({ cadence: 'cron', cron: 'every tuesday' }), /CronPattern: invalid .*'every tuesday'/, 'the refusal names the bad cron expression');
  assert.match(await bad({ timezone: 'Mars/Base' }), /Unknown timezone/);
  assert.equal((await call(ta, 'POST', '/v1/schedules', { next_run_at: future })).status, 422);
  const cron = await call(ta, 'POST', '/v1/schedules', { prompt: 'weekday report', next_run_at: future, cadence: 'cron', cron: '0 9 * * 1-5', timezone: 'UTC' });
  assert.equal(cron.body.schedule.cron, '0 9 * * 1-5');

  assert.equal((await call(ta, 'POST', `/v1/schedules/${s.id}/pause`)).body.schedule.enabled, false);
  assert.equal((await call(ta, 'POST', `/v1/schedules/${s.id}/resume`)).body.schedule.enabled, true);
  const put = await call(ta, 'PUT', `/v1/schedules/${s.id}`, { title: 'Inbox digest', cadence: 'weekly' });
  assert.equal(put.body.schedule.title, 'Inbox digest');
  assert.equal(put.body.schedule.cadence, 'weekly');
  assert.equal((await call(ta, 'GET', '/v1/schedules')).body.schedules.length, 2);
  assert.deepEqual((await call(ta, 'GET', `/v1/schedules/${s.id}/runs`)).body, { schedule_id: s.id, runs: [] });
  assert.deepEqual((await call(ta, 'PUT', '/v1/schedules/nope', { title: 'x' })).body, { detail: 'Schedule not found.', code: 'not_found' });
  assert.deepEqual((await call(ta, 'DELETE', `/v1/schedules/${s.id}`)).body, { ok: true });
  assert.equal((await call(ta, 'DELETE', `/v1/schedules/${s.id}`)).status, 404);
});

test('a schedule due in the past runs exactly once after boot (run_once policy) as a real agent turn', async (t) => {
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_SCHEDULER_TICK_MS: '3600000' };
  // Written while no server runs (the machine was off while the slots passed).
  const offline = createContext(cleanEnv(home, env), { logLevel: 'silent' });
  // Daily slots two days, one day and no days before (now - 2 h): the first runs, the other two are counted as missed,
  // and the next slot is tomorrow. (With the slot time one minute after "now", as before, today's slot came due at the
  // next minute boundary: during the test when it started in the last fraction of a second of a minute, so it ran too.)
  const past = new Date(Date.now() - 2 * 24 * HOUR - 2 * HOUR).toISOString();
  const now = new Date().toISOString();
  const id = 'sch_0123456789abcd';
  offline.schedules.insert({
    id, title: 'Daily digest', prompt: 'Write the digest', cadence: 'daily', cron: null, timezone: 'UTC', nextRunAt: past, enabled: true,
    project: null, model: null, lastRunAt: null, lastResultSessionId: null, lastError: null, catchupPending: false, missedRuns: 0, createdAt: now, updatedAt: now,
  });
  await closeContext(offline);

  stub.enqueue({ text: 'Here is your digest.' });
  const second = await startTestApp({ env, home });
  t.after(() => second.close());
  await waitFor(() => second.ctx.schedules.runs(id, 10).some((r) => r.status !== 'running'));
  await second.ctx.scheduler.tick(); // a later tick must not run it again
  const runs = second.ctx.schedules.runs(id, 10);
  assert.equal(runs.length, 1, `one run, got: ${JSON.stringify(runs)}`);
  assert.equal(runs[0].status, 'success');
  assert.equal(runs[0].manual, false);
  const s = second.ctx.schedules.get(id)!;
  assert.ok(new Date(s.nextRunAt!) > new Date(), 'next run is in the future');
  assert.equal(s.missedRuns, 2, 'the other missed slots are counted, not run');
  assert.equal(s.lastResultSessionId, runs[0].sessionId);
  const conv = (await call(second, 'GET', `/v1/conversations/${runs[0].sessionId}`)).body;
  assert.equal(conv.scheduled_id, id);
  const msgs = (await call(second, 'GET', `/v1/conversations/${runs[0].sessionId}/messages`)).body.messages;
  assert.deepEqual(msgs.map((m: { content: string }) => m.content), ['Write the digest', 'Here is your digest.']);
  assert.deepEqual((await call(second, 'GET', '/v1/schedules')).body.runs_index, { [runs[0].sessionId]: id });
  assert.equal(stub.requests.length, 1);
});

test('skip policy counts missed slots without running; run-now answers when the run is done; a failing run does not stop others', async (t) => {
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const ta = await startTestApp({
    env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_SCHEDULER_TICK_MS: '3600000', ANTON_SCHEDULE_MISSED_POLICY: 'skip', ANTON_LLM_MAX_RETRIES: '0' },
  });
  t.after(() => ta.close());
  const past = new Date(Date.now() - 5 * HOUR - 60_000).toISOString();
  const skipped = (await call(ta, 'POST', '/v1/schedules', { prompt: 'hourly job', next_run_at: past, cadence: 'hourly' })).body.schedule;
  await ta.ctx.scheduler.tick();
  const after = ta.ctx.schedules.get(skipped.id)!;
  assert.equal(after.missedRuns, 6);
  assert.equal(ta.ctx.schedules.runs(skipped.id, 10).length, 0);
  assert.ok(new Date(after.nextRunAt!) > new Date());

  stub.enqueue({ error: { status: 500 } }, { text: 'second one fine' });
  const soon = new Date(Date.now() + HOUR).toISOString();
  const a = (await call(ta, 'POST', '/v1/schedules', { prompt: 'will fail', next_run_at: soon })).body.schedule;
  const b = (await call(ta, 'POST', '/v1/schedules', { prompt: 'will work', next_run_at: soon })).body.schedule;
  const ran = await call(ta, 'POST', `/v1/schedules/${a.id}/run-now`);
  assert.equal(ran.body.session.status, 'error');
  assert.equal(ran.body.session.scheduledId, a.id);
  assert.equal(ta.ctx.schedules.runs(a.id, 1)[0]?.status, 'error');
  await call(ta, 'POST', `/v1/schedules/${b.id}/run-now`);
  assert.equal(ta.ctx.schedules.runs(b.id, 1)[0]?.status, 'success');
  const runA = (await call(ta, 'GET', `/v1/schedules/${a.id}/runs`)).body.runs[0];
  assert.equal(runA.manual, true);
  assert.match(runA.error, /unavailable/);
  assert.equal(ta.ctx.schedules.get(a.id)!.nextRunAt, a.nextRunAt, 'manual runs do not move the schedule');
  assert.equal(ta.ctx.schedules.get(a.id)!.lastError, runA.error);
});

test('run-now answers after the run with lastRunAt set (the page refetches runs on that change) and the schedule title as session title', async (t) => {
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const ta = await startTestApp({ env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_SCHEDULER_TICK_MS: '3600000' } });
  t.after(() => ta.close());
  const created = (await call(ta, 'POST', '/v1/schedules', { title: 'Morning digest', prompt: 'Write the digest', cadence: 'daily', next_run_at: new Date(Date.now() + HOUR).toISOString() })).body.schedule;
  assert.equal(created.lastRunAt ?? null, null);
  stub.enqueue({ text: 'Here is your digest.', chunkDelayMs: 5 });
  const ran = await call(ta, 'POST', `/v1/schedules/${created.id}/run-now`);
  assert.equal(ran.status, 200);
  assert.ok(ran.body.schedule.lastRunAt, 'lastRunAt is set in the answer');
  assert.equal(ran.body.session.title, 'Morning digest');
  assert.equal(ran.body.session.status, 'completed');
  const runs = (await call(ta, 'GET', `/v1/schedules/${created.id}/runs?limit=100`)).body.runs;
  assert.equal(runs.length, 1);
  assert.deepEqual([runs[0].status, runs[0].sessionId, runs[0].manual], ['success', ran.body.session.id, true]);
  const msgs = (await call(ta, 'GET', `/v1/conversations/${ran.body.session.id}/messages`)).body.messages;
  assert.equal(msgs[1].content, 'Here is your digest.');
});
