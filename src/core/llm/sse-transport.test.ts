import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StubLlm } from '../../testing/stub-llm.js';
import { waitFor } from '../../testing/wait.js';
import type { RoleConfig } from '../settings/providers.js';
import { AnthropicProvider } from './anthropic.js';
import { OpenAIProvider } from './openai.js';
import { LlmError } from './errors.js';
import type { LlmProvider, LlmResponse, LlmStreamEvent, ProviderOptions } from './types.js';

// The behaviours the SDKs gave us for free and the lean transport (sse-transport.ts) reimplements, each proven
// against a real HTTP server on loopback.

type T = { after: (fn: () => unknown) => void };
const OPTS: ProviderOptions = { maxRetries: 2, requestTimeoutMs: 60_000, idleTimeoutMs: 60_000 };
const REQ = { system: 'sys', messages: [{ role: 'user' as const, content: 'hi' }], tools: [], maxTokens: 100 };

function provider(kind: 'anthropic' | 'openai', baseUrl: string, opts: Partial<ProviderOptions> = {}): LlmProvider {
  const o = { ...OPTS, ...opts };
  if (kind === 'anthropic') {
    return new AnthropicProvider({ role: 'planning', provider: 'anthropic', adapter: 'anthropic', model: 'm', apiKey: 'sk-ant-secret-key', baseUrl, sslVerify: true } as RoleConfig, o);
  }
  return new OpenAIProvider({ role: 'planning', provider: 'openai-compatible', adapter: 'openai', model: 'm', apiKey: 'sk-oai-secret-key', baseUrl: `${baseUrl}/v1`, sslVerify: true } as RoleConfig, o);
}

async function run(p: LlmProvider, signal = new AbortController().signal): Promise<{ events: LlmStreamEvent[]; response?: LlmResponse; error?: LlmError }> {
  const events: LlmStreamEvent[] = [];
  try {
    const response = await p.stream(REQ, signal, (ev) => events.push(ev));
    return { events, response };
  } catch (err) {
    assert.ok(err instanceof LlmError, `an LlmError, not ${String(err)}`);
    return { events, error: err };
  }
}

const textOf = (events: LlmStreamEvent[]) => events.map((e) => (e.type === 'text_delta' ? e.text : '')).join('');

async function stub(t: T): Promise<StubLlm> {
  const s = await new StubLlm().start();
  t.after(() => s.stop());
  return s;
}

/** A raw server for what the stub cannot script: each request is handed to the next handler. */
async function rawServer(t: T, ...handlers: ((req: IncomingMessage, res: ServerResponse) => void)[]): Promise<{ url: string; hits: number[] }> {
  const hits: number[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(performance.now());
    req.resume();
    (handlers.shift() ?? ((_q, r) => r.writeHead(500).end()))(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits };
}

const openaiSse = (res: ServerResponse, text: string) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
  res.end('data: [DONE]\n\n');
};

for (const kind of ['anthropic', 'openai'] as const) {
  test(`${kind}: retry-after-ms is honoured: the retry waits what the server asked, not the 0.5 s backoff`, async (t) => {
    const s = await stub(t);
    s.enqueue({ error: { status: 429, retryAfterMs: 1200 } }, { text: 'after the wait' });
    const { events, error } = await run(provider(kind, s.url));
    assert.equal(error, undefined);
    assert.equal(textOf(events), 'after the wait');
    const gap = s.requests[1]!.at - s.requests[0]!.at;
    assert.ok(gap >= 1150, `waited ${Math.round(gap)} ms`);
  });

  test(`${kind}: the idle timeout stops a silent stream as a timeout and closes the connection at the server`, async (t) => {
    const s = await stub(t);
    s.enqueue({ text: 'then silence', hang: true });
    const { events, error } = await run(provider(kind, s.url, { idleTimeoutMs: 300 }));
    assert.equal(textOf(events), 'then silence');
    assert.equal(error?.kind, 'timeout');
    assert.match(error!.message, /silent for 0 s and was stopped/);
    await waitFor(() => s.aborted === 1);
  });

  test(`${kind}: a provider error event mid-stream fails the call (never a silent finish), without retrying`, async (t) => {
    const { url, hits } = await rawServer(t, (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        kind === 'anthropic'
          ? 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
          : 'data: {"error":{"message":"model crashed","type":"server_error"}}\n\n',
      );
    });
    const { events, error } = await run(provider(kind, url));
    assert.equal(events.length, 0);
    assert.equal(error?.kind, 'unavailable');
    assert.equal(error!.message, `The LLM provider reported an error mid-reply: ${kind === 'anthropic' ? 'Overloaded' : 'model crashed'}`);
    assert.equal(hits.length, 1);
  });
}

test('retry-after in seconds (the standard header) is honoured too', async (t) => {
  const { url, hits } = await rawServer(
    t,
    (_q, res) => res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":{"message":"busy"}}'),
    (_q, res) => openaiSse(res, 'ok'),
  );
  const { events, error } = await run(provider('openai', url));
  assert.equal(error, undefined);
  assert.equal(textOf(events), 'ok');
  assert.ok(hits[1]! - hits[0]! >= 950, `waited ${Math.round(hits[1]! - hits[0]!)} ms`);
});

test('x-should-retry: false on a 5xx is obeyed: one request, the error reported with its status', async (t) => {
  const { url, hits } = await rawServer(t, (_q, res) => res.writeHead(500, { 'x-should-retry': 'false' }).end('{"error":{"message":"do not retry"}}'));
  const { error } = await run(provider('openai', url));
  assert.equal(hits.length, 1);
  assert.equal(error?.kind, 'unavailable');
  assert.equal(error?.status, 500);
});

