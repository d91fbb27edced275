import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * A scripted LLM on loopback speaking the real streaming wire formats of Anthropic Messages
 * (`POST …/messages`) and OpenAI Chat Completions (`POST …/chat/completions`, which Gemini at
 * `/v1beta/openai/`, Minds at `/api/v1/` and compatible servers also speak). Each request takes the next scripted
 * reply; every request body is recorded with its path for assertions. GETs (model lists, Minds' `/api/v1/minds/`)
 * answer a model list and are recorded in `gets`. With `acceptKeys` set, a request whose `x-api-key` or bearer
 * token is not in the list gets 401, as a real provider would.
 */
export interface ScriptedReply {
  text?: string;
  toolCalls?: { name: string; input: Record<string, unknown>; id?: string; rawArguments?: string }[];
  /** Answer with this HTTP error instead (e.g. 429, 529, 500). */
  error?: { status: number; message?: string; retryAfterMs?: number };
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
  /** Stream the text, then keep the connection open until the client aborts (for cancel tests). */
  hang?: boolean;
  /** Stream the text, then drop the connection mid-response (a provider failing mid-turn). */
  dropAfterText?: boolean;
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  /** Stream this many tokens of the form "@<epoch ms> ", stamped as they are sent (latency benchmarks). */
  timestampedTokens?: number;
  usage?: { input: number; output: number };
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** When the request arrived (performance.now()): lets tests compare the gaps between retries. */
  at: number;
}

export class StubLlm {
  readonly requests: RecordedRequest[] = [];
  /** GET requests (model-list probes), kept apart so request counts of chat calls stay as they were. */
  readonly gets: RecordedRequest[] = [];
  /** When set, only these API keys are accepted (others get 401). */
  acceptKeys: string[] | null = null;
  private readonly queue: ScriptedReply[] = [];
  private server: Server | null = null;
  url = '';
  /** Resolves when a hanging reply's connection is closed by the client. */
  aborted = 0;
  private waiters: (() => void)[] = [];

  enqueue(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Listen on loopback; with `tls` (a PEM key and certificate) it speaks HTTPS. */
  async start(opts: { tls?: { key: string; cert: string } } = {}): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createServer(handler);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  private keyOf(req: IncomingMessage): string {
    const x = req.headers['x-api-key'];
    if (typeof x === 'string') return x;
    return /^Bearer (.*)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Wait until `n` requests have arrived. */
  async waitForRequests(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > deadline) throw new Error(`stub LLM saw ${this.requests.length} requests, wanted ${n}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '').split('?')[0];
    if (this.acceptKeys && !this.acceptKeys.includes(this.keyOf(req))) {
      if (req.method === 'GET') this.gets.push({ path, headers: req.headers, body: {}, at });
      else this.requests.push({ path, headers: req.headers, body: chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {}, at });
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'invalid api key', type: 'authentication_error' } }));
      return;
    }
    if (req.method === 'GET') {
      this.gets.push({ path, headers: req.headers, body: {}, at });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'stub-model' }] }));
      return;
    }
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    this.requests.push({ path, headers: req.headers, body, at });
    for (const w of this.waiters.splice(0)) w();
    const reply = this.queue.shift() ?? { text: '[stub: no reply queued]' };
    const anthropic = path.endsWith('/messages');
    if (reply.error) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (reply.error.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.error.retryAfterMs);
      const msg = reply.error.message ?? `stub error ${reply.error.status}`;
      const payload = anthropic
        ? { type: 'error', error: { type: reply.error.status === 429 ? 'rate_limit_error' : 'api_error', message: msg } }
        : { error: { message: msg, type: 'server_error', code: null } };
      res.writeHead(reply.error.status, headers).end(JSON.stringify(payload));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        closed = true;
        this.aborted++;
      }
    });
    const send = async (frame: string) => {
      if (closed) return;
      res.write(frame);
      if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
    };
    if (anthropic) await this.streamAnthropic(reply, send);
    else await this.streamOpenAI(reply, send);
    if (reply.hang) {
      await new Promise<void>((r) => res.on('close', () => r()));
      return;
    }
    if (reply.dropAfterText) {
      await new Promise<void>((r) => res.write(': flushed\n\n', () => r())); // what was sent reaches the client first
      res.destroy();
      return;
    }
    res.end();
  }

  private words(text: string): string[] {
    return text.match(/\S+\s*|\s+/g) ?? [];
  }

  /** The reply's text pieces; timestamped ones are produced lazily, at send time. */
  private *pieces(r: ScriptedReply): Generator<string> {
    if (r.timestampedTokens) for (let i = 0; i < r.timestampedTokens; i++) yield `@${Date.now()} `;
    else yield* this.words(r.text ?? '');
  }

  private async streamAnthropic(r: ScriptedReply, send: (f: string) => Promise<void>): Promise<void> {
    const ev = (type: string, data: Record<string, unknown>) => send(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    const usage = r.usage ?? { input: 12, output: 7 };
    await ev('message_start', {
      message: { id: 'msg_stub', type: 'message', role: 'assistant', content: [], model: 'stub', stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } },
    });
    await ev('ping', {});
    let index = 0;
    if (r.text || r.timestampedTokens) {
      await ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const w of this.pieces(r)) await ev('content_block_delta', { index, delta: { type: 'text_delta', text: w } });
      if (r.hang || r.dropAfterText) return;
      await ev('content_block_stop', { index });
      index++;
    }
    for (const [i, tc] of (r.toolCalls ?? []).entries()) {
      const id = tc.id ?? `toolu_stub_${i}_${Math.random().toString(36).slice(2, 8)}`;
      await ev('content_block_start', { index, content_block: { type: 'tool_use', id, name: tc.name, input: {} } });
      const json = tc.rawArguments ?? JSON.stringify(tc.input);
      const mid = Math.floor(json.length / 2);
      for (const part of [json.slice(0, mid), json.slice(mid)]) await ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
      await ev('content_block_stop', { index });
      index++;
    }
    const stop = r.stopReason ?? (r.toolCalls?.length ? 'tool_use' : 'end_turn');
    await ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output } });
    await ev('message_stop', {});
  }

  private async streamOpenAI(r: ScriptedReply, send: (f: string) => Promise<void>): Promise<void> {
    const base = { id: 'chatcmpl-stub', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'stub' };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      send(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    await chunk({ role: 'assistant', content: '' });
    for (const w of this.pieces(r)) await chunk({ content: w });
    if (r.hang || r.dropAfterText) return;
    for (const [i, tc] of (r.toolCalls ?? []).entries()) {
      const id = tc.id ?? `call_stub_${i}_${Math.random().toString(36).slice(2, 8)}`;
      const json = tc.rawArguments ?? JSON.stringify(tc.input);
      await chunk({ tool_calls: [{ index: i, id, type: 'function', function: { name: tc.name, arguments: '' } }] });
      await chunk({ tool_calls: [{ index: i, function: { arguments: json } }] });
    }
    const stop = r.stopReason === 'max_tokens' ? 'length' : r.toolCalls?.length ? 'tool_calls' : 'stop';
    await chunk({}, stop);
    const usage = r.usage ?? { input: 12, output: 7 };
    await send(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })}\n\n`);
    await send('data: [DONE]\n\n');
  }
}
