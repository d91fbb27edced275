import { LlmError, classifyLlmError } from './errors.js';
import { streamSse, type SseHandler, type SseRequest } from './sse-transport.js';
import type { LlmEventSink, LlmStreamEvent, ProviderOptions } from './types.js';

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

/** What one model call sends (the retry and timeout policy comes from the provider's options). */
export type CallRequest = Omit<SseRequest, 'signal' | 'maxRetries' | 'requestTimeoutMs'>;

/** Where a call's events go: the vendor event parser fills `out`; after each chunk they are handed to `sink`. */
export interface CallEvents {
  onEvent: SseHandler;
  out: LlmStreamEvent[];
  sink: LlmEventSink;
}

/**
 * One streaming model call as both adapters make it: the transport under an idle guard with the provider's retry and
 * timeout policy, each chunk's events handed to the sink as soon as the chunk is parsed, and any failure reported as
 * the LlmError it really is (the API key never in its message).
 */
export async function guardedStream(request: CallRequest, call: { signal: AbortSignal; opts: ProviderOptions; apiKey: string | undefined }, events: CallEvents): Promise<void> {
  const guard = new StreamGuard(call.signal, call.opts.idleTimeoutMs);
  const { onEvent, out, sink } = events;
  try {
    const r = { ...request, maxRetries: call.opts.maxRetries, requestTimeoutMs: call.opts.requestTimeoutMs, signal: guard.signal };
    await streamSse(r, onEvent, () => {
      guard.touch();
      for (let i = 0; i < out.length; i++) sink(out[i]!);
      out.length = 0;
    });
    // A cancel or idle timeout that lands just as the stream ends still counts as one.
    if (guard.signal.aborted) throw new LlmError('aborted', 'Request aborted');
  } catch (err) {
    throw classifyLlmError(guard.explain(err), [call.apiKey]);
  } finally {
    guard.dispose();
  }
}
