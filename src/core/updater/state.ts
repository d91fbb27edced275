import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';

/**
 * What the updater knows, in `<cowork state>/versions/state.json`. Written by the serving process (checks, staging)
 * and by the supervisor (switches, probation, crashes, quarantine), so every change is a read-modify-write under a
 * lock file. A version is named by its entry script; `null` means the version the desktop app installed (our bin).
 * Read on the path that opens the port and by the small supervisor, so it is checked by hand rather than with zod
 * (which would add ~10 ms and ~4 MB to both); a malformed field reads as its default.
 */
export interface VersionRef {
  version: string;
  entry: string;
}

export interface UpdateState {
  /** The version to run; null: the installed one. */
  current: VersionRef | null;
  /** The last version that passed probation (rollback target); null: the installed one. */
  knownGood: VersionRef | null;
  /** Verified, waiting for an idle moment or the next start. */
  staged: (VersionRef & { protocol: number }) | null;
  /** `current` switched at this time and is on probation until it has run long enough without failing. */
  probation: { version: string; since: string } | null;
  /** Never installed again automatically. */
  quarantined: { version: string; reason: string; at: string }[];
  /** Recent unexpected exits of a child, for crash-loop detection. */
  crashes: { version: string; at: string }[];
  lastCheck: { at: string; result: string } | null;
  /** The channel answered 404 once already (logged at info once, not at every check). */
  channelMissingLogged: boolean;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown, keys: string[]): v is Raw => isObj(v) && keys.every((k) => typeof v[k] === 'string');
const ref = (v: unknown): VersionRef | null => (strings(v, ['version', 'entry']) ? { version: v.version as string, entry: v.entry as string } : null);
const list = <T>(v: unknown, keys: string[]): T[] => (Array.isArray(v) ? (v.filter((x) => strings(x, keys)) as T[]) : []);

export function normaliseState(raw: unknown): UpdateState {
  const r = isObj(raw) ? raw : {};
  const staged = ref(r.staged);
  return {
    current: ref(r.current),
    knownGood: ref(r.knownGood),
    staged: staged && isObj(r.staged) && typeof r.staged.protocol === 'number' ? { ...staged, protocol: r.staged.protocol } : null,
    probation: strings(r.probation, ['version', 'since']) ? { version: r.probation.version as string, since: r.probation.since as string } : null,
    quarantined: list(r.quarantined, ['version', 'reason', 'at']),
    crashes: list(r.crashes, ['version', 'at']),
    lastCheck: strings(r.lastCheck, ['at', 'result']) ? { at: r.lastCheck.at as string, result: r.lastCheck.result as string } : null,
    channelMissingLogged: r.channelMissingLogged === true,
  };
}

export const stateFile = (versionsDir: string) => join(versionsDir, 'state.json');

export function readState(versionsDir: string): UpdateState {
  try {
    return normaliseState(JSON.parse(readFileSync(stateFile(versionsDir), 'utf8')));
  } catch {
    return normaliseState({});
  }
}

const LOCK_STALE_MS = 10_000;

/** Run `fn` holding `<versionsDir>/state.lock` (a lock left by a dead process is taken over after 10 s). */
function withLock<T>(versionsDir: string, fn: () => T): T {
  mkdirSync(versionsDir, { recursive: true });
  const lock = join(versionsDir, 'state.lock');
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) rmSync(lock, { force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // the critical section is a few ms of sync I/O
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Read, change and write the state atomically; returns the new state. */
export function updateState(versionsDir: string, change: (s: UpdateState) => void): UpdateState {
  return withLock(versionsDir, () => {
    const s = readState(versionsDir);
    change(s);
    writeFileAtomic(stateFile(versionsDir), JSON.stringify(s, null, 2));
    return s;
  });
}

export const isQuarantined = (s: UpdateState, version: string) => s.quarantined.some((q) => q.version === version);

/** Add to the quarantine (once per version). */
export function quarantine(s: UpdateState, version: string, reason: string): void {
  if (!isQuarantined(s, version)) s.quarantined.push({ version, reason, at: new Date().toISOString() });
  if (s.staged?.version === version) s.staged = null;
}

/** Delete installed versions other than those named (current and last known-good). */
export function removeOtherVersions(versionsDir: string, keep: (string | undefined)[]): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(versionsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (keep.includes(name)) continue;
    rmSync(join(versionsDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
