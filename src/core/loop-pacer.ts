/**
 * Lets a burst of work through one piece per event-loop iteration. Work queued with setImmediate from I/O callbacks
 * all runs in the same iteration's check phase, so twenty turns that start together (or whose model calls end
 * together) would hold the loop for all of their set-up or saving at once, and a request arriving meanwhile (a
 * /health, a conversation list, another turn's tokens) would wait behind all of it. Each `slot()` resolves in its own
 * iteration, in arrival order; with nothing queued it costs one setImmediate.
 */
export class LoopPacer {
  private readonly waiting: (() => void)[] = [];
  private pumping = false;

  slot(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.pumping) {
        this.pumping = true;
        setImmediate(this.release);
      }
    });
  }

  /** One waiter per check phase: an immediate queued from the check phase runs in the next iteration. */
  private readonly release = () => {
    this.waiting.shift()?.();
    if (this.waiting.length) setImmediate(this.release);
    else this.pumping = false;
  };
}

/** One pacer per process: the event loop it shares out is one. */
export const loopPacer = new LoopPacer();
