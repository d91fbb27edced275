import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../core/net/free-port.js';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export { freePort };

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Run the real bin (compiled dist) as a child process, like the desktop app does. */
export async function spawnServer(args: string[], env: Record<string, string>, bin = 'bin/anton-cowork-server.js'): Promise<SpawnedServer> {
  const port = await freePort();
  // A bin given as a path outside the repo may be a symlink or shim: run it with node all the same.
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: REPO_ROOT,
    env: { ...env, ANTON_SERVER_PORT: String(port), ANTON_SERVER_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Poll until the URL answers 200 (or give up after `timeoutMs`). */
export async function waitForHealth(url: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return res;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`no /health from ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
