import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {}

export interface MigrationReport {
  from: number;
  to: number;
  backup: string | null;
}

/**
 * Open (or create) the app database and bring it to the latest schema before anything reads it.
 * An unreadable file is an error, never silently replaced by a fresh database.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): { db: Db; migration: MigrationReport } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existed = file !== ':memory:' && existsSync(file);
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000'); // first: another process (server, terminal) may hold a lock right now
    walMode(db);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const migration = migrate(db, file, existed, migrations);
    return { db, migration };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock. */
export const isBusy = (err: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test((err as { code?: string } | null)?.code ?? '');

/**
 * Run `work` without waiting on another connection's lock: it fails at once with SQLITE_BUSY instead of blocking the
 * event loop for up to the busy timeout. For writes that can wait (a periodic flush, background indexing).
 */
export function withoutWaiting<T>(db: Db, work: () => T): T {
  const timeout = busyTimeout(db, null).pluck().get() as number;
  busyTimeout(db, 0).run();
  try {
    return work();
  } finally {
    busyTimeout(db, timeout).run();
  }
}

/** `PRAGMA busy_timeout [= ms]`, prepared once per connection and value (it runs at every periodic flush). */
function busyTimeout(db: Db, ms: number | null): Database.Statement {
  let byValue = busyTimeoutStatements.get(db);
  if (!byValue) busyTimeoutStatements.set(db, (byValue = new Map()));
  let st = byValue.get(ms);
  if (!st) byValue.set(ms, (st = db.prepare(ms === null ? 'PRAGMA busy_timeout' : `PRAGMA busy_timeout = ${Math.floor(ms)}`)));
  return st;
}
const busyTimeoutStatements = new WeakMap<Db, Map<number | null, Database.Statement>>();

/**
 * Switch to WAL. On a brand-new file another process may be switching it at the same moment, and SQLite answers
 * SQLITE_BUSY here without waiting on the busy timeout: retry for up to ~2 s.
 */
function walMode(db: Db): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (attempt >= 100 || !/locked|busy/i.test((err as Error).message)) throw err;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/**
 * The schema: `user_version` is the last migration that older code cannot work with (what every server checks
 * before it touches the file), and `schema_additions` lists the additive migrations applied past it, so a database
 * an update only added to still opens in the version before (a rollback). A newer release's additive migrations are
 * unknown here and harmless; its other migrations make the database "too new".
 */
export function migrate(db: Db, file: string, existed: boolean, migrations: readonly Migration[]): MigrationReport {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new DatabaseTooNewError(
      `Database ${file} is at schema ${current}, newer than this server supports (${latest}). Upgrade the server.`,
    );
  }
  db.exec('CREATE TABLE IF NOT EXISTS schema_additions (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  const added = db.prepare('SELECT 1 FROM schema_additions WHERE version = ?');
  const applied = (m: Migration) => m.version <= (db.pragma('user_version', { simple: true }) as number) || added.get(m.version) !== undefined;
  const from = schemaVersion(db);
  let backup: string | null = null;
  const pending = migrations.filter((m) => !applied(m));
  if (pending.length && existed && from > 0) {
    backup = `${file}.v${from}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    db.prepare('VACUUM INTO ?').run(backup);
  }
  for (const m of pending) {
    // Under the write lock, re-check: a server and a terminal opening a new state dir together migrate it once.
    db.transaction(() => {
      if (applied(m)) return;
      db.exec(m.sql);
      if (m.additive) db.prepare('INSERT INTO schema_additions (version, name) VALUES (?, ?)').run(m.version, m.name);
      else db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, latest), backup };
}

/** The last migration applied, additive ones included (also on a read-only database from before additions). */
export function schemaVersion(db: Db): number {
  const listed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_additions'").get() !== undefined;
  const additions = listed ? (db.prepare('SELECT MAX(version) AS v FROM schema_additions').get() as { v: number | null }).v : null;
  return Math.max(db.pragma('user_version', { simple: true }) as number, additions ?? 0);
}
