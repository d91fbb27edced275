import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { STOPPED_NOTE } from '../../../core/agent/turn.js';
import { waitFor } from '../../../testing/wait.js';
import { coalesceDeltas, storedForm } from '../stores/frame-log.js';

type T = { after: (fn: () => unknown) => void };

async function setup(t: T, kind: 'anthropic' | 'openai' = 'anthropic', extra: Record<string, string> = {}) {
  const stub = await new StubLlm().start();
  const env: Record<string, string> =
    kind === 'anthropic'
      ? { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url }
      : { ANTON_PLANNING_PROVIDER: 'openai', ANTON_OPENAI_API_KEY: 'sk-oai-test', ANTON_OPENAI_BASE_URL: `${stub.url}/v1` };
  const ta = await startTestApp({ env: { ...env, ANTON_LLM_MAX_RETRIES: '1', ...extra }, listen: true });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  return { ta, stub };
}

async function get(ta: TestApp, path: string) {
  const res = await fetch(ta.url + path);
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}


for (const kind of ['anthropic', 'openai'] as const) {
  test(`${kind}: a plain turn streams §3 frames, LF-only, and is listed and replayable`, async (t) => {
    const { ta, stub } = await setup(t, kind);
    stub.enqueue({ text: 'Hello! Revenue grew 12%.' });
    const sse = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Summarize Q3 revenue', stream: true, conversation: null, project: 'general' }));
    assert.equal(sse.status, 200);
    assert.match(String(sse.headers.get('content-type')), /^text\/event-stream/);
    assert.equal(sse.headers.get('access-control-allow-origin'), null, 'no wildcard CORS on SSE');
    assert.ok(!sse.raw.includes('\r'), 'LF only');
    for (const block of sse.raw.split('\n\n').filter(Boolean)) {
      const lines = block.split('\n');
      assert.equal(lines.length, 2, `one event line + one data line: ${block}`);
      assert.match(lines[0], /^event: response\./);
      assert.equal(JSON.parse(lines[1].slice(6)).type, lines[0].slice(7));
    }
    const f = sse.frames;
    assert.equal(f[0].type, 'response.created');
    const cid = f[0].conversation_id as string;
    assert.match(cid, /^\d{8}_\d{6}_[0-9a-f]{6}$/);
    assert.deepEqual(f.map((x) => x.sequence_number), f.map((_, i) => i + 1));
    assert.ok(f.every((x) => typeof x.at_ms === 'number'));
    const deltas = f.filter((x) => x.type === 'response.output_text.delta');
    assert.equal(deltas.map((d) => d.delta).join(''), 'Hello! Revenue grew 12%.');
    const done = f[f.length - 1] as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(done.type, 'response.completed');
    assert.equal(done.response.output[0].content[0].text, 'Hello! Revenue grew 12%.');
    assert.equal(done.response.output[0].id, deltas[0].item_id);

    const list = await get(ta, '/v1/conversations?project=all&limit=200');
    assert.equal(list.body.conversations[0].id, cid);
    assert.equal(list.body.conversations[0].title, 'Summarize Q3 revenue');
    assert.equal(list.body.conversations[0].turns, 1);
    assert.deepEqual(list.body.conversations[0].disabled_connections, []);
    const msgs = await get(ta, `/v1/conversations/${cid}/messages`);
    assert.equal(msgs.body.messages.length, 2);
    assert.deepEqual(msgs.body.messages[0], { role: 'user', content: 'Summarize Q3 revenue' });
    assert.equal(msgs.body.messages[1].content, 'Hello! Revenue grew 12%.');
    assert.deepEqual(msgs.body.messages[1].events, coalesceDeltas(f.map(storedForm)), 'recorded events are the streamed frames, text deltas merged');
    assert.equal(typeof msgs.body.messages[1].startedAt, 'number');
  });
}

test('a tool turn streams tool frames, runs the tool, and shows one merged assistant bubble', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'Checking your connections.', toolCalls: [{ name: 'list_conversation_datasources', input: {} }] }, { text: 'You have none yet.' });
  const { frames } = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'What data do I have?' }));
  const progress = frames.filter((f) => f.type === 'response.in_progress');
  const toolId = progress[0].tool_use_id;
  assert.deepEqual(
    progress.map((p) => [p.thought_role, p.content]),
    [
      ['thought.progress', 'list_conversation_datasources'],
      ['thought.progress', '{}'],
      ['thought.progress', 'tool_start: list_conversation_datasources'],
      ['thought.progress', 'tool_done: list_conversation_datasources'],
      ['thought.progress', 'reasoning_start: Thinking...'],
    ],
  );
  assert.equal(progress[2].tool_use_id, toolId, 'tool_start carries the tool id');
  const toolResult = JSON.stringify((stub.requests[1].body.messages as unknown[])[2]);
  assert.match(toolResult, /"vault_available\\":true/);
  const cid = frames[0].conversation_id;
  const msgs = await get(ta, `/v1/conversations/${cid}/messages`);
  assert.deepEqual(msgs.body.messages.map((m: { role: string; content: string }) => [m.role, m.content]), [
    ['user', 'What data do I have?'],
    ['assistant', 'Checking your connections.\n\nYou have none yet.'],
  ]);
});

