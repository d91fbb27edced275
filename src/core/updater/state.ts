import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.js';

/**
 * What the updater knows, in `<cowork state>/versions/state.json`. Written by the serving process (checks, staging)
 * and by the supervisor (switches, probation, crashes, quarantine), so every change is a read-modify-write under a
 * lock file. A version is named by its entry script; `null` means the version the desktop app installed (our bin).
 */
const VersionRef = z.object({ version: z.string(), entry: z.string() });
export type VersionRef = z.infer<typeof VersionRef>;

export const UpdateState = z.object({
  /** The version to run; null: the installed one. */
  current: VersionRef.nullable().default(null),
  /** The last version that passed probation (rollback target); null: the installed one. */
  knownGood: VersionRef.nullable().default(null),
  /** Verified, waiting for an idle moment or the next start. */
  staged: VersionRef.extend({ protocol: z.number() }).nullable().default(null),
  /** `current` switched at this time and is on probation until it has run long enough without failing. */
  probation: z.object({ version: z.string(), since: z.string() }).nullable().default(null),
  /** Never installed again automatically. */
  quarantined: z.array(z.object({ version: z.string(), reason: z.string(), at: z.string() })).default([]),
  /** Recent unexpected exits of a child, for crash-loop detection. */
  crashes: z.array(z.object({ version: z.string(), at: z.string() })).default([]),
  lastCheck: z.object({ at: z.string(), result: z.string() }).nullable().default(null),
  /** The channel answered 404 once already (logged at info once, not at every check). */
  channelMissingLogged: z.boolean().default(false),
});
export type UpdateState = z.infer<typeof UpdateState>;

export const stateFile = (versionsDir: string) => join(versionsDir, 'state.json');

export function readState(versionsDir: string): UpdateState {
  try {
    return UpdateState.parse(JSON.parse(readFileSync(stateFile(versionsDir), 'utf8')));
  } catch {
    return UpdateState.parse({});
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
