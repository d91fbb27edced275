// Spawning and reading the measured processes. Every server (ours and the baselines) runs with the probe
// preloaded and an IPC channel, so memory, CPU and event-loop delay are read inside that process.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = join(ROOT, 'bench', 'lib', 'probe.mjs');
const live = new Set();

process.on('exit', () => {
  for (const c of live) if (c.exitCode === null) c.kill('SIGKILL');
});

export function tempHome() {
  const home = mkdtempSync(join(tmpdir(), 'anton-bench-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Start `node [--expose-gc --import probe] script args…`. Resolves once spawned; `announced()` waits for the
 * {"port":…} line a baseline prints.
 */
export function startProcess(script, args = [], { env = {}, probe = true, nodeArgs = [], stdin = 'ignore' } = {}) {
  const flags = [...(probe ? ['--expose-gc', '--import', PROBE] : []), ...nodeArgs];
  const startedAt = process.hrtime.bigint();
  const child = spawn(process.execPath, [...flags, script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: [stdin, 'pipe', 'pipe', ...(probe ? ['ipc'] : [])],
  });
  live.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', (code) => (live.delete(child), r(code))));
  const pending = [];
  child.on('message', (m) => pending.shift()?.(m));
  return {
    child,
    startedAt,
    output: () => out,
    async announced(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = /\{"port":(\d+)\}/.exec(out);
        if (m) return Number(m[1]);
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${script} did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    /** Ask the probe: 'reset' (CPU and loop-delay counters) or 'read' ({ gc: true } collects garbage first). */
    probe(what, extra = {}) {
      return new Promise((resolve) => {
        pending.push(resolve);
        child.send({ probe: what, ...extra });
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** GET until it answers 200; the time is process.hrtime (ns) at the answer. */
export async function pollUntilOk(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await new Promise((resolve) => {
      const req = request(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    if (status === 200) return process.hrtime.bigint();
    if (Date.now() > deadline) throw new Error(`no 200 from ${url}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Run the load generator in its own process with one command; resolves with its JSON result. A stream command with
 * `warmupMs` says when it is warm: `onWarm` runs then (a probe reset), and the window starts once it is done.
 */
export async function loadgen(command, onWarm = async () => {}) {
  const p = startProcess(join(ROOT, 'bench', 'lib', 'loadgen.mjs'), [JSON.stringify(command)], { probe: false, stdin: 'pipe' });
  let told = false;
  p.child.stdout.on('data', () => {
    if (told || !p.output().includes('{"warm":true}')) return;
    told = true;
    onWarm().then(
      () => p.child.stdin.write('go\n'),
      () => p.child.kill(), // fails the run below, with the load generator's output
    );
  });
  const code = await new Promise((r) => p.child.once('exit', r));
  const line = p.output().trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`loadgen ${command.kind} failed (${code}):\n${p.output()}`);
  return JSON.parse(line);
}

export async function getJson(url) {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve(JSON.parse(t)));
    })
      .on('error', reject)
      .end();
  });
}
