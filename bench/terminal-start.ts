/**
 * Start-to-prompt of the `anton` terminal: the real bin in a pseudo-terminal, timed from spawn until the prompt is
 * drawn (`node --import tsx bench/terminal-start.ts`; `npm run build` first). Exported for bench/run.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnAnton } from '../src/testing/pty.js';
import { cleanEnv, makeTempHome } from '../src/testing/temp-home.js';

export async function terminalStartToPrompt(runs = 10): Promise<{ median: number; p90: number; first: number }> {
  const { home, cleanup } = makeTempHome('anton-bench-cli-');
  const folder = join(home, 'data');
  mkdirSync(folder);
  const env = cleanEnv(home, { ANTON_ANTHROPIC_API_KEY: 'sk-ant-bench' });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const s = spawnAnton([], { cwd: folder, env });
      await s.waitForText('› ');
      times.push(performance.now() - t0);
      s.write('\x04');
      await s.exitCode();
    }
  } finally {
    cleanup();
  }
  const [first, ...warm] = times; // the first run also creates the state dir and database
  const sorted = [...warm].sort((a, b) => a - b);
  return { first, median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await terminalStartToPrompt();
  console.log(`anton start to prompt: first ${r.first.toFixed(0)} ms, median ${r.median.toFixed(0)} ms, p90 ${r.p90.toFixed(0)} ms`);
}
