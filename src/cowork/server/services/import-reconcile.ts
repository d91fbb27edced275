import type { ImportKind, ImportLedger, LedgerEntry } from './import-ledger.js';
import { sha256 } from './import-ledger.js';

export interface KindCounts {
  imported: number;
  updated: number;
  skipped: number;
  tombstoned: number;
}

export type ReportKind = ImportKind | 'preferences';

/**
 * What one reconciliation did. `imported`: new here; `updated`: changed in the source and taken over;
 * `skipped`: already here and unchanged (or changed on both sides: see `conflicts`); `tombstoned`: deleted here,
 * so left deleted.
 */
export interface ImportReport {
  totals: KindCounts;
  kinds: Partial<Record<ReportKind, KindCounts>>;
  /** Local ids of conversations imported or updated (for logs and tests). */
  conversations: { imported: string[]; updated: string[] };
  conflicts: string[];
  errors: string[];
  activeProject: string | null;
  /** Plaintext credential files of the reference that are already in the encrypted vault (see --remove-plaintext-credentials). */
  plaintextCredentials: string[];
}

export type Outcome = keyof KindCounts;

export function newReport(): ImportReport {
  return { totals: { imported: 0, updated: 0, skipped: 0, tombstoned: 0 }, kinds: {}, conversations: { imported: [], updated: [] }, conflicts: [], errors: [], activeProject: null, plaintextCredentials: [] };
}

export function count(report: ImportReport, kind: ReportKind, outcome: Outcome): void {
  const k = (report.kinds[kind] ??= { imported: 0, updated: 0, skipped: 0, tombstoned: 0 });
  k[outcome]++;
  report.totals[outcome]++;
}

/** `imported N, updated M, skipped K, tombstoned T` (the command's first line). */
export function summaryLine(r: ImportReport): string {
  return `imported ${r.totals.imported}, updated ${r.totals.updated}, skipped ${r.totals.skipped}, tombstoned ${r.totals.tombstoned}`;
}

export interface ItemPlan<T> {
  kind: ImportKind;
  key: string;
  localId: string;
  item: T;
  exists: () => boolean;
  /** Fingerprint of the local copy (to notice edits made here). */
  localHash: () => string;
  create: () => void;
  update: () => void;
  /** When the item was created or last changed in the source (ms), if known (see Baseline). */
  since?: number;
}

/** The common reconciliation rule for one item of a source file (pins, schedules, attachments, connections…). */
/**
 * `Baseline`: the time of an import by an earlier version that kept no ledger (0 when unknown), or null. Then an item
 * missing here that the source had before that time was deleted by the user; one born later was never imported.
 */
export type Baseline = number | null;

/** Was this source item (created or changed at `since` ms) deleted here after an earlier, ledger-less import? */
export function deletedSinceBaseline(baseline: Baseline, since: number | undefined): boolean {
  if (baseline === null) return false;
  return !(baseline > 0 && since !== undefined && Number.isFinite(since) && since > baseline);
}

export function reconcileItem<T>(ledger: ImportLedger, report: ImportReport, sourcePath: string, baseline: Baseline, p: ItemPlan<T>, reportKind: ReportKind = p.kind): void {
  const hash = sha256(JSON.stringify(p.item));
  const entry: LedgerEntry | null = ledger.get(p.kind, p.key);
  const remember = () => ledger.record({ kind: p.kind, source_key: p.key, source_path: sourcePath, source_sig: '', source_hash: hash, local_id: p.localId, local_hash: p.exists() ? p.localHash() : '' });
  if (entry) {
    if (ledger.isTombstoned(p.kind, entry.local_id)) return count(report, reportKind, 'tombstoned');
    if (!p.exists()) {
      ledger.tombstone(p.kind, entry.local_id); // deleted here by a path that kept no tombstone
      return count(report, reportKind, 'tombstoned');
    }
    if (entry.source_hash === hash) return count(report, reportKind, 'skipped');
    if (entry.local_hash === p.localHash()) {
      p.update();
      remember();
      return count(report, reportKind, 'updated');
    }
    report.conflicts.push(`${p.kind} ${p.key}: changed both here and in the Python app; kept this server's version`);
    ledger.record({ ...entry, source_hash: hash });
    return count(report, reportKind, 'skipped');
  }
  if (p.exists()) {
    remember();
    return count(report, reportKind, 'skipped');
  }
  if (deletedSinceBaseline(baseline, p.since)) {
    ledger.record({ kind: p.kind, source_key: p.key, source_path: sourcePath, source_sig: '', source_hash: hash, local_id: p.localId, local_hash: '' });
    ledger.tombstone(p.kind, p.localId);
    return count(report, reportKind, 'tombstoned');
  }
  p.create();
  remember();
  count(report, reportKind, 'imported');
}

