import { chmodSync, mkdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { dirname } from 'node:path';
import { parseDotenv, updateDotenvText } from './dotenv.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { parseSetting, toMs, type DurationSettingName, type SettingName, type SettingValue } from './settings-registry.js';

export type EnvChanges = Record<string, string | null>;

export interface EnvStoreOptions {
  /** How long a read of ~/.anton/.env is trusted before one `stat` checks for hand edits. */
  recheckMs?: number;
  /** Clock (tests drive it). */
  now?: () => number;
}

/** What identifies one version of the file: an atomic rewrite changes the inode, an edit in place the mtime/size. */
type Stamp = string;
const MISSING: Stamp = 'missing';

function stampOf(st: BigIntStats | undefined): Stamp {
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : MISSING;
}

/**
 * The one reader of configuration values. Precedence: for a key this server has written (onboarding/settings),
 * the file — what it wrote, or a later hand edit of it; otherwise the process environment at boot, then
 * ~/.anton/.env. Lookups are served from memory: the file is `stat`ed at most once per `recheckMs` (a missing
 * file costs the same and never throws) and re-read only when it changed. Nothing here mutates process.env, so
 * values never leak between subsystems or into child processes by accident.
 */
export class EnvStore {
  /** Keys the server wrote: the file governs them from then on, even over the boot environment. */
  private readonly fileGoverned = new Set<string>();
  private values: Record<string, string> = {};
  private stamp: Stamp | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly recheckMs: number;
  private readonly now: () => number;
  private readonly changeListeners = new Set<() => void>();
  private changes = 0;

  constructor(
    private readonly bootEnv: Readonly<Record<string, string | undefined>>,
    readonly dotenvFile: string,
    opts: EnvStoreOptions = {},
  ) {
    this.recheckMs = opts.recheckMs ?? 250;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Current key/values of ~/.anton/.env (empty when missing). Never writes. */
  fileValues(): Record<string, string> {
    if (this.now() - this.checkedAt >= this.recheckMs) this.refresh();
    return this.values;
  }

  /** Bumped whenever any value may have changed (the file seen changed, or written): lets callers memoise derived values. */
  get version(): number {
    this.fileValues();
    return this.changes;
  }

  /** Called after the file's values changed (a hand edit seen, or a write by this server). Returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Check the file now (one stat; a read only if it changed). */
  refresh(): void {
    this.checkedAt = this.now();
    const stamp = stampOf(statSync(this.dotenvFile, { bigint: true, throwIfNoEntry: false }));
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.values = stamp === MISSING ? {} : parseDotenv(this.fileText());
    this.changes++;
    for (const l of this.changeListeners) l();
  }

  fileText(): string {
    try {
      return readFileSync(this.dotenvFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Effective value; empty strings count as unset. */
  get(key: string): string | undefined {
    const file = this.fileValues();
    if (!this.fileGoverned.has(key)) {
      const fromEnv = this.bootEnv[key];
      if (fromEnv) return fromEnv;
    }
    return file[key] || undefined;
  }

  /** Canonical key with a legacy fallback (e.g. ANTON_ANTHROPIC_API_KEY, then ANTHROPIC_API_KEY). */
  getWithLegacy(key: string, legacy: string): string | undefined {
    return this.get(key) ?? this.get(legacy);
  }

  /** A declared setting, parsed and defaulted as `settings-registry.ts` declares it. */
  setting<K extends SettingName>(name: K): SettingValue<K> {
    return parseSetting(name, this.get(name));
  }

  /** A declared duration setting in milliseconds. */
  settingMs(name: DurationSettingName): number {
    return toMs(name, this.setting(name));
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.get(key);
    return v === undefined ? dflt : ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
  }

  int(key: string, dflt: number): number {
    const n = Number.parseInt(this.get(key) ?? '', 10);
    return Number.isFinite(n) ? n : dflt;
  }

  /** Persist changes to ~/.anton/.env (atomic, 0600, comments kept) and make them effective now. */
  write(changes: EnvChanges): void {
    const keys = Object.keys(changes);
    if (keys.length === 0) return;
    this.persist(updateDotenvText(this.fileText(), changes));
    for (const k of keys) this.fileGoverned.add(k);
    this.changes++;
  }

  /** Replace the whole file (onboarding's raw write); keys dropped from the file are unset. */
  replaceFile(content: string): void {
    const before = Object.keys(parseDotenv(this.fileText()));
    const text = content.endsWith('\n') || content === '' ? content : content + '\n';
    this.persist(text);
    for (const k of [...before, ...Object.keys(parseDotenv(text))]) this.fileGoverned.add(k);
    this.changes++;
  }

  private persist(text: string): void {
    mkdirSync(dirname(this.dotenvFile), { recursive: true, mode: 0o700 });
    chmodSync(dirname(this.dotenvFile), 0o700);
    writeFileAtomic(this.dotenvFile, text, { mode: 0o600 });
    this.refresh(); // effective at once, and the new file's stamp is what later hand edits are compared with
  }
}

/**
 * `fn(env)` recomputed only when the settings may have changed (`env.version`), one cached value per store: for values
 * derived from the configuration that hot paths (/health, every turn) ask for.
 */
export function memoBySettings<T>(fn: (env: EnvStore) => T): (env: EnvStore) => T {
  const memo = new WeakMap<EnvStore, { version: number; value: T }>();
  return (env) => {
    const version = env.version;
    const hit = memo.get(env);
    if (hit && hit.version === version) return hit.value;
    const value = fn(env);
    memo.set(env, { version, value });
    return value;
  };
}

/** The reference's boot load: ~/.anton/.env values fill in what the real environment lacks. */
export function mergeBootEnv(processEnv: Record<string, string | undefined>, dotenvText: string): Record<string, string | undefined> {
  return { ...parseDotenv(dotenvText), ...processEnv };
}
