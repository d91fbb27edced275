import type { Db } from '../db/database.js';

/** Small JSON documents (preferences, active project, provider status) in the `kv` table. */
export class KvStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.delStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  }

  get<T>(key: string, dflt: T): T {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value) as T) : dflt;
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value));
  }

  delete(key: string): void {
    this.delStmt.run(key);
  }

  /** Read-modify-write in one transaction, so concurrent updates are never lost. */
  update<T>(key: string, dflt: T, fn: (current: T) => T): T {
    return this.db.transaction(() => {
      const next = fn(this.get(key, dflt));
      this.set(key, next);
      return next;
    }).immediate();
  }
}
