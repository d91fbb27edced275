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
  {
    version: 2,
    name: 'conversations: meta, messages (Anthropic blocks), turns and their SSE frames',
    sql: `
      CREATE TABLE conversations (
        id                   TEXT PRIMARY KEY,
        project              TEXT NOT NULL,
        title                TEXT NOT NULL DEFAULT '',
        preview              TEXT NOT NULL DEFAULT '',
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL,
        turns                INTEGER NOT NULL DEFAULT 0,
        scheduled_id         TEXT,
        disabled_connections TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX conversations_by_project ON conversations (project, updated_at DESC);
      CREATE INDEX conversations_by_updated ON conversations (updated_at DESC);
      CREATE TABLE turns (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        started_at_ms   INTEGER NOT NULL,
        finished_at_ms  INTEGER,
        status          TEXT NOT NULL,     -- running | completed | cancelled | failed | interrupted
        error           TEXT
      );
      CREATE INDEX turns_by_conversation ON turns (conversation_id, id);
      CREATE TABLE messages (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        idx             INTEGER NOT NULL,
        role            TEXT NOT NULL,
        content         TEXT NOT NULL,     -- JSON: string or content blocks
        turn_id         INTEGER,
        PRIMARY KEY (conversation_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE turn_events (
        turn_id INTEGER NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        payload TEXT NOT NULL,             -- the SSE frame's JSON, exactly as streamed
        PRIMARY KEY (turn_id, seq)
      ) WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
