import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kernel } from './kernel.js';
import { computeTimeouts, type Cell, type ExecOptions } from './types.js';
import { renderNotebook, renderView } from './format.js';

export interface PadOptions {
  name: string;
  python: string;
  cwd: string;
  /** The kernel's whole environment (nothing is inherited from the server). */
  env: Record<string, string>;
  venvDir: string;
  interruptGraceMs?: number;
  installTimeoutMs?: number;
  /** Seconds: default total, inactivity, and inactivity after progress (the reference's 120 / 30 / 60). */
  timeoutDefaults?: { total: number; inactivity: number; afterProgress: number };
  /** Told when a cell ends without its kernel: why (a stop reason, or how the process exited). For the server's log. */
  onKernelLost?: (why: string) => void;
}

const INTERRUPT_GRACE_MS = 3000;

/** A named, persistent Python namespace. Cells run one at a time; a dead or stuck kernel is replaced. */
export class Pad {
  readonly cells: Cell[] = [];
  private kernel: Kernel | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private running: { interrupt: (reason: string) => void } | null = null;
  lastUsed = Date.now();

  constructor(readonly opts: PadOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  get pid(): number {
    return this.kernel?.alive ? this.kernel.pid : 0;
  }

  private venvPython(): string | null {
    const p = join(this.opts.venvDir, 'bin', 'python');
    return existsSync(p) ? p : null;
  }

  private sitePackages(): string | null {
    const lib = join(this.opts.venvDir, 'lib');
    if (!existsSync(lib)) return null;
    const py = readdirSync(lib).find((d) => d.startsWith('python'));
    return py ? join(lib, py, 'site-packages') : null;
  }

  async start(): Promise<void> {
    if (this.kernel?.alive) return;
    this.kernel = new Kernel({ python: this.venvPython() ?? this.opts.python, cwd: this.opts.cwd, env: this.opts.env });
    await this.kernel.start();
  }

  /** Serialise work on this pad. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  execute(code: string, opts: ExecOptions = {}): Promise<Cell> {
    return this.exclusive(() => this.executeNow(code, opts));
  }

  private async executeNow(code: string, opts: ExecOptions): Promise<Cell> {
    this.lastUsed = Date.now();
    const cell: Cell = { code, stdout: '', stderr: '', error: null, description: opts.description ?? '', estimated_time: opts.estimatedTime ?? '', logs: '' };
    const died = this.kernel && !this.kernel.alive ? this.kernel.exitInfo : null;
    if (died) cell.stderr = `[scratchpad] The previous Python process had exited (${died}) and was restarted; variables from earlier cells are gone.\n`;
    try {
      await this.start();
    } catch (err) {
      cell.error = (err as Error).message;
      this.cells.push(cell);
      return cell;
    }
    const kernel = this.kernel!;
    const t = computeTimeouts(opts.estimatedSeconds ?? 0, this.opts.timeoutDefaults);
    const started = Date.now();
    let lastActivity = started;
    let inactivity = t.inactivityMs;
    let stopReason: string | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    const interrupt = (reason: string) => {
      if (stopReason) return;
      stopReason = reason;
      kernel.interrupt();
      killTimer = setTimeout(() => kernel.kill(), this.opts.interruptGraceMs ?? INTERRUPT_GRACE_MS);
    };
    this.running = { interrupt };
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (now - started > t.totalMs) interrupt(`Timed out after ${Math.round(t.totalMs / 1000)}s`);
      else if (now - lastActivity > inactivity) interrupt(`No output or progress for ${Math.round(inactivity / 1000)}s`);
    }, 250);
    const onAbort = () => interrupt('Cancelled by user');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const partial = { stdout: '', stderr: '' };
    const emitLines = (text: string) => {
      for (const line of text.split('\n')) if (line.trim()) opts.onProgress?.(line.slice(0, 500));
    };
    const result = await kernel.run(code, (kind, text) => {
      lastActivity = Date.now();
      if (kind === 'progress') {
        inactivity = Math.max(inactivity, t.afterProgressMs);
        opts.onProgress?.(text);
      } else if (kind === 'stdout' || kind === 'stderr') {
        // Output arrives in arbitrary pieces: report whole lines only.
        const buf = partial[kind] + text;
        const cut = buf.lastIndexOf('\n');
        if (cut >= 0) emitLines(buf.slice(0, cut));
        partial[kind] = (cut >= 0 ? buf.slice(cut + 1) : buf).slice(-2000);
      }
    });
    emitLines(partial.stdout + '\n' + partial.stderr);
    clearInterval(watchdog);
    if (killTimer) clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    this.running = null;
    if (result) {
      Object.assign(cell, { stdout: result.stdout, stderr: cell.stderr + result.stderr, logs: result.logs, error: result.error });
      if (result.images?.length) cell.images = result.images;
      if (stopReason) cell.error = `${stopReason}. ${cell.error ?? ''} The cell was interrupted; variables from earlier cells are kept.`.trim();
    } else {
      const why = stopReason ?? `The scratchpad process exited unexpectedly (${kernel.exitInfo ?? 'unknown'})`;
      this.opts.onKernelLost?.(why);
      cell.error = `${why}. The process was restarted — variables from earlier cells were lost.`;
      this.kernel = null;
      await this.start().catch(() => {});
    }
    this.cells.push(cell);
    this.lastUsed = Date.now();
    return cell;
  }

  /** Interrupt the running cell (KeyboardInterrupt, then kill + restart if it does not stop). */
  cancel(): boolean {
    if (!this.running) return false;
    this.running.interrupt('Cancelled by user');
    return true;
  }

  /** pip install into the pad's own virtualenv (created lazily, sharing the system site-packages). */
  install(packages: string[], signal?: AbortSignal): Promise<string> {
    return this.exclusive(async () => {
      this.lastUsed = Date.now();
      if (!this.venvPython()) {
        const made = await run(this.opts.python, ['-m', 'venv', '--without-pip', '--system-site-packages', this.opts.venvDir], this.opts.env, 60_000, signal);
        if (made.code !== 0) return `Install failed: could not create a virtualenv: ${made.output.trim()}`;
      }
      const pip = await run(
        this.venvPython()!,
        ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--retries', '0', '--timeout', '15', ...packages],
        this.opts.env,
        this.opts.installTimeoutMs ?? 300_000,
        signal,
      );
      const site = this.sitePackages();
      if (site) this.kernel?.addPath(site); // the running namespace sees new packages without a restart
      return pip.code === 0 ? pip.output.trim() || 'Installed.' : `Install failed (exit ${pip.code}):\n${pip.output.trim().slice(-4000)}`;
    });
  }

  /** Fresh process and no cells; installed packages stay. */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      await this.kernel?.close();
      this.kernel = null;
      this.cells.length = 0;
      await this.start();
    });
  }

  view(): string {
    return renderView(this.name, this.cells);
  }

  notebook(): string {
    return renderNotebook(this.name, this.cells);
  }

  async close(): Promise<void> {
    this.running?.interrupt('Closed');
    await this.kernel?.close();
    this.kernel = null;
  }

  /** Close and delete the virtualenv. */
  async cleanup(): Promise<void> {
    await this.close();
    rmSync(this.opts.venvDir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: timeoutMs, killSignal: 'SIGKILL' });
    let output = '';
    child.stdout.on('data', (d) => (output = (output + d).slice(-100_000)));
    child.stderr.on('data', (d) => (output = (output + d).slice(-100_000)));
    child.on('error', (err) => (output += `\n${err.message}`));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