test('a follow-up turn reuses the history; client-chosen ids are accepted, tmp- ids replaced, bad ids refused', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'First answer.' }, { text: 'Second answer.' }, { text: 'tmp answer' });
  const cid = '20260511_181902_a1b2c3';
  const a = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'one', conversation: cid }));
  assert.equal(a.frames[0].conversation_id, cid);
  await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'two', conversation: cid, project: 'somewhere-else' }));
  assert.deepEqual(
    (stub.requests[1].body.messages as { role: string }[]).map((m) => m.role),
    ['user', 'assistant', 'user'],
  );
  assert.match(JSON.stringify(stub.requests[1].body.messages), /First answer/);
  const meta = await get(ta, `/v1/conversations/${cid}`);
  assert.equal(meta.body.turns, 2);
  assert.equal(meta.body.project, 'general', 'an existing conversation stays in its project');
  const tmp = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'x', conversation: 'tmp-123' }));
  assert.notEqual(tmp.frames[0].conversation_id, 'tmp-123');
  const bad = await postJson(`${ta.url}/v1/responses`, { input: 'x', conversation: '../../etc' });
  assert.equal(bad.status, 400);
});

test('cancel stops the turn: the stream ends with response.completed and history keeps the partial text', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'I am working on a long answer', hang: true });
  const res = await postJson(`${ta.url}/v1/responses`, { input: 'long task' });
  let cid = '';
  const reading = readSse(res);
  await waitFor(async () => {
    const list = await get(ta, '/v1/responses/in-flight-list');
    cid = list.body.in_flight[0]?.conversation_id ?? '';
    return cid !== '' && list.body.in_flight[0].latest_seq >= 4;
  });
  const cancel = await postJson(`${ta.url}/v1/responses/cancel`, { conversation_id: cid });
  assert.deepEqual(await cancel.json(), { cancelled: true, conversation_id: cid });
  const { frames } = await reading;
  const last = frames[frames.length - 1] as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(last.type, 'response.completed');
  assert.match(last.response.output[0].content[0].text, /^I am working/);
  await waitFor(() => stub.aborted > 0);
  const msgs = await get(ta, `/v1/conversations/${cid}/messages`);
  assert.equal(msgs.body.messages[1].content, `I am working on a long answer\n\n${STOPPED_NOTE}`);
  assert.deepEqual(await (await postJson(`${ta.url}/v1/responses/cancel`, { conversation_id: cid })).json(), { cancelled: false, conversation_id: cid });
  assert.deepEqual((await get(ta, '/v1/responses/in-flight-list')).body, { in_flight: [] });
});

test('closing the request does not stop the turn; a tail replays it from a sequence number (its frame log, then live)', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'one two three four five six seven eight nine ten eleven twelve', chunkDelayMs: 40 });
  const ac = new AbortController();
  let deltas = 0;
  const first = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'count' }, ac.signal), {
    stopAfter: (f) => f.type === 'response.output_text.delta' && ++deltas === 4,
  });
  ac.abort();
  const cid = first.frames[0].conversation_id as string;
  const flight = await get(ta, `/v1/responses/in-flight?conversation_id=${cid}`);
  assert.equal(flight.body.in_flight, true);
  assert.equal(flight.body.has_buffer, true);
  type F = Record<string, unknown>;
  const text = (fs: F[]) => fs.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta).join('');
  const tail = await readSse(await fetch(`${ta.url}/v1/responses/tail?conversation_id=${cid}&from_seq=3`));
  assert.equal(tail.frames[0].sequence_number, 3);
  assert.match(String(tail.frames[0].delta), /^two three four /, 'what was already streamed replays merged, from number 3 exactly');
  const seqs = tail.frames.map((f) => f.sequence_number as number);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
  assert.equal(new Set(seqs).size, seqs.length, 'no frame twice');
  assert.equal(text(tail.frames), 'two three four five six seven eight nine ten eleven twelve', 'nothing missed, nothing repeated');
  assert.equal(tail.frames[tail.frames.length - 1].type, 'response.completed');
  // Once finished, the turn replays from its stored log: text deltas merged, still exact from any number.
  const stored = ta.ctx.conversations.frames(flight.body.turn_id);
  assert.equal(text(stored), 'one two three four five six seven eight nine ten eleven twelve');
  assert.ok(stored.length < 5, `text deltas are stored merged (${stored.length} frames)`);
  const full = await readSse(await fetch(`${ta.url}/v1/responses/tail?conversation_id=${cid}&from_seq=0`));
  assert.deepEqual(full.frames, stored, 'a tail of the finished turn replays the stored log');
  assert.deepEqual(full.frames[0], first.frames[0]);
  const from3 = (await readSse(await fetch(`${ta.url}/v1/responses/tail?conversation_id=${cid}&from_seq=3`))).frames;
  assert.equal(from3[0].sequence_number, 3, 'a merged delta is cut at the requested number');
  assert.equal(text(from3), text(tail.frames), 'the stored turn matches what the live tail saw from 3');
  assert.deepEqual(from3.at(-1), storedForm(tail.frames.at(-1)!), 'completed, its output text stored once (in the deltas)');
  assert.equal((await get(ta, `/v1/responses/in-flight?conversation_id=${cid}`)).body.in_flight, false);
  assert.equal((await fetch(`${ta.url}/v1/responses/tail?conversation_id=nope`)).status, 404);
  assert.equal((await fetch(`${ta.url}/v1/responses/tail?conversation_id=${cid}&from_seq=-1`)).status, 422);
  assert.deepEqual((await get(ta, '/v1/responses/in-flight?conversation_id=nope')).body, { in_flight: false, has_buffer: false, latest_seq: 0, turn_id: null });
});

