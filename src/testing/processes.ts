import { readFileSync } from 'node:fs';

/** A process's start time (from /proc), so a recycled PID is never mistaken for the original process. */
export function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : fields[19]; // state, …, starttime (field 22 overall)
  } catch {
    return null;
  }
}

/** Is this exact process (pid + start time) still running? Zombies count as gone. */
export function stillRunning(proc: { pid: number; start: string | null }): boolean {
  return proc.start !== null && startTime(proc.pid) === proc.start;
}

export function fingerprint(pid: number): { pid: number; start: string | null } {
  return { pid, start: startTime(pid) };
}
