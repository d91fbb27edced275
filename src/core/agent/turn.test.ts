import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvStore } from '../settings/env-store.js';
import { createProvider } from '../llm/provider.js';
import type { Message } from '../llm/types.js';
import { StubLlm } from '../../testing/stub-llm.js';
import type { AgentEvent } from './events.js';
import { ToolRegistry, type ToolDef } from './tools.js';
import { runTurn, STOPPED_NOTE, type TurnOptions, type TurnResult } from './turn.js';

async function stub(t: { after: (fn: () => unknown) => void }): Promise<StubLlm> {
  const s = await new StubLlm().start();
  t.after(() => s.stop());
  return s;
}

function env(kind: 'anthropic' | 'openai', url: string): EnvStore {
  const vars: Record<string, string> =
    kind === 'anthropic'
      ? { ANTON_PLANNING_PROVIDER: 'anthropic', ANTON_ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTON_ANTHROPIC_BASE_URL: url, ANTON_LLM_MAX_RETRIES: '2' }
      : { ANTON_PLANNING_PROVIDER: 'openai-compatible', ANTON_OPENAI_API_KEY: 'sk-oai-test-key', ANTON_OPENAI_BASE_URL: `${url}/v1`, ANTON_PLANNING_MODEL: 'stub-model', ANTON_LLM_MAX_RETRIES: '2' };
  return new EnvStore(vars, '/nonexistent/.env');
}

async function drive(opts: Partial<TurnOptions> & Pick<TurnOptions, 'provider'>) {
  const history = opts.history ?? [];
  const saves: number[] = [];
  const events: AgentEvent[] = [];
  const result: TurnResult = await runTurn({
    buildSystem: () => 'You are a test agent.',
    history,
    tools: new ToolRegistry(),
    userContent: 'hello',
    signal: new AbortController().signal,
    persist: (_h, from) => saves.push(from),
    emit: (ev) => events.push(ev),
    ...opts,
  });
  return { result, history, events, saves };
}

const echoTool = (calls: Record<string, unknown>[]): ToolDef => ({
  name: 'echo',
  description: 'Echo the input',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  handler: async (input) => {
    calls.push(input);
    return `echo: ${String(input.text)}`;
  },
});

for (const kind of ['anthropic', 'openai'] as const) {
  test(`${kind}: a plain turn streams text and persists user then assistant`, async (t) => {
    const s = await stub(t);
    s.enqueue({ text: 'Hi there, friend.' });
    const { result, history, events, saves } = await drive({ provider: createProvider(env(kind, s.url), 'planning') });
    assert.equal(result.status, 'completed');
    assert.equal(result.text, 'Hi there, friend.');
    assert.ok(events.filter((e) => e.type === 'text_delta').length > 1, 'streamed in pieces');
    assert.deepEqual(history, [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: [{ type: 'text', text: 'Hi there, friend.' }] },
    ]);
    assert.deepEqual(saves, [0, 1]);
    assert.equal(s.requests[0].body.model, kind === 'anthropic' ? 'claude-sonnet-4-6' : 'stub-model');
  });

  test(`${kind}: a tool turn runs the tool, feeds the result back and finishes`, async (t) => {
    const s = await stub(t);
    s.enqueue({ text: 'Let me check.', toolCalls: [{ name: 'echo', input: { text: 'ping' } }] }, { text: 'The tool said ping.' });
    const calls: Record<string, unknown>[] = [];
    const { result, history, events } = await drive({ provider: createProvider(env(kind, s.url), 'planning'), tools: new ToolRegistry([echoTool(calls)]) });
    assert.equal(result.status, 'completed');
    assert.deepEqual(calls, [{ text: 'ping' }]);
    assert.equal(history.length, 4);
    const toolUse = (history[1].content as { type: string; id?: string }[]).find((b) => b.type === 'tool_use')!;
    assert.deepEqual(history[2].content, [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'echo: ping' }]);
    assert.deepEqual(
      events.filter((e) => e.type !== 'text_delta' && e.type !== 'usage' && e.type !== 'tool_use_delta').map((e) => e.type + (e.type === 'progress' ? `:${e.phase}` : '')),
      ['tool_use_start', 'tool_use_end', 'progress:tool_start', 'progress:tool_done', 'progress:reasoning_start'],
    );
    // the second request carries the tool result in the provider's own format
    const second = JSON.stringify(s.requests[1].body.messages);
    assert.match(second, kind === 'anthropic' ? /"tool_result"/ : /"role":"tool"/);
    assert.match(second, /echo: ping/);
  });

  test(`${kind}: 429s are retried with growing delays (exponential backoff), then the turn succeeds`, async (t) => {
    const s = await stub(t);
    // No retry-after: the client's own backoff decides (nominally 0.5 s, then 1 s, each with up to 25% jitter).
    s.enqueue({ error: { status: 429 } }, { error: { status: 429 } }, { text: 'after retries' });
    const { result } = await drive({ provider: createProvider(env(kind, s.url), 'planning') });
    assert.equal(result.text, 'after retries');
    assert.equal(s.requests.length, 3);
    const [first, second] = [s.requests[1]!.at - s.requests[0]!.at, s.requests[2]!.at - s.requests[1]!.at];
    assert.ok(first > 0, 'the retry waited');
    assert.ok(second / first > 1.3, `the second wait (${Math.round(second)} ms) is clearly longer than the first (${Math.round(first)} ms)`);
  });

  test(`${kind}: cancelling mid-stream keeps the partial text with a stop note`, async (t) => {
    const s = await stub(t);
    s.enqueue({ text: 'Partial answer that', hang: true });
    const ac = new AbortController();
    const history: Message[] = [];
    let seen = '';
    const result = await runTurn({
      provider: createProvider(env(kind, s.url), 'planning'),
      buildSystem: () => 'sys',
      history,
      tools: new ToolRegistry(),
      userContent: 'go',
      signal: ac.signal,
      persist: () => {},
      emit: (ev) => {
        if (ev.type !== 'text_delta') return;
        seen += ev.text;
        if (seen.includes('that')) ac.abort();
      },
    });
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(history[1], { role: 'assistant', content: `Partial answer that\n\n${STOPPED_NOTE}` });
  });
}