test('cancelling during a retry wait stops at once: no further request is sent', async (t) => {
  const s = await stub(t);
  s.enqueue({ error: { status: 429, retryAfterMs: 30_000 } }, { text: 'never' });
  const ac = new AbortController();
  const started = performance.now();
  const done = run(provider('anthropic', s.url), ac.signal);
  await s.waitForRequests(1);
  ac.abort();
  const { error } = await done;
  assert.equal(error?.kind, 'aborted');
  assert.ok(performance.now() - started < 10_000, 'did not sit out the 30 s wait');
  assert.equal(s.requests.length, 1);
});

test('the request timeout caps an attempt that gets no answer; it is retried, then reported as a timeout', async (t) => {
  const held: ServerResponse[] = [];
  const { url, hits } = await rawServer(
    t,
    (_q, res) => void held.push(res),
    (_q, res) => void held.push(res),
  );
  const { error } = await run(provider('anthropic', url, { requestTimeoutMs: 300, maxRetries: 1 }));
  assert.equal(error?.kind, 'timeout');
  assert.equal(error?.message, 'The LLM request timed out.');
  assert.equal(hits.length, 2);
});

test('an unreachable server is retried, then reported with the cause (no key in the message)', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const started = performance.now();
  const { error } = await run(provider('openai', `http://127.0.0.1:${port}`, { maxRetries: 1 }));
  assert.equal(error?.kind, 'unavailable');
  assert.match(error!.message, /^Could not reach the LLM server: .*ECONNREFUSED/);
  assert.ok(!error!.message.includes('secret'));
  assert.ok(performance.now() - started >= 350, 'one retry, after a backoff wait');
});

test('SSE split at any byte (mid-event, mid-UTF-8 character) streams the same text and tool call', async (t) => {
  const frames =
    'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}\n\n' +
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Grüße 🎉 "}}\n\n' +
    'event: content_block_delta\r\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"done"}}\r\n\r\n' +
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
    'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"echo","input":{}}}\n\n' +
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"text\\":"}}\n\n' +
    ': a comment line\n\n' +
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"ü\\"}"}}\n\n' +
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n' +
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}\n\n' +
    'event: message_stop\ndata: {"type":"message_stop"}\n\n';
  const bytes = Buffer.from(frames, 'utf8');
  const { url } = await rawServer(t, (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // Cut inside each multi-byte character and mid-event, with pauses so each piece arrives as its own read.
    const cuts = [bytes.indexOf(Buffer.from('ü')) + 1, bytes.indexOf(Buffer.from('🎉')) + 2, bytes.indexOf(Buffer.from('"ü')) + 2, bytes.length];
    let from = 0;
    const step = () => {
      const to = cuts.shift();
      if (to === undefined) return res.end();
      res.write(bytes.subarray(from, to));
      from = to;
      setTimeout(step, 20);
    };
    step();
  });
  const { events, response, error } = await run(provider('anthropic', url));
  assert.equal(error, undefined);
  assert.equal(textOf(events), 'Grüße 🎉 done');
  assert.ok(response);
  assert.deepEqual(response.toolCalls, [{ id: 'toolu_1', name: 'echo', input: { text: 'ü' } }]);
  assert.equal(response.stopReason, 'tool_use');
  assert.deepEqual(response.usage, { input_tokens: 5, output_tokens: 9, cache_read_tokens: 0, cache_creation_tokens: 0 });
});

test('each vendor gets its headers: Anthropic x-api-key and anthropic-version, OpenAI a bearer token', async (t) => {
  const s = await stub(t);
  s.enqueue({ text: 'a' }, { text: 'b' });
  await run(provider('anthropic', s.url));
  await run(provider('openai', s.url));
  const [a, o] = s.requests;
  assert.equal(a!.path, '/v1/messages');
  assert.equal(a!.headers['x-api-key'], 'sk-ant-secret-key');
  assert.ok(a!.headers['anthropic-version']);
  assert.equal(a!.body.stream, true);
  assert.equal(o!.path, '/v1/chat/completions');
  assert.equal(o!.headers.authorization, 'Bearer sk-oai-secret-key');
  assert.deepEqual(o!.body.stream_options, { include_usage: true });
});

test('a 308 to the same host is followed with the same POST; one to another host is refused (the key stays home)', async (t) => {
  const { url, hits } = await rawServer(
    t,
    (_q, res) => res.writeHead(308, { location: '/moved/v1/chat/completions' }).end(),
    (q, res) => (q.url === '/moved/v1/chat/completions' && q.method === 'POST' ? openaiSse(res, 'moved') : res.writeHead(404).end()),
    (_q, res) => res.writeHead(307, { location: 'http://elsewhere.invalid/v1/chat/completions' }).end(),
  );
  const followed = await run(provider('openai', url));
  assert.equal(followed.error, undefined);
  assert.equal(textOf(followed.events), 'moved');
  const refused = await run(provider('openai', url));
  assert.equal(refused.error?.kind, 'bad_request');
  assert.match(refused.error!.message, /redirects to another host \(elsewhere\.invalid\)/);
  assert.equal(hits.length, 3);
});

test('an event that is not JSON fails the call as unavailable, saying so (not as a lost connection)', async (t) => {
  const { url } = await rawServer(t, (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\ndata: {not json\n\n');
  });
  const { error } = await run(provider('openai', url));
  assert.equal(error?.kind, 'unavailable');
  assert.match(error!.message, /^The LLM server sent an unreadable event \(/);
});
