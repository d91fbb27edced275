import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which Anton processes (Cowork servers, `anton` terminals) have the state dir's database open. Each one leaves a
 * file named after its PID in `<state>/live/` while it runs; a file whose process is gone is stale and removed.
 * Crash recovery of turns left `running` must only happen when no other live process could own them.
 */
function liveDir(stateDir: string): string {
  return join(stateDir, 'live');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Register this process; returns the function that unregisters it. */
export function registerLiveProcess(stateDir: string, role: string): () => void {
  const dir = liveDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, String(process.pid));
  writeFileSync(file, JSON.stringify({ pid: process.pid, role, started_at: new Date().toISOString() }));
  return () => rmSync(file, { force: true });
}

/** Other live Anton processes on this state dir (stale entries are cleaned up on the way). */
export function otherLiveProcesses(stateDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(liveDir(stateDir));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (alive(pid)) out.push(pid);
    else rmSync(join(liveDir(stateDir), name), { force: true });
  }
  return out;
}