test('an error from the provider fails the turn with a readable message and no key in it', async (t) => {
  const s = await stub(t);
  s.enqueue({ error: { status: 400, message: 'bad thing; key sk-ant-test-key' } });
  await assert.rejects(
    drive({ provider: createProvider(env('anthropic', s.url), 'planning') }),
    (err: Error) => /HTTP 400/.test(err.message) && !err.message.includes('sk-ant-test-key'),
  );
});

test('malformed tool JSON is answered with an error the model can fix; the tool never runs', async (t) => {
  const s = await stub(t);
  s.enqueue({ toolCalls: [{ name: 'echo', input: {}, rawArguments: '{"text": [1, 2' }] }, { text: 'ok' });
  const calls: Record<string, unknown>[] = [];
  // a repairable cut-off object is repaired and run; a broken one is reported
  const { history } = await drive({ provider: createProvider(env('openai', s.url), 'planning'), tools: new ToolRegistry([echoTool(calls)]) });
  assert.equal(calls.length, 1, 'cut-off JSON was repaired');
  s.enqueue({ toolCalls: [{ name: 'echo', input: {}, rawArguments: '{"text": tru' }] }, { text: 'ok' });
  const second = await drive({ provider: createProvider(env('openai', s.url), 'planning'), tools: new ToolRegistry([echoTool(calls)]), history });
  assert.equal(calls.length, 1, 'unrepairable JSON is not run');
  const results = second.history[second.history.length - 2].content as { is_error?: boolean; content: string }[];
  assert.equal(results[0].is_error, true);
  assert.match(results[0].content, /not valid JSON/);
});

test('the tool-round budget stops the loop and asks for a summary without tools', async (t) => {
  const s = await stub(t);
  s.enqueue({ toolCalls: [{ name: 'echo', input: { text: '1' } }] }, { toolCalls: [{ name: 'echo', input: { text: '2' } }] }, { text: 'Summary.' });
  const calls: Record<string, unknown>[] = [];
  const { result } = await drive({ provider: createProvider(env('anthropic', s.url), 'planning'), tools: new ToolRegistry([echoTool(calls)]), maxToolRounds: 2 });
  assert.equal(result.status, 'completed');
  assert.equal(calls.length, 2);
  assert.deepEqual(s.requests[2].body.tool_choice, { type: 'none' });
  assert.match(JSON.stringify(s.requests[2].body.messages), /tool-call rounds/);
});

test('context overflow: older turns are summarised by the model, then the call is retried', async (t) => {
  const s = await stub(t);
  const history: Message[] = [];
  for (let i = 0; i < 5; i++) {
    history.push({ role: 'user', content: `question ${i}` }, { role: 'assistant', content: [{ type: 'text', text: `answer ${i}` }] });
  }
  s.enqueue({ error: { status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum' } }, { text: 'Summary of q0-q2.' }, { text: 'Fresh answer.' });
  const { result, events } = await drive({ provider: createProvider(env('anthropic', s.url), 'planning'), history });
  assert.equal(result.text, 'Fresh answer.');
  assert.ok(events.some((e) => e.type === 'context_compacted'));
  assert.match(String(history[0].content), /^\[Context summary of earlier conversation\]\nSummary of q0-q2\./);
  assert.equal(s.requests[1].body.tools, undefined, 'the summary call is a plain transcript, no tools');
  assert.match(JSON.stringify(s.requests[2].body.messages), /Context summary/);
});
