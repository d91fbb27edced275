import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

const HEARTBEAT_MS = 15_000;
/** A client that stops reading is dropped before its unsent frames pile up in memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * A frame that follows the stream's previous write within this window waits (its socket corked) and goes out with the
 * others at the window's end: one write syscall for several tokens when a model streams fast, at most this much later.
 * A frame after a quiet spell (the first token, a tool step, the end) is written at once.
 */
export const SSE_COALESCE_MS = 8;
/** Streams holding frames, flushed together by one shared timer. */
const corked = new Set<ServerResponse>();
let flushTimer: NodeJS.Timeout | null = null;
const flushCorked = () => {
  flushTimer = null;
  for (const raw of corked) raw.uncork();
  corked.clear();
};

let open = 0;
/** SSE streams open right now (an update never switches versions under a reader). */
export const openSseStreams = () => open;

export interface SseStream {
  send(frame: { type: string }): void;
  /** A data-only frame (the scratchpad stream's format). */
  sendData(payload: object): void;
  end(): void;
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

/**
 * `event: T\ndata: <one-line JSON>\n\n` with LF only (the client splits on "\n\n"). Headers are flushed at once,
 * proxies are told not to buffer, and a comment heartbeat lets dead peers be noticed. CORS headers are the
 * allow-listed ones computed for this request, never `*`.
 */
export function openSse(reply: FastifyReply): SseStream {
  const raw = reply.raw;
  const headers: Record<string, string | number | string[]> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string;
  reply.hijack();
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  let closed = false;
  open++;
  const closers: (() => void)[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    open--;
    clearInterval(beat);
    corked.delete(raw);
    for (const fn of closers) fn();
  };
  const beat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
  beat.unref();
  raw.on('close', close);
  raw.on('error', close);
  let lastWrite = -Infinity;
  const write = (chunk: string) => {
    if (closed) return;
    if (raw.writableLength > MAX_BUFFERED_BYTES) {
      raw.destroy();
      close();
      return;
    }
    const now = Date.now();
    if (now - lastWrite < SSE_COALESCE_MS && !corked.has(raw)) {
      raw.cork();
      corked.add(raw);
      flushTimer ??= setTimeout(flushCorked, SSE_COALESCE_MS);
    }
    lastWrite = now;
    raw.write(chunk);
  };
  return {
    send(frame) {
      write(`event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`);
    },
    sendData(payload) {
      write(`data: ${JSON.stringify(payload)}\n\n`);
    },
    end() {
      if (!closed) raw.end(); // end() writes what a cork still holds; close() then drops it from the flush set
      close();
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
  };
}
