import { Pad, type PadOptions } from './pad.js';

export class PadLimitError extends Error {}

export interface PadManagerOptions {
  python: string;
  /** Close pads unused for this long. */
  idleMs: number;
  /** At most this many kernels over all scopes but `separateScopes` (agent conversations); unlimited when absent. */
  maxKernels?: number;
  /** Scopes with their own cap, outside maxKernels (the /v1/scratchpad pads). */
  separateScopes?: string[];
  /** A pad's kernel was lost mid-cell (crash, kill, timeout): for the server's log, with the pad's scope and name. */
  onKernelLost?: (scope: string, name: string, why: string) => void;
}

/**
 * All live pads, keyed by scope (a conversation id, or "api" for /v1/scratchpad) and name.
 * Idle pads are reaped; closeAll() leaves no Python process behind.
 */
export class PadManager {
  private readonly pads = new Map<string, Pad>();
  private readonly reaper: NodeJS.Timeout;

  constructor(readonly opts: PadManagerOptions) {
    this.reaper = setInterval(() => void this.reapIdle(), Math.min(60_000, Math.max(1000, opts.idleMs / 4)));
    this.reaper.unref();
  }

  private key(scope: string, name: string): string {
    return `${scope}\u0000${name}`;
  }

  get(scope: string, name: string): Pad | undefined {
    return this.pads.get(this.key(scope, name));
  }

  /** Existing pad, or a new one; `max` caps the pads of that scope. */
  getOrCreate(scope: string, name: string, opts: Omit<PadOptions, 'name' | 'python'>, max = Infinity): Pad {
    const existing = this.get(scope, name);
    if (existing) return existing;
    if (this.list(scope).length >= max) throw new PadLimitError(`Too many scratchpads (limit ${max}). Close one first.`);
    const separate = this.opts.separateScopes ?? [];
    const cap = this.opts.maxKernels;
    if (cap !== undefined && !separate.includes(scope)) {
      const open = [...this.pads.keys()].filter((k) => !separate.some((s) => k.startsWith(`${s}\u0000`))).length;
      if (open >= cap) {
        throw new PadLimitError(
          `Too many Python scratchpads are open across all conversations (limit ${cap}, set by ANTON_MAX_KERNELS). ` +
            `Reuse a scratchpad this conversation already has, remove one you no longer need (action "remove"), or try again after other conversations finish.`,
        );
      }
    }
    const pad = new Pad({ ...opts, name, python: this.opts.python, onKernelLost: (why) => this.opts.onKernelLost?.(scope, name, why) });
    this.pads.set(this.key(scope, name), pad);
    return pad;
  }

  list(scope?: string): Pad[] {
    return [...this.pads.entries()].filter(([k]) => scope === undefined || k.startsWith(`${scope}\u0000`)).map(([, p]) => p);
  }

  async remove(scope: string, name: string, cleanup = false): Promise<boolean> {
    const pad = this.get(scope, name);
    if (!pad) return false;
    this.pads.delete(this.key(scope, name));
    await (cleanup ? pad.cleanup() : pad.close());
    return true;
  }

  /** Close every pad of a scope (a conversation deleted or evicted). */
  async closeScope(scope: string): Promise<void> {
    await Promise.all(this.list(scope).map((p) => this.remove(scope, p.name)));
  }

  /** The UI's Stop button names a pad, not a scope: interrupt every running pad with that name. */
  cancelByName(name: string): boolean {
    let any = false;
    for (const p of this.pads.values()) if (p.name === name && p.cancel()) any = true;
    return any;
  }

  async reapIdle(now = Date.now()): Promise<void> {
    for (const [k, p] of this.pads) {
      if (!p.busy && now - p.lastUsed > this.opts.idleMs) {
        this.pads.delete(k);
        await p.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.reaper);
    const all = [...this.pads.values()];
    this.pads.clear();
    await Promise.all(all.map((p) => p.close()));
  }
}
