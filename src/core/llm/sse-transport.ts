import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { createParser } from 'eventsource-parser';
import { LlmError } from './errors.js';
import { insecureHttpsAgent } from './tls.js';

/**
 * The streaming transport of both provider adapters: one POST over node:http(s) (keep-alive agents), the body's
 * SSE parsed with eventsource-parser, each event handed to the adapter synchronously. This replaces the SDKs'
 * fetch → web streams → SSE decoder → JSON stack, which cost about a fifth of a busy server's CPU per token.
 *
 * Retry policy (as the SDKs had it): connection errors, timeouts before the answer, 408/409/429/5xx (529
 * "overloaded" included) and `x-should-retry: true` are retried up to `maxRetries` times, waiting what
 * `retry-after-ms` / `retry-after` ask (up to 60 s), else 0.5 s, 1 s, 2 s … (at most 8 s) minus up to 25 % jitter.
 * Nothing is retried once the stream has started: its tokens are already out.
 */
export interface SseRequest {
  url: string;
  headers: Record<string, string>;
  /** Built for each attempt, so the request's text (tens of KB with a long history) is not held while the answer streams. */
  body: () => string;
  /** Skip TLS certificate verification (ANTON_MINDS_SSL_VERIFY=false). */
  insecure: boolean;
  maxRetries: number;
  /** Cap on one attempt, from sending the request to the stream's last byte. */
  requestTimeoutMs: number;
  /** Aborting it (cancel, idle timeout) destroys the connection, so the server sees the request end. */
  signal: AbortSignal;
  /** The error of a failed answer, with the SDKs' message shape (`<status> <message>`), from its body. */
  statusError: (status: number, body: string) => Error;
}

/** Receives each SSE event: its name (undefined when unnamed) and data. Returns nothing; may throw to fail. */
export type SseHandler = (event: string | undefined, data: string) => void;

const RETRY_AFTER_MAX_MS = 60_000;
const ERROR_BODY_MAX = 64 * 1024;

/** An HTTP failure the way the SDKs reported it: `status` and a `<status> <message>` text (see errors.ts). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** The SDKs' message for a failed answer: the error's message, else its JSON, else the raw body. */
export function statusMessage(status: number, error: unknown, raw: string): string {
  const e = error as { message?: unknown } | undefined;
  const msg = e?.message ? (typeof e.message === 'string' ? e.message : JSON.stringify(e.message)) : e ? JSON.stringify(e) : raw;
  return msg ? `${status} ${msg}` : `${status} status code (no body)`;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function shouldRetry(status: number, headers: IncomingHttpHeaders): boolean {
  const explicit = headers['x-should-retry'];
  if (explicit === 'true') return true;
  if (explicit === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** How long to wait before retry number `attempt` (0-based): what the server asked, else exponential backoff. */
export function retryDelayMs(attempt: number, headers: IncomingHttpHeaders | undefined): number {
  let ms: number | undefined;
  const afterMs = headers?.['retry-after-ms'];
  if (typeof afterMs === 'string' && !Number.isNaN(parseFloat(afterMs))) ms = parseFloat(afterMs);
  const after = headers?.['retry-after'];
  if (ms === undefined && typeof after === 'string') {
    const s = parseFloat(after);
    ms = Number.isNaN(s) ? Date.parse(after) - Date.now() : s * 1000;
  }
  if (ms !== undefined && ms > 0 && ms <= RETRY_AFTER_MAX_MS) return ms;
  return Math.min(0.5 * 2 ** attempt, 8) * (1 - Math.random() * 0.25) * 1000;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new LlmError('aborted', 'Request aborted'));
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (signal.aborted) reject(new LlmError('aborted', 'Request aborted'));
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const TIMED_OUT = 'The LLM request timed out.';

type Attempt =
  | { kind: 'stream'; res: IncomingMessage; finish: () => void; timedOut: () => boolean }
  | { kind: 'retry'; error: unknown; headers?: IncomingHttpHeaders }
  | { kind: 'redirect'; url: string }
  | { kind: 'fail'; error: unknown };

/** One request: resolves once the answer's headers are in (or it failed before that). */
function attempt(r: SseRequest, target: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const url = new URL(target);
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    let settled = false;
    let timedOut = false;
    const body = r.body();
    const req = send(url, {
      method: 'POST',
      headers: { ...r.headers, 'content-length': Buffer.byteLength(body) },
      ...(https && r.insecure ? { agent: insecureHttpsAgent() } : {}),
    });
    const onAbort = () => req.destroy(new LlmError('aborted', 'Request aborted'));
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new LlmError('timeout', TIMED_OUT));
    }, r.requestTimeoutMs);
    timer.unref();
    const finish = () => {
      clearTimeout(timer);
      r.signal.removeEventListener('abort', onAbort);
    };
    r.signal.addEventListener('abort', onAbort, { once: true });
    // Kept for the request's whole life: an error after the answer began surfaces through the response instead.
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      finish();
      if (r.signal.aborted) resolve({ kind: 'fail', error: new LlmError('aborted', 'Request aborted') });
      else resolve({ kind: 'retry', error: timedOut ? new LlmError('timeout', TIMED_OUT) : err });
    });
    req.on('response', (res) => {
      settled = true;
      const status = res.statusCode ?? 502;
      if (status >= 200 && status < 300) {
        resolve({ kind: 'stream', res, finish, timedOut: () => timedOut });
        return;
      }
      // fetch followed these for the SDKs; only the two that keep a POST a POST can lead anywhere useful.
      if ((status === 307 || status === 308) && res.headers.location) {
        res.resume();
        finish();
        resolve({ kind: 'redirect', url: new URL(res.headers.location, target).href });
        return;
      }
      // A failed answer: read its (small) body for the message, then retry or fail.
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (c: string) => {
        if (text.length < ERROR_BODY_MAX) text += c;
      });
      const done = () => {
        finish();
        const error = r.statusError(status, text);
        resolve(shouldRetry(status, res.headers) ? { kind: 'retry', error, headers: res.headers } : { kind: 'fail', error });
      };
      res.on('end', done);
      res.on('error', () => (r.signal.aborted ? (finish(), resolve({ kind: 'fail', error: new LlmError('aborted', 'Request aborted') })) : done()));
    });
    req.end(body);
  });
}

