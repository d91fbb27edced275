// Builds and loads bench/lib/native/thread-clock.c: the calling thread's CPU clock and involuntary context switches,
// for the stall sampler (bench/lib/probe.mjs). Compiled once per Node version into bench/.build with the system's C
// compiler against Node's own headers; the bench runs without it (the stall figures are then not measured).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'native', 'thread-clock.c');
export const THREAD_CLOCK = join(HERE, '..', '.build', `thread-clock-${process.version}.node`);

/** Compile the addon if it is not there yet; returns null when ready, else why it could not be built. */
export function buildThreadClock() {
  if (existsSync(THREAD_CLOCK)) return null;
  if (process.platform !== 'linux') return `not on ${process.platform} (it reads Linux thread clocks)`;
  const headers = join(dirname(process.execPath), '..', 'include', 'node');
  if (!existsSync(join(headers, 'node_api.h'))) return `no Node headers at ${headers}`;
  mkdirSync(dirname(THREAD_CLOCK), { recursive: true });
  try {
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-shared', '-fPIC', `-I${headers}`, SOURCE, '-o', THREAD_CLOCK], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `could not compile ${SOURCE}: ${String(err.stderr || err.message).trim().split('\n')[0]}`;
  }
}

/** The addon's `sample()` → [thread CPU ms, involuntary switches], or null when it was not built. */
export function loadThreadClock() {
  return existsSync(THREAD_CLOCK) ? createRequire(import.meta.url)(THREAD_CLOCK) : null;
}
