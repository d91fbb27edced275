/**
 * Numbered, append-only schema migrations. Never edit a shipped entry: add a new one.
 * PRAGMA user_version records the last applied number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'app state: key/value preferences, pins, visit counts',
    sql: `
      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL            -- JSON
      );
      CREATE TABLE pins (
        key        TEXT PRIMARY KEY,   -- "<type>:<id>"
        type       TEXT NOT NULL,
        id         TEXT NOT NULL,
        title      TEXT NOT NULL,
        position   REAL NOT NULL,      -- ascending = shown first
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE visit_counts (
        id    TEXT PRIMARY KEY,
        count INTEGER NOT NULL DEFAULT 0
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
