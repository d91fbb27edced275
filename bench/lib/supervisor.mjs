// After an update: the bin starts as the small supervisor and runs the current version as its child. Measures the
// first /health from spawn (the cost of the extra process) and the supervisor's own memory, read from
// /proc/<pid>/smaps_rollup: RSS, and its private pages (USS: what it adds beyond the pages shared with the child,
// the same node executable).
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, pollUntilOk, startProcess, tempHome } from './procs.mjs';

function memory(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('Rss') / 1024, uss: (kb('Private_Clean') + kb('Private_Dirty')) / 1024 };
}

export async function measureSupervised() {
  const { home, cleanup } = tempHome();
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const next = pkg.version.replace(/(\d+)$/, (n) => String(Number(n) + 1));
    const versions = join(home, '.anton', 'cowork', 'versions');
    const dir = join(versions, next, 'package');
    mkdirSync(dir, { recursive: true });
    for (const d of ['dist', 'bin', 'python', 'connectors']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: next }));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(versions, 'state.json'), JSON.stringify({ current: { version: next, entry: join(dir, 'bin', 'anton-cowork-server.js') } }));
    const port = await freePort();
    const p = startProcess(join(ROOT, 'bin', 'anton-cowork-server.js'), [], {
      probe: false,
      env: { HOME: home, ANTON_SERVER_PORT: String(port), ANTON_DISABLE_AUTOUPDATES: 'false', ANTON_LOG_LEVEL: 'warn' },
    });
    try {
      await pollUntilOk(`http://127.0.0.1:${port}/health`);
      const startHealthMs = Number(process.hrtime.bigint() - p.startedAt) / 1e6;
      const h = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      if (h.cowork_server_version !== next) throw new Error(`the supervised child reports ${h.cowork_server_version}`);
      await pollUntilOk(`http://127.0.0.1:${port}/v1/settings`);
      await new Promise((r) => setTimeout(r, 1000)); // settle after ready (the child warms its LLM client)
      return { startHealthMs, ...memory(p.child.pid) };
    } finally {
      p.child.kill('SIGTERM');
      await new Promise((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', r)));
    }
  } finally {
    cleanup();
  }
}
