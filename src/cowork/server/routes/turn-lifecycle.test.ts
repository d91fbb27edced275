import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { waitFor } from '../../../testing/wait.js';
import { STOPPED_NOTE } from '../../../core/agent/turn.js';
import { storedForm } from '../stores/frame-log.js';

type T = { after: (fn: () => unknown) => void };
/* eslint-disable @typescript-eslint/no-explicit-any */

async function setup(t: T, env: Record<string, string> = {}) {
  const stub = await new StubLlm().start();
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'k', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_LLM_MAX_RETRIES: '0', ...env } });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  return { ta, stub };
}

async function get(ta: TestApp, path: string) {
  const res = await fetch(ta.url + path);
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function cancel(ta: TestApp, id: string) {
  return (await (await postJson(`${ta.url}/v1/responses/cancel`, { conversation_id: id })).json()) as { cancelled: boolean };
}

/** Start a hanging first turn and read until its first text delta; returns the real conversation id. */
async function startHanging(ta: TestApp, stub: StubLlm, conversation: string | null): Promise<string> {
  stub.enqueue({ text: 'I will keep on talking', hang: true });
  const res = await postJson(`${ta.url}/v1/responses`, { input: 'write a long essay', stream: true, conversation });
  const { frames } = await readSse(res, { stopAfter: (f) => f.type === 'response.output_text.delta' });
  return frames[0].conversation_id as string;
}

/**
 * What a person sees of a turn's frames: stored frames merge runs of text deltas (see stores/frame-log.ts), so runs of
 * `response.output_text.delta` of one item are joined (first frame's fields, all the text) before comparing.
 */
function asSeen(frames: any[]): any[] {
  const out: any[] = [];
  for (const f of frames) {
    const last = out.at(-1);
    if (f.type === 'response.output_text.delta' && last?.type === f.type && last.item_id === f.item_id) last.delta += f.delta;
    else out.push({ ...f });
  }
  return out;
}

test('Stop on the first turn of a new task: cancel, in-flight and tail accept the tmp- id the conversation was minted for', async (t) => {
  const { ta, stub } = await setup(t);
  const tmp = 'tmp-1732530000000-ab12';
  const cid = await startHanging(ta, stub, tmp);
  assert.notEqual(cid, tmp);
  const inflight = (await get(ta, `/v1/responses/in-flight?conversation_id=${tmp}`)).body;
  assert.equal(inflight.in_flight, true);
  assert.equal(inflight.has_buffer, true);
  const tail = await fetch(`${ta.url}/v1/responses/tail?conversation_id=${tmp}&from_seq=0&model=anton`, { headers: { accept: 'text/event-stream' } });
  assert.equal(tail.status, 200);
  const tailRead = readSse(tail);
  assert.deepEqual(await cancel(ta, tmp), { cancelled: true, conversation_id: tmp });
  const tailed = await tailRead;
  assert.equal(tailed.frames[0].conversation_id, cid);
  assert.equal(tailed.frames.at(-1)?.type, 'response.completed', 'the stopped turn ends');
  await waitFor(() => stub.aborted === 1);
  const msgs = (await get(ta, `/v1/conversations/${cid}/messages`)).body.messages;
  assert.ok(msgs[1].content.endsWith(STOPPED_NOTE), msgs[1].content);
});

test('Stop on the first turn when the client sent conversation:null: its tmp- id claims the one new turn; two new turns are never guessed', async (t) => {
  const { ta, stub } = await setup(t);
  const cid = await startHanging(ta, stub, null);
  assert.deepEqual(await cancel(ta, 'tmp-client-1'), { cancelled: true, conversation_id: 'tmp-client-1' });
  await waitFor(async () => (await get(ta, `/v1/responses/in-flight?conversation_id=${cid}`)).body.in_flight === false);
  assert.equal((await get(ta, '/v1/responses/in-flight?conversation_id=tmp-client-1')).body.has_buffer, true);

  const a = await startHanging(ta, stub, null);
  const b = await startHanging(ta, stub, null);
  assert.deepEqual(await cancel(ta, 'tmp-client-2'), { cancelled: false, conversation_id: 'tmp-client-2' });
  assert.equal((await cancel(ta, a)).cancelled, true);
  assert.equal((await cancel(ta, b)).cancelled, true);
});

test('a finished turn stays replayable for the replay window (in-flight has_buffer, tail 200, also by tmp- id), then its tmp- id is forgotten', async (t) => {
  const { ta, stub } = await setup(t, { ANTON_TURN_REPLAY_SECONDS: '1' });
  stub.enqueue({ text: 'done quickly' });
  const tmp = 'tmp-done-1';
  const { frames } = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'hi', stream: true, conversation: tmp }));
  const cid = frames[0].conversation_id as string;
  for (const id of [cid, tmp]) {
    const st = (await get(ta, `/v1/responses/in-flight?conversation_id=${id}`)).body;
    assert.deepEqual([st.in_flight, st.has_buffer, st.latest_seq], [false, true, frames.length], id);
    const tail = await fetch(`${ta.url}/v1/responses/tail?conversation_id=${id}&from_seq=1`);
    assert.equal(tail.status, 200);
    const replay = await readSse(tail);
    // A finished turn replays what was stored (text deltas merged, completed without its output text).
    assert.deepEqual(asSeen(replay.frames), asSeen(frames.map(storedForm)), 'a late tail replays the whole turn and ends');
  }
  await waitFor(async () => (await get(ta, `/v1/responses/in-flight?conversation_id=${tmp}`)).body.has_buffer === false, 5000);
  assert.equal((await fetch(`${ta.url}/v1/responses/tail?conversation_id=${tmp}&from_seq=0`)).status, 404);
  assert.deepEqual((await get(ta, '/v1/responses/in-flight-list')).body.in_flight, [], 'only running turns are listed');
});