test('a second POST while a turn runs gets 409 and its input is not dropped silently', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'busy', hang: true });
  const cid = '20260101_000000_abcdef';
  const reading = readSse(await postJson(`${ta.url}/v1/responses`, { input: 'first', conversation: cid }));
  await waitFor(async () => (await get(ta, `/v1/responses/in-flight?conversation_id=${cid}`)).body.in_flight);
  const second = await postJson(`${ta.url}/v1/responses`, { input: 'second', conversation: cid });
  assert.equal(second.status, 409);
  assert.match(((await second.json()) as { detail: string }).detail, /already running/);
  await postJson(`${ta.url}/v1/responses/cancel`, { conversation_id: cid });
  await reading;
});

test('provider failure ends the stream with response.failed (no key in the text); history shows the failure', async (t) => {
  const { ta, stub } = await setup(t, 'anthropic', { ANTON_LLM_MAX_RETRIES: '0' });
  stub.enqueue({ error: { status: 500 } });
  const { frames } = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'hi' }));
  const last = frames[frames.length - 1];
  assert.equal(last.type, 'response.failed');
  assert.equal(last.code, 'anton_error');
  assert.match(String(last.error), /temporarily unavailable/);
  assert.ok(!JSON.stringify(frames).includes('sk-ant-test'));
  const msgs = await get(ta, `/v1/conversations/${frames[0].conversation_id}/messages`);
  assert.match(msgs.body.messages[1].content, /This turn failed/);
});

test('stream:false returns the Responses object with the conversation id', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'Plain JSON answer.' });
  const res = await postJson(`${ta.url}/v1/responses`, { input: [{ role: 'user', content: 'hi' }], stream: false, model: 'claude-x' });
  const body = (await res.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(body.object, 'response');
  assert.equal(body.status, 'completed');
  assert.equal(body.model, 'claude-x');
  assert.equal(body.output[0].content[0].text, 'Plain JSON answer.');
  assert.match(body.conversation_id, /^\d{8}_/);
  assert.equal(stub.requests[0].body.model, 'claude-x', 'model override reaches the provider');
});

test('bad requests: not configured 400, no user message 400, non-string content 400, wrong types 422', async (t) => {
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  let res = await postJson(`${ta.url}/v1/responses`, { input: 'hi' });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { detail: 'Configure ANTON_ANTHROPIC_API_KEY for Anthropic.', code: 'bad_input' });
  const { ta: ready } = await setup(t);
  res = await postJson(`${ready.url}/v1/responses`, { input: [{ role: 'assistant', content: 'x' }] });
  assert.deepEqual(await res.json(), { detail: 'No user message in input', code: 'bad_input' });
  res = await postJson(`${ready.url}/v1/responses`, { input: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] });
  assert.deepEqual(await res.json(), { detail: 'Only string user content is supported', code: 'bad_input' });
  res = await postJson(`${ready.url}/v1/responses`, { input: 42 });
  assert.equal(res.status, 422);
  res = await postJson(`${ready.url}/v1/responses/cancel`, {});
  assert.equal(res.status, 422);
  res = await fetch(`${ready.url}/v1/responses/in-flight`);
  assert.equal(res.status, 422);
});

test('turn requests that arrive together start one per turn of the event loop, not all in one', async (t) => {
  const { ta, stub } = await setup(t);
  for (let i = 0; i < 3; i++) stub.enqueue({ text: `answer ${i}` });
  // Count turns of the loop (each check phase), and note the turn in which each request started its turn.
  let loopTurn = 0;
  let counting = true;
  const count = () => {
    loopTurn++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  t.after(() => (counting = false));
  const startedIn: number[] = [];
  const conversations = ta.ctx.conversations;
  const beginTurn = conversations.beginTurn.bind(conversations);
  conversations.beginTurn = (...a: Parameters<typeof beginTurn>) => (startedIn.push(loopTurn), beginTurn(...a));
  const replies = await Promise.all(
    [0, 1, 2].map((i) => ta.app.inject({ method: 'POST', url: '/v1/responses', payload: { input: `together ${i}`, stream: false } })),
  );
  assert.deepEqual(replies.map((r) => r.statusCode), [200, 200, 200]);
  assert.equal(new Set(startedIn).size, 3, `three turns of the loop: ${startedIn.join(', ')}`);
});
