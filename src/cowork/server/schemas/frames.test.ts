import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAppWithStub } from '../../../testing/test-app.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { TurnFrame } from './frames.js';

const outside = (frames: unknown[]) =>
  frames.flatMap((f, i) => {
    const r = TurnFrame.safeParse(f);
    return r.success ? [] : [`#${i} ${JSON.stringify(f).slice(0, 200)}: ${r.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`];
  });

test('every frame of a turn with a tool call (live, tailed and stored) is a declared TurnFrame', async (t) => {
  const { ta, stub } = await startAppWithStub(t);
  stub.enqueue({ text: 'Let me look.', toolCalls: [{ name: 'list_artifacts', input: {} }], stopReason: 'tool_use' });
  stub.enqueue({ text: 'There are none yet.' });
  const live = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'What artifacts do I have?', stream: true, conversation: null, project: 'general' }));
  assert.equal(live.status, 200);
  const types = new Set(live.frames.map((f) => f.type));
  for (const ty of ['response.created', 'response.output_text.delta', 'response.in_progress', 'response.completed']) assert.ok(types.has(ty), ty);
  assert.deepEqual(outside(live.frames), []);

  const cid = live.frames[0].conversation_id as string;
  const tail = await readSse(await fetch(`${ta.url}/v1/responses/tail?conversation_id=${cid}&from_seq=0`));
  assert.deepEqual(outside(tail.frames), []);
  const messages = (await (await fetch(`${ta.url}/v1/conversations/${cid}/messages`)).json()) as { messages: { events?: unknown[] }[] };
  const stored = messages.messages.flatMap((m) => m.events ?? []);
  assert.ok(stored.length > 0);
  assert.deepEqual(outside(stored), []);
});

test('a failed turn ends with a declared response.failed frame', async (t) => {
  const { ta, stub } = await startAppWithStub(t, { ANTON_LLM_MAX_RETRIES: '0' });
  stub.enqueue({ error: { status: 400, message: 'bad request' } });
  const live = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Hi', stream: true, conversation: null, project: 'general' }));
  const last = live.frames[live.frames.length - 1];
  assert.equal(last.type, 'response.failed');
  assert.deepEqual(outside(live.frames), []);
});
