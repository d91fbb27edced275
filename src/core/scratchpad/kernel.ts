import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { killTree } from './process-tree.js';

export const RUNNER_PATH = join(PACKAGE_ROOT, 'python', 'anton_scratchpad_runner.py');

export interface KernelOptions {
  python: string;
  cwd: string;
  env: Record<string, string>;
}

export interface RawResult {
  stdout: string;
  stderr: string;
  logs: string;
  error: string | null;
  images: { mime: string; data: string }[];
}

type Msg = { type: string; id?: number; [k: string]: unknown };

const STRAY_CAP = 200_000;

interface Stray {
  text: string;
  window: string;
  done: boolean;
}
const newStray = (): Stray => ({ text: '', window: '', done: false });

/**
 * One Python process running the scratchpad runner. Control messages travel as length-prefixed JSON on fd 3;
 * the process's own stdout/stderr (C extensions, subprocesses) are always drained so it can never block.
 */
export class Kernel {
  private child: ChildProcess | null = null;
  private ctrl: Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private handler: ((m: Msg) => void) | null = null;
  private stray = { stdout: newStray(), stderr: newStray() };
  private strayMarker = '';
  private strayWaiter: (() => void) | null = null;
  private nextId = 1;
  exitInfo: string | null = null;
  pid = 0;

  constructor(private readonly opts: KernelOptions) {}

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(timeoutMs = 20_000): Promise<void> {
    const child = spawn(this.opts.python, ['-u', RUNNER_PATH], {
      cwd: this.opts.cwd,
      env: { ...this.opts.env, ANTON_CTRL_FD: '3' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so a kill takes the cell's subprocesses too
    });
    this.child = child;
    this.exitInfo = null;
    this.ctrl = child.stdio[3] as Socket;
    this.ctrl.on('data', (d: Buffer) => this.onData(d));
    this.ctrl.on('error', () => {});
    child.on('exit', (code, sig) => {
      this.exitInfo = sig ? `signal ${sig}` : `exit code ${code}`;
      const h = this.handler;
      this.handler = null;
      h?.({ type: 'exit' });
    });
    for (const kind of ['stdout', 'stderr'] as const) {
      child[kind]!.setEncoding('utf8');
      child[kind]!.on('data', (d: string) => this.onStray(kind, d));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`Python did not start within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`Could not start Python (${this.opts.python}): ${err.message}`));
      });
      this.handler = (m) => {
        if (m.type === 'exit') {
          clearTimeout(timer);
          reject(new Error(`Python exited during start-up (${this.exitInfo})`));
        } else if (m.type === 'ready') {
          clearTimeout(timer);
          this.pid = Number(m.pid);
          this.handler = null;
          resolve();
        }
      };
    });
  }

  /** Raw fd 1/2 output: kept (capped) for the running cell until its end marker shows up. */
  private onStray(kind: 'stdout' | 'stderr', d: string): void {
    const st = this.stray[kind];
    if (st.done || !this.strayMarker) return;
    if (st.text.length < STRAY_CAP) st.text += d.slice(0, STRAY_CAP - st.text.length);
    st.window = (st.window + d).slice(-(this.strayMarker.length + d.length));
    if (st.window.includes(this.strayMarker)) {
      st.done = true;
      st.text = st.text.split(this.strayMarker)[0];
      if (this.stray.stdout.done && this.stray.stderr.done) this.strayWaiter?.();
    }
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (this.buf.length < 4 + len) break;
      const msg = JSON.parse(this.buf.subarray(4, 4 + len).toString('utf8')) as Msg;
      this.buf = this.buf.subarray(4 + len);
      this.handler?.(msg);
    }
  }

  private send(msg: Msg): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    this.ctrl!.write(Buffer.concat([head, body]));
  }

  /**
   * Run one cell. `onEvent` sees output and progress as they happen (each is activity for the caller's
   * inactivity timer). Resolves with the result, or null when the process died mid-cell.
   */
  run(code: string, onEvent: (kind: 'stdout' | 'stderr' | 'progress' | 'activity', text: string) => void): Promise<RawResult | null> {
    if (!this.alive) return Promise.resolve(null);
    const id = this.nextId++;
    const nonce = randomBytes(8).toString('hex');
    this.stray = { stdout: newStray(), stderr: newStray() };
    this.strayMarker = `\x1eANTON-END-${nonce}\x1e`;
    return new Promise((resolve) => {
      const finish = (r: RawResult | null) => {
        this.strayMarker = '';
        this.strayWaiter = null;
        resolve(r && { ...r, stdout: r.stdout + this.stray.stdout.text, stderr: r.stderr + this.stray.stderr.text });
      };
      this.handler = (m) => {
        if (m.type === 'exit') {
          finish(null);
          return;
        }
        if (m.id !== id) return;
        if (m.type === 'result') {
          this.handler = null;
          const r = m as unknown as RawResult;
          if (this.stray.stdout.done && this.stray.stderr.done) return finish(r);
          // The raw pipes may lag the control channel: wait (briefly) for both end markers.
          const timer = setTimeout(() => finish(r), 2000);
          this.strayWaiter = () => {
            clearTimeout(timer);
            finish(r);
          };
        } else if (m.type === 'stdout' || m.type === 'stderr' || m.type === 'progress') {
          onEvent(m.type, String(m.type === 'progress' ? m.message : m.data));
        } else if (m.type === 'activity') onEvent('activity', '');
      };
      this.send({ type: 'exec', id, code, nonce });
    });
  }

  addPath(path: string): void {
    if (this.alive) this.send({ type: 'add_path', path });
  }

  /** KeyboardInterrupt in the running cell; the namespace survives. */
  interrupt(): void {
    if (this.alive) this.child!.kill('SIGINT');
  }

  /** Kill the whole process tree: the kernel, its group, and every descendant (setsid'd ones too). */
  kill(): void {
    const child = this.child;
    if (!child || !this.alive) return;
    killTree(child.pid!);
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise((r) => child.once('exit', r));
    this.kill();
    await exited;
  }
}
