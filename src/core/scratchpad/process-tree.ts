import { readdirSync, readFileSync } from 'node:fs';

/** Parent of each live process, from /proc (Linux); empty elsewhere. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces or parentheses): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(e), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Every descendant of `root` (children, grandchildren…), whatever session or process group they moved to. */
export function descendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of byParent.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

/**
 * SIGKILL `root`, its process group and every descendant. Descendants are frozen (SIGSTOP) first, until no new
 * one appears, so none can fork away while we look; the kernel being a child subreaper keeps double-forked
 * daemons among its descendants. Off Linux only the process group is reachable.
 */
export function killTree(root: number): void {
  signal(root, 'SIGSTOP'); // the kernel itself forks no more while we look
  const seen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = descendants(root).filter((p) => !seen.has(p));
    if (!fresh.length) break;
    for (const p of fresh) {
      seen.add(p);
      signal(p, 'SIGSTOP');
    }
  }
  try {
    process.kill(-root, 'SIGKILL');
  } catch {
    /* no such group */
  }
  signal(root, 'SIGKILL');
  for (const p of seen) signal(p, 'SIGKILL');
}
