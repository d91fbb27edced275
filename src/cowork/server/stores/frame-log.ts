import type { Statement } from 'better-sqlite3';
import { isBusy, withoutWaiting, type Db } from '../db/database.js';

/**
 * Recorded SSE frames of turns, written in batches with text deltas coalesced.
 *
 * Live readers get every frame as it is produced (services/turns.ts); what is stored is the same log with runs of
 * consecutive `response.output_text.delta` frames merged into one frame whose `delta` is their concatenation, and
 * every later reader (a tail of a running or finished turn, `/messages`) replays from it.
 * Sequence numbers of stored frames: a merged frame keeps the `sequence_number` (and `at_ms`) of the first delta it
 * covers; its row also records the last number it covers (`last_seq`) and the length of each merged delta (`parts`),
 * so a replay from any number k (`tail?from_seq=k`) is exact: a merged frame that k falls inside is
 * cut at k's offset and numbered k. Stored numbers therefore have gaps, and `latest_seq` is the last number covered.
 *
 * Durability: pending frames are written in one transaction per flush, at most `flushMs` after they were produced
 * (and a turn's own at once, in the same commit, when its round is saved, when it finishes, and before it is replayed
 * from storage: withTurnFrames), so a crash loses at most one flush interval of frames; an open merged frame is
 * rewritten in place as it grows (capped at MAX_MERGED_CHARS, then a new one starts).
 */

export const DELTA_TYPE = 'response.output_text.delta';
/** Longest `delta` of one merged stored frame: bounds the rewrite of a growing frame per flush. */
export const MAX_MERGED_CHARS = 512;

type FrameObject = Record<string, unknown> & { type: string; sequence_number?: number };

interface PendingRow {
  seq: number;
  lastSeq: number;
  frame: FrameObject;
  /** Lengths of the merged deltas; null for a frame stored as streamed. */
  parts: number[] | null;
  dirty: boolean;
}

interface TurnLog {
  rows: PendingRow[];
}

export interface StoredFrameRow {
  seq: number;
  last_seq: number | null;
  parts: string | null;
  payload: string;
}

/**
 * What is stored for a frame. `response.completed` keeps its envelope (id, status, model, usage) but not its output
 * text: that text is already stored once in the merged delta frames and once in the message itself, and the client
 * ignores `response` on this event (client-usage §4.2). Everything else is stored as streamed.
 */
export function storedForm(frame: FrameObject): FrameObject {
  if (frame.type === DELTA_TYPE) return { ...frame }; // our own copy: a merged frame's delta grows, the live one must not
  if (frame.type !== 'response.completed') return frame;
  const response = frame.response as { output?: { content?: { type?: string; text?: string }[] }[] } | undefined;
  if (!response?.output) return frame;
  const output = response.output.map((item) => ({
    ...item,
    ...(item.content ? { content: item.content.map((c) => (c.type === 'output_text' ? { ...c, text: '' } : c)) } : {}),
  }));
  return { ...frame, response: { ...response, output } };
}

function mergeable(row: PendingRow | undefined, frame: FrameObject): row is PendingRow {
  return (
    row !== undefined &&
    row.frame.type === DELTA_TYPE &&
    frame.type === DELTA_TYPE &&
    row.frame.item_id === frame.item_id &&
    typeof frame.delta === 'string' &&
    (row.frame.delta as string).length < MAX_MERGED_CHARS
  );
}

export class FrameLog {
  private readonly turns = new Map<number, TurnLog>();
  private timer: NodeJS.Timeout | null = null;
  private upsertStatement: Statement<[number, number, string, number | null, string | null]> | null = null;
  /** Told about a failed write (the frames stay pending and are retried on the next flush). */
  onError: (err: unknown) => void = () => {};

  constructor(
    private readonly db: Db,
    // 100 ms: a flush rewrites each live turn's open merged frame, so its cost is per flush, not per token (40 ms
    // cost about 4 % more CPU while 20 turns streamed); a crash can lose this much streamed text, never a saved round.
    readonly flushMs = 100,
  ) {}

  private get upsert() {
    return (this.upsertStatement ??= this.db.prepare('INSERT OR REPLACE INTO turn_events (turn_id, seq, payload, last_seq, parts) VALUES (?, ?, ?, ?, ?)'));
  }

  /** Queue one frame of a live turn (numbered 1…N by the caller, in order). */
  add(turnId: number, frame: FrameObject): void {
    let log = this.turns.get(turnId);
    if (!log) this.turns.set(turnId, (log = { rows: [] }));
    const seq = frame.sequence_number ?? 0;
    const last = log.rows[log.rows.length - 1];
    if (mergeable(last, frame)) {
      const delta = frame.delta as string;
      (last.parts ??= [(last.frame.delta as string).length]).push(delta.length);
      last.frame.delta = (last.frame.delta as string) + delta;
      last.lastSeq = seq;
      last.dirty = true;
    } else {
      log.rows.push({ seq, lastSeq: seq, frame: storedForm(frame), parts: null, dirty: true });
    }
    this.timer ??= setTimeout(() => this.periodicFlush(), this.flushMs);
  }

