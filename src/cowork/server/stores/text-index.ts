import { isBusy, withoutWaiting, type Db } from '../db/database.js';

type Listed = { index_name: 'message' | 'conversation'; id: number };

/**
 * Full-text indexing in batches (migration 7). A saved message or title is not indexed in its own commit: triggers
 * list it in `fts_pending`, and this indexes what is listed, a batch per step, shortly after (`soon`) and all of it
 * before any full-text query (`all`), so a search always sees every saved text.
 *
 * Why: FTS5 writes a new index segment for every commit that adds text, and merges segments as they pile up. Indexed
 * in the commit of each saved round, that was about half of a turn's storage work, with merge stalls of several ms
 * in the middle of streaming turns; in batches the segments are fewer and the merges rarer.
 *
 * Segments are merged here too (migration 8 turned FTS5's automerge off): after the listed rows are indexed, a step
 * of at most `mergePages` pages per turn of the event loop until nothing is left to merge. Automerge did the same
 * work inside the commits that wrote the index, 64 pages per level of the index at once: stalls of 5-20 ms once the
 * index had grown.
 *
 * A listed row deleted before it was indexed is simply unlisted (the triggers), so the index never holds a row its
 * content table lacks. Other processes on the same file (the terminal) list their rows the same way, and whichever
 * process indexes first takes them (each batch is one IMMEDIATE transaction).
 */
export class TextIndex {
  private timer: NodeJS.Timeout | null = null;
  private next: NodeJS.Immediate | null = null;
  private prepared: ReturnType<TextIndex['prepare']> | null = null;
  /** Told about a failed step other than a lock held elsewhere (the rows stay listed and the step comes back). */
  onError: (err: unknown) => void = () => {};

  constructor(
    private readonly db: Db,
    /** How long after a save the listed texts are indexed: saves in a burst share one batch. */
    readonly delayMs = 1000,
    /**
     * Rows per step: bounds each step's stall on the event loop. Indexing a 200-word answer takes about 80 µs, so 8
     * rows are a task of about 0.7 ms (32 were 2.5 ms, long enough to show in the event-loop maximum while turns
     * stream); the rest follows on later turns of the loop.
     */
    readonly batchSize = 8,
    /**
     * Pages of segment merging per step (migration 8 turned FTS5's automerge off): about 1-2 ms at most. Merged in
     * 16-page steps the total work was a third more; in 32-page steps it is about what automerge did.
     */
    readonly mergePages = 32,
  ) {}

  /** Compiled on first use (a store may be opened on a database its migrations have not reached yet: tests do). */
  private prepare() {
    const db = this.db;
    const any = db.prepare('SELECT 1 FROM fts_pending LIMIT 1');
    const listed = db.prepare<[number], Listed>('SELECT index_name, id FROM fts_pending LIMIT ?');
    const indexMessage = db.prepare('INSERT INTO message_fts (rowid, text) SELECT rowid, text FROM message_text WHERE rowid = ?');
    const indexConversation = db.prepare('INSERT INTO conversation_fts (rowid, text) SELECT rowid, text FROM conversation_text WHERE rowid = ?');
    const unlist = db.prepare('DELETE FROM fts_pending WHERE index_name = ? AND id = ?');
    const batch = db.transaction((limit: number) => {
      const rows = listed.all(limit);
      for (const r of rows) {
        (r.index_name === 'message' ? indexMessage : indexConversation).run(r.id);
        unlist.run(r.index_name, r.id);
      }
      return rows.length;
    });
    // A merge command counts as one change in total_changes(), plus what it writes: one change alone means it found
    // nothing left to merge.
    const changes = db.prepare<[], number>('SELECT total_changes()').pluck();
    const mergeCommands = ['message_fts', 'conversation_fts'].map((t) => db.prepare(`INSERT INTO ${t} (${t}, rank) VALUES ('merge', ${Math.floor(this.mergePages)})`));
    const merge = db.transaction((): boolean => {
      let worked = false;
      for (const command of mergeCommands) {
        const before = changes.get()!;
        command.run();
        if (changes.get()! - before > 1) worked = true;
      }
      return worked;
    });
    return { any, batch, merge };
  }

  private get sql() {
    return (this.prepared ??= this.prepare());
  }

  /** Rows listed and not yet indexed. */
  get pending(): boolean {
    return this.sql.any.get() !== undefined;
  }

  /** Index what is listed soon, a batch per step, then merge. Cheap to call after every save. */
  soon(delayMs = this.delayMs): void {
    if (this.timer || this.next || !this.db.open) return;
    this.timer = setTimeout(() => this.step(), delayMs);
    this.timer.unref();
  }

  /** Index everything listed, now (before a full-text query). */
  all(): void {
    while (this.pending && this.sql.batch.immediate(1000) > 0);
  }

  /** Merge until nothing is left to merge, now (a database filled in bulk: the bench's seed). */
  mergeAll(): void {
    while (this.sql.merge.immediate());
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.next) clearImmediate(this.next);
    this.timer = this.next = null;
  }

  /**
   * A background step's write. It never waits for another process's write lock: while one holds it, the rows stay
   * listed (or the segments unmerged) and the step comes back later, as after any other failure, which is reported.
   * Null when it failed.
   */
  private background<T>(write: () => T): T | null {
    try {
      return withoutWaiting(this.db, write);
    } catch (err) {
      if (!isBusy(err)) this.onError(err);
      this.soon(this.delayMs * 5);
      return null;
    }
  }

  private step(): void {
    this.timer = this.next = null;
    if (!this.db.open) return;
    const indexed = this.background(() => (this.pending ? this.sql.batch.immediate(this.batchSize) : 0));
    if (indexed === null) return;
    // More may be listed: the next batch on the next turn of the event loop, after what is waiting there. Once all
    // is indexed, the segments written are merged, a step at a time.
    (this.next = setImmediate(() => (indexed === this.batchSize ? this.step() : this.mergeStep()))).unref();
  }

  /** One bounded step of segment merging; the next on a later turn of the loop, until there is nothing to merge. */
  private mergeStep(): void {
    this.next = null;
    if (!this.db.open) return;
    const more = this.background(() => this.sql.merge.immediate());
    if (more === null) return;
    if (more) (this.next = setImmediate(() => this.mergeStep())).unref();
    else if (this.pending) this.soon(); // listed while merging (soon() waits for the merging to end)
  }
}
