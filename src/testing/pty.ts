import pty from '@lydell/node-pty';
import { join } from 'node:path';
import { REPO_ROOT } from './spawn-server.js';
import { waitFor } from './wait.js';

/** Escape sequences out, carriage returns out: what a person reads on the screen, as plain text. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '').replace(/\r/g, '');
}

export interface PtySession {
  /** Everything printed so far, ANSI stripped. */
  text(): string;
  /** Everything printed so far, escape sequences included. */
  raw(): string;
  write(s: string): void;
  /** Wait until the screen text (after `from` characters) matches. */
  waitForText(pattern: string | RegExp, ms?: number, from?: number): Promise<void>;
  exited: Promise<number>;
  /** The exit code, or a failure showing the screen when the process is still running after `ms`. */
  exitCode(ms?: number): Promise<number>;
  kill(): void;
}

/** Run the real `anton` bin in an 80×30 pseudo-terminal. */
export function spawnAnton(args: string[], opts: { cwd: string; env: Record<string, string> }): PtySession {
  const p = pty.spawn(process.execPath, [join(REPO_ROOT, 'bin', 'anton.js'), ...args], {
    name: 'xterm-256color',
    cols: 80,
    rows: 30,
    cwd: opts.cwd,
    env: { TERM: 'xterm-256color', ...opts.env },
  });
  let raw = '';
  p.onData((d) => (raw += d));
  const exited = new Promise<number>((resolve) => p.onExit((e) => resolve(e.exitCode)));
  const text = () => stripAnsi(raw);
  return {
    text,
    raw: () => raw,
    write: (s) => p.write(s),
    async waitForText(pattern, ms = 20_000, from = 0) {
      const test = (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
      try {
        await waitFor(() => test(text().slice(from)), ms);
      } catch {
        throw new Error(`screen never showed ${String(pattern)}; it shows:\n${text().slice(-3000)}`);
      }
    },
    exited,
    async exitCode(ms = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`anton did not exit within ${ms} ms; the screen shows:\n${text().slice(-3000)}`)), ms);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill: () => {
      try {
        p.kill();
      } catch {
        /* gone */
      }
    },
  };
}