  /**
   * The timer's flush never waits for another process's write lock (a terminal's long write would otherwise stall
   * every stream for up to the busy timeout): while one holds it, the frames stay pending, and live readers have had
   * them already. A saved round's commit (withTurnFrames) still waits: it is what durability rests on.
   */
  private periodicFlush(): void {
    if (this.db.open) withoutWaiting(this.db, () => this.flush());
  }

  /** Write everything pending in one transaction. Safe to call at any time. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.turns.size === 0 || !this.db.open) return;
    try {
      this.db.transaction(() => {
        for (const [turnId, log] of this.turns) this.writeTurn(turnId, log);
      })();
      for (const [turnId, log] of this.turns) this.written(turnId, log);
    } catch (err) {
      if (isBusy(err)) this.timer ??= setTimeout(() => this.periodicFlush(), this.flushMs); // locked: all pending, try again
      else this.flushEachTurn(); // one bad turn must not hold the others back
    }
  }

  /** The slow path: one transaction per turn. A turn deleted meanwhile is dropped; other failures are retried. */
  private flushEachTurn(): void {
    let retry = false;
    for (const [turnId, log] of this.turns) {
      try {
        this.db.transaction(() => this.writeTurn(turnId, log))();
        this.written(turnId, log);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') this.turns.delete(turnId); // its turn is gone
        else {
          retry = true;
          this.onError(err);
        }
      }
    }
    if (retry && this.db.open) this.timer ??= setTimeout(() => this.periodicFlush(), this.flushMs * 4);
  }

  /** Keep only a trailing delta run (it may still grow); an idle turn costs nothing. */
  private written(turnId: number, log: TurnLog): void {
    const last = log.rows[log.rows.length - 1];
    log.rows = last && last.frame.type === DELTA_TYPE ? [last] : [];
    for (const r of log.rows) r.dirty = false;
    if (!log.rows.length) this.turns.delete(turnId);
  }

  /**
   * Run `work` in one transaction together with the pending frames of `turnId` (none when null): a saved round and
   * the frames streamed up to it reach the disk in one commit, and the other turns' frames wait for their batch.
   */
  withTurnFrames<T>(turnId: number | null, work: () => T): T {
    const log = turnId === null ? undefined : this.turns.get(turnId);
    const result = this.db.transaction(() => {
      if (log) this.writeTurn(turnId!, log);
      return work();
    })();
    if (log) this.written(turnId!, log); // only once committed: a rolled-back write stays pending
    return result;
  }

  /** Write `turnId`'s pending frames now, so a read of the table sees them; nothing to do (no transaction) when none. */
  writePending(turnId: number): void {
    if (this.turns.has(turnId)) this.withTurnFrames(turnId, () => {});
  }

  /** The turn is over: `work` (its final state) and its last frames are written together, and the turn forgotten. */
  close(turnId: number, work: () => void = () => {}): void {
    this.withTurnFrames(turnId, work);
    this.turns.delete(turnId);
  }

  private writeTurn(turnId: number, log: TurnLog): void {
    for (const r of log.rows) {
      if (!r.dirty) continue;
      this.upsert.run(turnId, r.seq, JSON.stringify(r.frame), r.parts ? r.lastSeq : null, r.parts ? r.parts.join(',') : null);
    }
  }
}

/** Stored rows → frames from sequence number `fromSeq` on, exactly (a merged delta that `fromSeq` falls inside is cut). */
export function framesFromRows(rows: StoredFrameRow[], fromSeq: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of rows) {
    const frame = JSON.parse(r.payload) as FrameObject;
    if (r.parts && r.last_seq !== null && r.seq < fromSeq) {
      const lengths = r.parts.split(',').map(Number);
      const skip = lengths.slice(0, fromSeq - r.seq).reduce((a, b) => a + b, 0);
      frame.delta = (frame.delta as string).slice(skip);
      frame.sequence_number = fromSeq;
    }
    out.push(frame);
  }
  return out;
}

/**
 * Merge runs of consecutive text deltas (same item) into one frame, as stored; used for frames recorded before
 * coalescing existed so that every `/messages` answer is small.
 */
export function coalesceDeltas(frames: Record<string, unknown>[]): Record<string, unknown>[] {
  // (Frames recorded before this change keep the output text of response.completed; harmless, just larger.)
  const out: Record<string, unknown>[] = [];
  for (const f of frames) {
    const last = out[out.length - 1];
    if (last && last.type === DELTA_TYPE && f.type === DELTA_TYPE && last.item_id === f.item_id && typeof f.delta === 'string' && typeof last.delta === 'string') {
      out[out.length - 1] = { ...last, delta: last.delta + f.delta };
    } else out.push(f);
  }
  return out;
}