test('an LLM error mid-turn is stored with the turn: a reload shows the failure the live stream showed', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'Let me look.', toolCalls: [{ name: 'list_conversation_datasources', input: {} }] }, { error: { status: 500, message: 'upstream exploded' } });
  const live = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'what data do I have?', stream: true }));
  const failed = live.frames.at(-1) as any;
  assert.equal(failed.type, 'response.failed');
  const cid = live.frames[0].conversation_id as string;
  const msgs = (await get(ta, `/v1/conversations/${cid}/messages`)).body.messages;
  assert.equal(msgs.length, 2);
  const bubble = msgs[1];
  assert.ok(bubble.content.includes(failed.error), `the stored reply shows "${failed.error}": ${bubble.content}`);
  assert.deepEqual(asSeen(bubble.events), asSeen(live.frames), 'the replay shows the same text and ends with the same response.failed');
  const conv = (await get(ta, `/v1/conversations/${cid}`)).body;
  assert.equal(conv.turns, 1);
});

test('a provider dropping the stream mid-reply: the reload shows the partial text and the same failure as the live stream', async (t) => {
  const { ta, stub } = await setup(t);
  stub.enqueue({ text: 'Revenue grew by', dropAfterText: true });
  const live = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'summarize', stream: true }));
  const failed = live.frames.at(-1) as any;
  assert.equal(failed.type, 'response.failed');
  const shown = live.frames.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta).join('');
  assert.equal(shown, 'Revenue grew by');
  const cid = live.frames[0].conversation_id as string;
  const msgs = (await get(ta, `/v1/conversations/${cid}/messages`)).body.messages;
  assert.equal(msgs.length, 2, JSON.stringify(msgs));
  assert.ok(msgs[1].content.startsWith('Revenue grew by'), msgs[1].content);
  assert.ok(msgs[1].content.includes(failed.error), `stored: ${msgs[1].content} / live: ${failed.error}`);
  assert.deepEqual(asSeen(msgs[1].events), asSeen(live.frames));
});
