import { LlmError, classifyLlmError } from './errors.js';
import { streamSse, type SseHandler, type SseRequest } from './sse-transport.js';
import type { LlmEventSink, LlmStreamEvent } from './types.js';

/**
 * An AbortController linked to the caller's signal plus an inactivity timer: a provider stream that goes quiet
 * (keep-alives defeat byte-level timeouts) is aborted and reported as a timeout instead of hanging the turn.
 */
export class StreamGuard {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  timedOut = false;

  constructor(
    private readonly outer: AbortSignal,
    private readonly idleMs: number,
  ) {
    if (outer.aborted) this.controller.abort(outer.reason);
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.touch();
  }

  private readonly onOuterAbort = () => this.controller.abort(this.outer.reason);

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private lastActivity = 0;

  /** Call on every received event: per token this is one clock read; the one timer re-arms itself lazily. */
  touch(): void {
    this.lastActivity = performance.now();
    if (!this.timer) this.arm(this.idleMs);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const quiet = performance.now() - this.lastActivity;
      if (quiet < this.idleMs) return this.arm(this.idleMs - quiet);
      this.timedOut = true;
      this.controller.abort();
    }, ms);
    this.timer.unref();
  }

  /** Translate an error thrown while streaming into the reason it really happened. */
  explain(err: unknown): unknown {
    if (this.timedOut) return new LlmError('timeout', `The LLM stream was silent for ${Math.round(this.idleMs / 1000)} s and was stopped.`);
    if (this.outer.aborted) return new LlmError('aborted', 'Request aborted');
    return err;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}

export interface GuardedCall {
  /** The request, without its signal: the guard's signal (caller's cancel or idle timeout) is used. */
  request: Omit<SseRequest, 'signal'>;
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** Never to appear in an error message (the API key). */
  secrets: (string | undefined)[];
  /** Parses one vendor SSE event, pushing what it produced onto `out`. */
  onEvent: SseHandler;
  /** Events of the chunk being handled: handed to `sink` after each chunk, then cleared (one array per call). */
  out: LlmStreamEvent[];
  sink: LlmEventSink;
}

/**
 * One streaming model call as both adapters make it: the transport under an idle guard, each chunk's events handed to
 * the sink as soon as the chunk is parsed, and any failure reported as the LlmError it really is.
 */
export async function guardedStream(c: GuardedCall): Promise<void> {
  const guard = new StreamGuard(c.signal, c.idleTimeoutMs);
  try {
    await streamSse({ ...c.request, signal: guard.signal }, c.onEvent, () => {
      guard.touch();
      for (let i = 0; i < c.out.length; i++) c.sink(c.out[i]!);
      c.out.length = 0;
    });
    // A cancel or idle timeout that lands just as the stream ends still counts as one.
    if (guard.signal.aborted) throw new LlmError('aborted', 'Request aborted');
  } catch (err) {
    throw classifyLlmError(guard.explain(err), c.secrets);
  } finally {
    guard.dispose();
  }
}
