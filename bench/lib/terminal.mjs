// "Start to prompt" of the `anton` terminal: the real bin in a pseudo-terminal (as a person runs it), in a fresh HOME
// with a key configured, timed from spawn until the chat prompt is drawn; then Ctrl-D closes it.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pty from '@lydell/node-pty';
import { ROOT, tempHome } from './procs.mjs';

const PROMPT = '› ';

export async function measureTerminal(timeoutMs = 10_000) {
  const bin = join(ROOT, 'bin', 'anton.js');
  if (!existsSync(bin)) return { skipped: 'bin/anton.js is absent' };
  const { home, cleanup } = tempHome();
  const folder = join(home, 'data');
  mkdirSync(folder);
  const t0 = process.hrtime.bigint();
  const term = pty.spawn(process.execPath, [bin], {
    cols: 80,
    rows: 24,
    cwd: folder,
    env: { PATH: process.env.PATH, HOME: home, TERM: 'xterm-256color', NO_COLOR: '1', ANTON_DISABLE_AUTOUPDATES: 'true', ANTON_ANTHROPIC_API_KEY: 'sk-ant-bench' },
  });
  try {
    return await new Promise((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve({ skipped: `no prompt within ${timeoutMs} ms` }), timeoutMs);
      term.onData((d) => {
        out += d;
        if (out.includes(PROMPT)) {
          clearTimeout(timer);
          resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        }
      });
      term.onExit(() => {
        clearTimeout(timer);
        resolve({ skipped: 'bin/anton.js exited before showing a prompt' });
      });
    });
  } finally {
    term.write('\x04');
    setTimeout(() => term.kill('SIGKILL'), 2000).unref();
    cleanup();
  }
}
