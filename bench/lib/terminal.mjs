// "Start to prompt" of the `anton` terminal: spawn `node bin/anton.js` (no arguments) in a fresh HOME and time
// the first prompt it prints. Skipped — not failed — while the bin has no interactive mode (it prints usage and
// exits) or is absent. ANTON_BENCH_PROMPT (a regular expression) overrides what counts as a prompt.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempHome } from './procs.mjs';

const PROMPT = new RegExp(process.env.ANTON_BENCH_PROMPT ?? '(^|\\n)\\s*(anton\\s*)?[>›❯]\\s*$');

export async function measureTerminal(timeoutMs = 10_000) {
  const bin = join(ROOT, 'bin', 'anton.js');
  if (!existsSync(bin)) return { skipped: 'bin/anton.js is absent' };
  const { home, cleanup } = tempHome();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: home, TERM: 'dumb', ANTON_DISABLE_AUTOUPDATES: 'true', ANTON_ANTHROPIC_API_KEY: 'sk-bench' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    return await new Promise((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve({ skipped: `no prompt within ${timeoutMs} ms` }), timeoutMs);
      child.stdout.on('data', (d) => {
        out += d;
        if (PROMPT.test(out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
          clearTimeout(timer);
          resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve({ skipped: 'bin/anton.js has no interactive prompt yet (it exited)' });
      });
    });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
}