/**
 * Send the request (retrying as described above) and feed every SSE event of the answer to `onEvent`, synchronously
 * inside the socket's 'data' callback; `afterChunk` runs once each received chunk's events are handled, so the caller
 * passes on whatever the handler produced right there. Per token that is one chunk, one parsed event and one
 * JSON.parse: no promise, no generator step, no queue between the socket and the caller's sink.
 * Errors thrown by `onEvent` mean the answer was unreadable; errors thrown by `afterChunk` are the caller's own and
 * are passed through unchanged. Resolves when the answer ends.
 */
export async function streamSse(r: SseRequest, onEvent: SseHandler, afterChunk: () => void): Promise<void> {
  let opened: Extract<Attempt, { kind: 'stream' }> | undefined;
  let target = r.url;
  let redirects = 0;
  for (let n = 0; ; n++) {
    if (r.signal.aborted) throw new LlmError('aborted', 'Request aborted');
    const a = await attempt(r, target);
    if (a.kind === 'stream') {
      opened = a;
      break;
    }
    if (a.kind === 'redirect') {
      // The key travels in the headers: follow only within the same host (http → https included).
      if (new URL(a.url).hostname !== new URL(target).hostname) throw new LlmError('bad_request', `The LLM endpoint redirects to another host (${new URL(a.url).host}); set that URL as the base URL.`);
      if (++redirects > 5) throw new LlmError('bad_request', `The LLM endpoint redirected too often (last to ${a.url}).`);
      target = a.url;
      n--; // a redirect is not a retry
      continue;
    }
    if (a.kind === 'fail' || n >= r.maxRetries) throw a.error;
    await sleep(retryDelayMs(n, a.kind === 'retry' ? a.headers : undefined), r.signal);
  }
  const { res, finish, timedOut } = opened;
  const parser = createParser({
    onEvent: (e) => {
      try {
        onEvent(e.event, e.data);
      } catch (err) {
        throw err instanceof LlmError ? err : new LlmError('unavailable', `The LLM server sent an unreadable event (${(err as Error).message}).`);
      }
    },
  });
  /** Why a transport-level failure happened, in the words the user sees. */
  const explain = (err: unknown): unknown => {
    if (err instanceof LlmError) return err;
    if (timedOut()) return new LlmError('timeout', TIMED_OUT);
    if (r.signal.aborted) return new LlmError('aborted', 'Request aborted');
    return new LlmError('unavailable', `The LLM server closed the connection mid-reply (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        if (err === undefined) resolve();
        else reject(err);
      };
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (settled) return;
        try {
          parser.feed(c);
        } catch (err) {
          return settle(explain(err));
        }
        try {
          afterChunk();
        } catch (err) {
          settle(err); // the caller's failure, not the server's
        }
      });
      res.on('end', () => settle());
      res.on('error', (err) => settle(explain(err)));
      res.on('close', () => settle(explain(new Error('aborted'))));
    });
  } finally {
    finish();
    // Leaving early (an unreadable event, a failing caller) must not leave the socket streaming.
    if (!res.complete) res.destroy();
  }
}

/**
 * Idle-time warm-up: one short streamed answer from a throwaway loopback server through this transport (the HTTP
 * client, the connection, the SSE parser and this module's own code), so a turn's first request does not run it
 * cold. No request leaves the machine.
 */
export async function warmSseTransport(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: ping\ndata: {"n":1}\n\nevent: ping\ndata: {"n":2}\n\n');
    });
  });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  try {
    const signal = new AbortController().signal;
    const request: SseRequest = { url: `http://127.0.0.1:${port}/v1/warm-up`, headers: { 'content-type': 'application/json' }, body: () => '{}', insecure: false, maxRetries: 0, requestTimeoutMs: 5000, signal, statusError: (status) => new Error(String(status)) };
    await streamSse(request, (_event, data) => JSON.parse(data), () => {});
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
