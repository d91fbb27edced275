import { LlmError } from './errors.js';

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
