import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Db } from '../db/database.js';

/** What the importer adopts; tombstones use the same names. */
export type ImportKind = 'conversation' | 'pin' | 'schedule' | 'run' | 'attachment' | 'connection' | 'instructions' | 'visit' | 'publish';

export interface LedgerEntry {
  kind: ImportKind;
  source_key: string;
  source_path: string;
  source_sig: string;
  source_hash: string;
  local_id: string;
  local_hash: string;
  imported_at: string;
  updated_at: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** size:mtime of each file (missing files count too), so an unchanged source is recognised without reading it. */
export function fileSig(...files: string[]): string {
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${st.size}:${Math.round(st.mtimeMs)}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/**
 * Record that a local item was deleted here, if it came from an import: a later import then leaves it deleted.
 * The one call the deletion routes make; a no-op for items created here.
 */
export function recordTombstone(db: Db, kind: ImportKind, localId: string): void {
  db.prepare(
    `INSERT INTO import_tombstones (kind, local_id, deleted_at)
     SELECT kind, local_id, ? FROM import_ledger WHERE kind = ? AND local_id = ? LIMIT 1
     ON CONFLICT(kind, local_id) DO NOTHING`,
  ).run(new Date().toISOString(), kind, localId);
}

/** The import's memory: source item → local item, and what the user deleted here. */
export class ImportLedger {
  // Prepared once: a boot looks up every source conversation.
  private readonly getStmt;
  private readonly tombStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string, string], LedgerEntry>('SELECT * FROM import_ledger WHERE kind = ? AND source_key = ?');
    this.tombStmt = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM import_tombstones WHERE kind = ? AND local_id = ?');
  }

  get(kind: ImportKind, sourceKey: string): LedgerEntry | null {
    return this.getStmt.get(kind, sourceKey) ?? null;
  }

  byLocal(kind: ImportKind, localId: string): LedgerEntry | null {
    return this.db.prepare<[string, string], LedgerEntry>('SELECT * FROM import_ledger WHERE kind = ? AND local_id = ? LIMIT 1').get(kind, localId) ?? null;
  }

  all(kind: ImportKind): LedgerEntry[] {
    return this.db.prepare<[string], LedgerEntry>('SELECT * FROM import_ledger WHERE kind = ?').all(kind);
  }

  isEmpty(): boolean {
    return !this.db.prepare('SELECT 1 FROM import_ledger LIMIT 1').get();
  }

  record(e: Omit<LedgerEntry, 'imported_at' | 'updated_at'>): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO import_ledger (kind, source_key, source_path, source_sig, source_hash, local_id, local_hash, imported_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(kind, source_key) DO UPDATE SET source_path = excluded.source_path, source_sig = excluded.source_sig,
           source_hash = excluded.source_hash, local_id = excluded.local_id, local_hash = excluded.local_hash, updated_at = excluded.updated_at`,
      )
      .run(e.kind, e.source_key, e.source_path, e.source_sig, e.source_hash, e.local_id, e.local_hash, now, now);
  }

  /** The same source item found under another key (a conversation moved to another project on the Python side). */
  rekey(e: LedgerEntry, sourceKey: string): LedgerEntry {
    this.db.prepare('UPDATE import_ledger SET source_key = ? WHERE kind = ? AND source_key = ?').run(sourceKey, e.kind, e.source_key);
    return { ...e, source_key: sourceKey };
  }

  /** Only the stat signature changed (touched, same content): remember it so the next run skips hashing. */
  touch(kind: ImportKind, sourceKey: string, sig: string): void {
    this.db.prepare('UPDATE import_ledger SET source_sig = ? WHERE kind = ? AND source_key = ?').run(sig, kind, sourceKey);
  }

  isTombstoned(kind: ImportKind, localId: string): boolean {
    return !!this.tombStmt.get(kind, localId);
  }

  /** A tombstone without a deletion route call (the pre-ledger baseline, see importer.ts). */
  tombstone(kind: ImportKind, localId: string): void {
    this.db.prepare('INSERT INTO import_tombstones (kind, local_id, deleted_at) VALUES (?, ?, ?) ON CONFLICT(kind, local_id) DO NOTHING').run(kind, localId, new Date().toISOString());
  }
}

/**
 * A's model picker (`preferences.defaultModel`, what its client sent with every turn) when it differed from the
 * planning model: still offered as `defaultModel` until the planning model is changed here.
 */
export function importedDefaultModel(kv: { get<T>(key: string, dflt: T): T }, planningModel: string): string | null {
  const d = kv.get<{ model?: string; planningModel?: string } | null>('importedDefaultModel', null);
  return d?.model && (d.planningModel ?? '') === planningModel ? d.model : null;
}
