import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { chmodSync, mkdirSync } from 'node:fs';
import { parseDotenv, updateDotenvText } from './dotenv.js';
import { writeFileAtomic } from '../fs/atomic.js';

export type EnvChanges = Record<string, string | null>;

/**
 * The one reader of configuration values. Precedence: values this server wrote (onboarding/settings) >
 * the process environment at boot > ~/.anton/.env (re-read when it changes on disk). Nothing here mutates
 * process.env, so values never leak between subsystems or into child processes by accident.
 */
export class EnvStore {
  private readonly overrides = new Map<string, string | null>();
  private cache: { mtimeMs: number; size: number; values: Record<string, string> } | null = null;

  constructor(
    private readonly bootEnv: Readonly<Record<string, string | undefined>>,
    readonly dotenvFile: string,
  ) {}

  /** Current key/values of ~/.anton/.env (empty when missing). Never writes. */
  fileValues(): Record<string, string> {
    let st;
    try {
      st = statSync(this.dotenvFile);
    } catch {
      this.cache = null;
      return {};
    }
    if (!this.cache || this.cache.mtimeMs !== st.mtimeMs || this.cache.size !== st.size) {
      this.cache = { mtimeMs: st.mtimeMs, size: st.size, values: parseDotenv(readFileSync(this.dotenvFile, 'utf8')) };
    }
    return this.cache.values;
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
    if (this.overrides.has(key)) return this.overrides.get(key) || undefined;
    const fromEnv = this.bootEnv[key];
    if (fromEnv) return fromEnv;
    return this.fileValues()[key] || undefined;
  }

  /** Canonical key with a legacy fallback (e.g. ANTON_ANTHROPIC_API_KEY, then ANTHROPIC_API_KEY). */
  getWithLegacy(key: string, legacy: string): string | undefined {
    return this.get(key) ?? this.get(legacy);
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
    if (Object.keys(changes).length === 0) return;
    this.persist(updateDotenvText(this.fileText(), changes));
    for (const [k, v] of Object.entries(changes)) this.overrides.set(k, v);
  }

  /** Replace the whole file (onboarding's raw write); keys dropped from the file are unset. */
  replaceFile(content: string): void {
    const before = Object.keys(this.fileValues());
    const text = content.endsWith('\n') || content === '' ? content : content + '\n';
    this.persist(text);
    const after = parseDotenv(text);
    for (const k of before) if (!(k in after)) this.overrides.set(k, null);
    for (const [k, v] of Object.entries(after)) this.overrides.set(k, v);
  }

  private persist(text: string): void {
    mkdirSync(dirname(this.dotenvFile), { recursive: true, mode: 0o700 });
    chmodSync(dirname(this.dotenvFile), 0o700);
    writeFileAtomic(this.dotenvFile, text, { mode: 0o600 });
    this.cache = null;
  }
}

/** The reference's boot load: ~/.anton/.env values fill in what the real environment lacks. */
export function mergeBootEnv(processEnv: Record<string, string | undefined>, dotenvText: string): Record<string, string | undefined> {
  return { ...parseDotenv(dotenvText), ...processEnv };
}
