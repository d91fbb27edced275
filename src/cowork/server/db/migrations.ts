/**
 * Numbered, append-only schema migrations. Never edit a shipped entry: add a new one.
 * PRAGMA user_version records the last applied number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Code from before this migration can keep using the database after it: it only adds what keeps itself consistent
   * (tables, indexes, triggers). It is recorded in `schema_additions` and leaves `user_version`, which older servers
   * check, where it was, so rolling an update back past it still starts (database.ts).
   */
  additive?: true;
}

/**
 * Migration 7, for the full-text index `<name>_fts` over `<name>_text`: a new row is listed in fts_pending instead of
 * indexed; a deleted row is removed from the index only if it was indexed, and unlisted. (Part of a shipped
 * migration: never change what it returns.)
 */
function listedForIndexing(name: 'message' | 'conversation'): string {
  return `
      DROP TRIGGER ${name}_text_ai;
      DROP TRIGGER ${name}_text_ad;
      CREATE TRIGGER ${name}_text_ai AFTER INSERT ON ${name}_text BEGIN
        INSERT OR IGNORE INTO fts_pending (index_name, id) VALUES ('${name}', new.rowid);
      END;
      CREATE TRIGGER ${name}_text_ad AFTER DELETE ON ${name}_text BEGIN
        INSERT INTO ${name}_fts (${name}_fts, rowid, text) SELECT 'delete', old.rowid, old.text
          WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE index_name = '${name}' AND id = old.rowid);
        DELETE FROM fts_pending WHERE index_name = '${name}' AND id = old.rowid;
      END;`;
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
  {
    version: 3,
    name: 'schedules and runs, legacy attachments, full-text search over titles and message text',
    sql: `
      CREATE TABLE schedules (
        id          TEXT PRIMARY KEY,
        data        TEXT NOT NULL,        -- JSON ScheduleObject (§7)
        created_at  TEXT NOT NULL
      );
      CREATE TABLE schedule_runs (
        id          TEXT PRIMARY KEY,
        schedule_id TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        session_id  TEXT,
        data        TEXT NOT NULL         -- JSON RunRecord (§7)
      );
      CREATE INDEX schedule_runs_by_schedule ON schedule_runs (schedule_id, started_at);
      CREATE INDEX schedule_runs_by_session ON schedule_runs (session_id);
      CREATE TABLE attachments (
        id          TEXT PRIMARY KEY,
        session_id  TEXT,
        created_at  TEXT NOT NULL,
        data        TEXT NOT NULL         -- JSON attachment metadata (A's legacy API)
      );
      CREATE TABLE message_text (
        rowid           INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        idx             INTEGER NOT NULL,
        text            TEXT NOT NULL,
        UNIQUE (conversation_id, idx)
      );
      CREATE VIRTUAL TABLE message_fts USING fts5 (text, content = 'message_text', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2');
      CREATE TRIGGER message_text_ai AFTER INSERT ON message_text BEGIN
        INSERT INTO message_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER message_text_ad AFTER DELETE ON message_text BEGIN
        INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
    `,
  },
  {
    version: 4,
    name: 'adoption of an existing install: import ledger and tombstones',
    sql: `
      CREATE TABLE import_ledger (
        kind        TEXT NOT NULL,        -- conversation | pin | schedule | run | attachment | connection | instructions | …
        source_key  TEXT NOT NULL,        -- the item's identity in the source (conversation id, pin key, vault file…)
        source_path TEXT NOT NULL,        -- the file it was read from
        source_sig  TEXT NOT NULL DEFAULT '', -- size:mtime of the source file(s): unchanged means no need to hash
        source_hash TEXT NOT NULL,        -- sha256 of the item as last imported
        local_id    TEXT NOT NULL,        -- what it became here
        local_hash  TEXT NOT NULL DEFAULT '', -- fingerprint of the local copy right after the import (local edits)
        imported_at TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (kind, source_key)
      );
      CREATE INDEX import_ledger_by_local ON import_ledger (kind, local_id);
      CREATE TABLE import_tombstones (
        kind       TEXT NOT NULL,
        local_id   TEXT NOT NULL,         -- deleted here: a re-import never brings it back
        deleted_at TEXT NOT NULL,
        PRIMARY KEY (kind, local_id)
      );
    `,
  },
  {
    version: 5,
    name: 'performance: coalesced turn frames, keyset listing, full-text search over titles, FTS5 prefix indexes',
    sql: `
      -- A stored frame may cover several streamed text deltas (seq .. last_seq; parts = their lengths).
      ALTER TABLE turn_events ADD COLUMN last_seq INTEGER;
      ALTER TABLE turn_events ADD COLUMN parts TEXT;

      -- Keyset pagination: (updated_at, id) is unique and ordered.
      DROP INDEX IF EXISTS conversations_by_project;
      DROP INDEX IF EXISTS conversations_by_updated;
      CREATE INDEX conversations_by_project ON conversations (project, updated_at DESC, id DESC);
      CREATE INDEX conversations_by_updated ON conversations (updated_at DESC, id DESC);

      -- Message text: the same index rebuilt with prefix indexes, so 1-3 letter prefix queries read one doclist.
      DROP TRIGGER IF EXISTS message_text_ai;
      DROP TRIGGER IF EXISTS message_text_ad;
      DROP TABLE IF EXISTS message_fts;
      CREATE VIRTUAL TABLE message_fts USING fts5 (text, content = 'message_text', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
      CREATE TRIGGER message_text_ai AFTER INSERT ON message_text BEGIN
        INSERT INTO message_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER message_text_ad AFTER DELETE ON message_text BEGIN
        INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      INSERT INTO message_fts (message_fts) VALUES ('rebuild');

      -- Titles: title, preview and project of each conversation, kept in step by triggers and indexed the same way.
      -- (Its own INTEGER PRIMARY KEY: the conversations table's implicit rowid may change on VACUUM.)
      CREATE TABLE conversation_text (
        rowid           INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL UNIQUE,
        text            TEXT NOT NULL
      );
      CREATE VIRTUAL TABLE conversation_fts USING fts5 (text, content = 'conversation_text', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
      CREATE TRIGGER conversation_text_ai AFTER INSERT ON conversation_text BEGIN
        INSERT INTO conversation_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER conversation_text_ad AFTER DELETE ON conversation_text BEGIN
        INSERT INTO conversation_fts (conversation_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      -- A conversation is indexed once it has a title or preview (a new one gets them with its first saved round).
      CREATE TRIGGER conversations_text_ai AFTER INSERT ON conversations WHEN new.title <> '' OR new.preview <> '' BEGIN
        INSERT INTO conversation_text (conversation_id, text) VALUES (new.id, new.title || ' ' || new.preview || ' ' || new.project);
      END;
      CREATE TRIGGER conversations_text_au AFTER UPDATE OF title, preview, project ON conversations
        WHEN old.title IS NOT new.title OR old.preview IS NOT new.preview OR old.project IS NOT new.project BEGIN
        DELETE FROM conversation_text WHERE conversation_id = old.id;
        INSERT INTO conversation_text (conversation_id, text)
          SELECT new.id, new.title || ' ' || new.preview || ' ' || new.project WHERE new.title <> '' OR new.preview <> '';
      END;
      CREATE TRIGGER conversations_text_ad AFTER DELETE ON conversations BEGIN
        DELETE FROM conversation_text WHERE conversation_id = old.id;
      END;
      INSERT INTO conversation_text (conversation_id, text)
        SELECT id, title || ' ' || preview || ' ' || project FROM conversations WHERE title <> '' OR preview <> '' ORDER BY updated_at;
    `,
  },
  {
    version: 6,
    name: 'change counter of the conversations table (answers to the conversation list are cached until it moves)',
    additive: true,
    sql: `
      -- Counted by triggers, so every writer (a store, the importer, another process on the same file) moves it.
      CREATE TABLE change_counters (
        name  TEXT PRIMARY KEY,
        count INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      INSERT INTO change_counters (name) VALUES ('conversations');
      CREATE TRIGGER conversations_count_ai AFTER INSERT ON conversations BEGIN
        UPDATE change_counters SET count = count + 1 WHERE name = 'conversations';
      END;
      CREATE TRIGGER conversations_count_au AFTER UPDATE ON conversations BEGIN
        UPDATE change_counters SET count = count + 1 WHERE name = 'conversations';
      END;
      CREATE TRIGGER conversations_count_ad AFTER DELETE ON conversations BEGIN
        UPDATE change_counters SET count = count + 1 WHERE name = 'conversations';
      END;
    `,
  },
  {
    version: 7,
    name: 'full-text indexing in batches: new message and title text waits in fts_pending (stores/text-index.ts)',
    // Older code keeps working on it: its saves are listed by the triggers and indexed when this code runs again.
    additive: true,
    sql: `
      -- Indexing a text in its own commit wrote a new FTS segment per commit (and merged them, in stalls of several
      -- ms) on every saved round. New rows are now listed here and indexed in batches; every search indexes what is
      -- still listed first, so it always sees everything. A row deleted before it was indexed leaves the index alone.
      CREATE TABLE fts_pending (
        index_name TEXT NOT NULL,      -- 'message' (message_text) | 'conversation' (conversation_text)
        id         INTEGER NOT NULL,   -- the row's rowid
        PRIMARY KEY (index_name, id)
      ) WITHOUT ROWID;
      ${listedForIndexing('message')}
      ${listedForIndexing('conversation')}
    `,
  },
  {
    version: 8,
    name: 'full-text segment merges in bounded steps: FTS5 automerge off, merged by stores/text-index.ts',
    // Older code keeps working on it: without automerge FTS5 still merges a level once it holds 16 segments.
    additive: true,
    sql: `
      -- Automerge did its merging inside the commit that wrote the index: every 64 pages written, 64 pages per level of
      -- the index merged at once, in stalls of 5-20 ms once the index was large. The text index now merges after
      -- each batch it indexes, 32 pages per step, each step its own short commit.
      INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 0);
      INSERT INTO conversation_fts (conversation_fts, rank) VALUES ('automerge', 0);
    `,
  },
];
