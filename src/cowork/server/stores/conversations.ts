import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import type { Message } from '../../../core/llm/types.js';
import { isUserInput, messageText } from '../../../core/agent/history.js';
import { FrameLog, coalesceDeltas, framesFromRows, type StoredFrameRow } from './frame-log.js';
import { TextIndex } from './text-index.js';

export const ATTACHMENT_MARKER = '\n\nAttached context supplied by the user:';

export interface DisabledConnection {
  engine: string;
  name: string;
}

export interface ConversationMeta {
  id: string;
  title: string;
  turns: number;
  preview: string;
  created_at: string;
  updated_at: string;
  project: string;
  disabled_connections: DisabledConnection[];
  scheduled_id?: string;
}

interface ConversationRow {
  id: string;
  project: string;
  title: string;
  preview: string;
  created_at: string;
  updated_at: string;
  turns: number;
  scheduled_id: string | null;
  disabled_connections: string;
}

export interface DisplayMessage {
  role: 'user' | 'assistant';
  content: string;
  events?: unknown[];
  startedAt?: number;
}

export type TurnStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

/** `YYYYMMDD_HHMMSS_<6hex>` in UTC, the format the client mints too. */
export function mintConversationId(now = new Date()): string {
  const iso = now.toISOString(); // 2026-05-11T18:19:02.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}_${randomBytes(3).toString('hex')}`;
}

export const CONVERSATION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Case-insensitive de-duplication on (engine, name), whitespace trimmed. */
export function normalizeDisabled(list: DisabledConnection[]): DisabledConnection[] {
  const seen = new Set<string>();
  const out: DisabledConnection[] = [];
  for (const d of list) {
    const engine = d.engine.trim();
    const name = d.name.trim();
    const key = `${engine.toLowerCase()}\u0000${name.toLowerCase()}`;
    if (!engine || !name || seen.has(key)) continue;
    seen.add(key);
    out.push({ engine, name });
  }
  return out;
}

export function userText(msg: Message): string {
  const text = messageText(msg);
  const cut = text.indexOf(ATTACHMENT_MARKER);
  return cut >= 0 ? text.slice(0, cut) : text;
}

function titleFrom(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 50 ? `${t.slice(0, 50)}...` : t;
}

/**
 * A conversations row as JSON text: toMeta's object (scheduled_id only when set) plus `project_path`
 * (@path_prefix + project), key for key. The list's pages are built from it in SQL (listPageJson).
 */
const META_FIELDS = `'id', id, 'title', title, 'turns', turns, 'preview', preview, 'created_at', created_at, 'updated_at', updated_at,
  'project', project, 'disabled_connections', json(disabled_connections)`;
const META_JSON = `CASE WHEN scheduled_id IS NULL OR scheduled_id = ''
  THEN json_object(${META_FIELDS}, 'project_path', @path_prefix || project)
  ELSE json_object(${META_FIELDS}, 'scheduled_id', scheduled_id, 'project_path', @path_prefix || project) END`;

/** Where a page of the conversation list ended: the (updated_at, id) of its last item. */
export interface ListCursor {
  updated_at: string;
  id: string;
}

/** A page of the list: newest first, ties broken by id (the cursor's order), @limit rows. */
const PAGE_ORDER = 'ORDER BY updated_at DESC, id DESC LIMIT @limit';

/** The WHERE clause of a page of `project`'s conversations ('all': every project) after `after`, and its arguments. */
function pageFilter(project: string | 'all', after: ListCursor | undefined): { where: string; args: Record<string, string> } {
  const filter = [project === 'all' ? '' : 'project = @project', after ? '(updated_at, id) < (@after_updated_at, @after_id)' : ''].filter(Boolean);
  return {
    where: filter.length ? `WHERE ${filter.join(' AND ')}` : '',
    args: { ...(project === 'all' ? {} : { project }), ...(after ? { after_updated_at: after.updated_at, after_id: after.id } : {}) },
  };
}

export function encodeCursor(m: ListCursor): string {
  return Buffer.from(JSON.stringify([m.updated_at, m.id])).toString('base64url');
}

/** Null for anything that is not a cursor this server made. */
export function decodeCursor(cursor: string): ListCursor | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { updated_at: v[0], id: v[1] };
  } catch {
    // fall through
  }
  return null;
}

/** Conversations, their message history and recorded turn frames, in SQLite. */
export class ConversationStore {
  /** Recorded frames of live turns: batched and coalesced (see frame-log.ts). */
  readonly frameLog: FrameLog;
  /** Full-text indexing of saved message text and titles, in batches (text-index.ts). */
  readonly textIndex: TextIndex;
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.frameLog = new FrameLog(db);
    this.textIndex = new TextIndex(db);
    this.textIndex.soon(); // anything a previous run (or another process) listed and did not index
  }

  /** A prepared statement, compiled once per SQL text. */
  private sql<P extends unknown[] = unknown[], R = unknown>(text: string): Statement<P, R> {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st as unknown as Statement<P, R>;
  }

  private toMeta(r: ConversationRow): ConversationMeta {
    return {
      id: r.id,
      title: r.title,
      turns: r.turns,
      preview: r.preview,
      created_at: r.created_at,
      updated_at: r.updated_at,
      project: r.project,
      disabled_connections: JSON.parse(r.disabled_connections) as DisabledConnection[],
      ...(r.scheduled_id ? { scheduled_id: r.scheduled_id } : {}),
    };
  }

  /**
   * How many times the conversations table has changed: triggers count every insert, update and delete, whoever
   * writes (this store, the importer, a terminal on the same file). Answers derived from the table stay valid while
   * it stands still. Inside a transaction it may yet be rolled back to a number it had before: not a version then.
   */
  changeCount(): number | null {
    if (this.db.inTransaction) return null;
    return this.sql<[], { count: number }>("SELECT count FROM change_counters WHERE name = 'conversations'").get()?.count ?? null;
  }

  get(id: string): ConversationMeta | null {
    const r = this.sql<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?').get(id);
    return r ? this.toMeta(r) : null;
  }

  ensure(id: string, project: string, extra: { scheduled_id?: string } = {}): ConversationMeta {
    this.insertIfMissing(id, project, extra);
    return this.get(id)!;
  }

  private insertIfMissing(id: string, project: string, extra: { scheduled_id?: string }): void {
    const now = new Date().toISOString();
    this
      .sql('INSERT INTO conversations (id, project, created_at, updated_at, scheduled_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING')
      .run(id, project, now, now, extra.scheduled_id ?? null);
  }

  /** Newest first. A page ends where `after` (the last item of the previous page) was; see listPageJson. */
  list(project: string | 'all', limit: number, after?: ListCursor): ConversationMeta[] {
    const { where, args } = pageFilter(project, after);
    return this.sql<[Record<string, unknown>], ConversationRow>(`SELECT * FROM conversations ${where} ${PAGE_ORDER}`)
      .all({ ...args, limit })
      .map((r) => this.toMeta(r));
  }

  /**
   * One page of the list as JSON text: `items` is the array of list()'s metas, newest first, each with its
   * `project_path` (`pathPrefix` + project); `next_cursor` is null on the last page. SQLite builds the text: the
   * client asks for 200 at every refresh, and while turns stream each save changes the list, so no cached answer
   * lasts. Built in JS (row objects, metas, stringify) a page was one block of about a millisecond on the event loop,
   * the largest single piece of its longest turns under that load; here it is about half of that.
   */
  listPageJson(project: string | 'all', limit: number, after: ListCursor | undefined, pathPrefix: string): { items: string; next_cursor: string | null } {
    const { where, args: filterArgs } = pageFilter(project, after);
    const args = { ...filterArgs, limit };
    return this.db.transaction(() => {
      const items = this.sql<[Record<string, unknown>], string>(
        // The aggregate takes the rows in the order the subquery (a co-routine) yields them; an ORDER BY inside
        // json_group_array would sort the finished texts again, for half as long again as the whole query.
        // (The cursor-walk test checks the order.)
        `SELECT json_group_array(json(${META_JSON}))
           FROM (SELECT * FROM conversations ${where} ${PAGE_ORDER})`,
      )
        .pluck()
        .get({ ...args, path_prefix: pathPrefix })!;
      // The page's last item and, when there is one, the next page's first (read off the index).
      const edge = this.sql<[Record<string, unknown>], ListCursor>(
        `SELECT updated_at, id FROM conversations ${where} ORDER BY updated_at DESC, id DESC LIMIT 2 OFFSET @limit - 1`,
      ).all(args);
      return { items, next_cursor: edge.length === 2 ? encodeCursor(edge[0]) : null };
    })();
  }

  loadHistory(id: string): Message[] {
    return this
      .sql<[string], { role: 'user' | 'assistant'; content: string }>('SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY idx')
      .all(id)
      .map((r) => ({ role: r.role, content: JSON.parse(r.content) as Message['content'] }));
  }

  /** Rewrite history[fromIndex..]; new rows belong to `turnId`, rewritten rows keep the turn they had. */
  saveHistory(id: string, history: Message[], fromIndex: number, turnId: number | null): void {
    // A saved round's frames are on disk with it, in the same commit.
    this.frameLog.withTurnFrames(turnId, () => {
      const old = new Map(
        this
          .sql<[string, number], { idx: number; turn_id: number | null }>('SELECT idx, turn_id FROM messages WHERE conversation_id = ? AND idx >= ?')
          .all(id, fromIndex)
          .map((r) => [r.idx, r.turn_id]),
      );
      this.sql('DELETE FROM messages WHERE conversation_id = ? AND idx >= ?').run(id, fromIndex);
      this.sql('DELETE FROM message_text WHERE conversation_id = ? AND idx >= ?').run(id, fromIndex);
      const ins = this.sql('INSERT INTO messages (conversation_id, idx, role, content, turn_id) VALUES (?, ?, ?, ?, ?)');
      for (let i = fromIndex; i < history.length; i++) {
        ins.run(id, i, history[i].role, JSON.stringify(history[i].content), old.has(i) ? old.get(i) : turnId);
        this.indexText(id, i, history[i]);
      }
      this.refreshMeta(id, history);
    });
  }

  /** Searchable text of a message: what a person typed or read (not tool traffic). */
  private indexText(id: string, idx: number, msg: Message): void {
    const text = msg.role === 'user' ? (isUserInput(msg) ? userText(msg) : '') : messageText(msg);
    if (!text.trim()) return;
    this.sql('INSERT INTO message_text (conversation_id, idx, text) VALUES (?, ?, ?)').run(id, idx, text);
    this.textIndex.soon();
  }

  /**
   * Conversations whose title, preview or project has a word starting with any of the terms, newest first.
   * Served by the title index: the `limit` most recently titled matches are taken before anything is sorted.
   */
  searchMeta(terms: string[], limit = 500): ConversationMeta[] {
    if (!terms.length) return [];
    this.textIndex.all();
    const match = terms.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' OR ');
    return this.sql<[string, number], ConversationRow>(
      `SELECT c.* FROM (SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
         JOIN conversation_text t ON t.rowid = f.rowid JOIN conversations c ON c.id = t.conversation_id
        ORDER BY c.updated_at DESC`,
    )
      .all(match, Math.floor(limit))
      .map((r) => this.toMeta(r));
  }

  /** Episodic recall: matching message text in a project's other conversations, newest first. */
  recall(project: string, ftsQuery: string, max: number, excludeId: string, sinceIso?: string): { conversation: string; title: string; date: string; text: string }[] {
    this.textIndex.all();
    return this
      .sql<[string, string, string, string, number], { conversation: string; title: string; date: string; text: string }>(
        `SELECT c.id AS conversation, c.title AS title, c.updated_at AS date, t.text AS text
           FROM message_fts f JOIN message_text t ON t.rowid = f.rowid JOIN conversations c ON c.id = t.conversation_id
          WHERE message_fts MATCH ? AND c.project = ? AND c.id != ? AND c.updated_at >= ?
          ORDER BY c.updated_at DESC, t.idx LIMIT ?`,
      )
      .all(ftsQuery, project, excludeId, sinceIso ?? '', max);
  }

  /**
   * Conversations whose messages match an FTS5 query, most matches first (newest first among equals): the order the
   * search results are finally scored in. Only the `candidates` most recent matching messages are counted (the index
   * yields them newest first without reading the rest), so a common word costs about what a rare one does; `hits`
   * counts matches among those candidates. (No BM25: computing it cost ~35 µs per candidate, and the final score
   * does not use it.)
   */
  searchMessages(ftsQuery: string, limit: number, candidates = 2000): { conversation_id: string; hits: number }[] {
    this.textIndex.all();
    return this.sql<[string, number, number], { conversation_id: string; hits: number }>(
      `SELECT t.conversation_id, COUNT(*) AS hits
         FROM (SELECT rowid FROM message_fts WHERE message_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
         JOIN message_text t ON t.rowid = f.rowid
        GROUP BY t.conversation_id ORDER BY hits DESC, MAX(f.rowid) DESC LIMIT ?`,
    ).all(ftsQuery, candidates, limit);
  }

  /** turns = real user inputs (not tool results or SYSTEM nudges); title/preview from the first one. */
  private refreshMeta(id: string, history: Message[]): void {
    const inputs = history.filter(isUserInput);
    const first = inputs[0] ? userText(inputs[0]) : '';
    this
      .sql(
        `UPDATE conversations SET turns = ?, updated_at = ?,
           preview = CASE WHEN preview = '' THEN ? ELSE preview END,
           title = CASE WHEN title = '' THEN ? ELSE title END
         WHERE id = ?`,
      )
      .run(inputs.length, new Date().toISOString(), first.slice(0, 60), titleFrom(first), id);
    this.textIndex.soon();
  }

  /** Imported meta wins over what saveHistory derived (dates, title, muted connections). */
  restoreMeta(id: string, m: { title?: string; preview?: string; created_at?: string; updated_at?: string; disabled_connections?: DisabledConnection[] }): void {
    const cur = this.get(id);
    if (!cur) return;
    this
      .sql('UPDATE conversations SET title = ?, preview = ?, created_at = ?, updated_at = ?, disabled_connections = ? WHERE id = ?')
      .run(m.title || cur.title, m.preview || cur.preview, m.created_at || cur.created_at, m.updated_at || m.created_at || cur.updated_at, JSON.stringify(normalizeDisabled(m.disabled_connections ?? [])), id);
    this.textIndex.soon();
  }

  /** Attribute messages [from, to] to a turn (imported histories). */
  assignTurn(id: string, from: number, to: number, turnId: number): void {
    this.sql('UPDATE messages SET turn_id = ? WHERE conversation_id = ? AND idx >= ? AND idx <= ?').run(turnId, id, from, to);
  }

  setTitle(id: string, title: string): void {
    this.sql('UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?').run(title, new Date().toISOString(), id);
    this.textIndex.soon();
  }

  setProject(id: string, project: string): void {
    this.sql('UPDATE conversations SET project = ?, updated_at = ? WHERE id = ?').run(project, new Date().toISOString(), id);
    this.textIndex.soon();
  }

  setDisabledConnections(id: string, list: DisabledConnection[]): void {
    this.sql('UPDATE conversations SET disabled_connections = ? WHERE id = ?').run(JSON.stringify(normalizeDisabled(list)), id);
  }

  relabelProject(from: string, to: string): void {
    this.sql('UPDATE conversations SET project = ? WHERE project = ?').run(to, from);
    this.textIndex.soon();
  }

  deleteProject(project: string): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM message_text WHERE conversation_id IN (SELECT id FROM conversations WHERE project = ?)').run(project);
      this.sql('DELETE FROM conversations WHERE project = ?').run(project);
    })();
  }

  delete(id: string): boolean {
    this.sql('DELETE FROM message_text WHERE conversation_id = ?').run(id);
    return this.sql('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }

  /** Remove the N-th user-input exchange (the input up to the next input). Null when out of range. */
  deleteTurn(id: string, turnIndex: number): { removed: number; remaining: number } | null {
    const history = this.loadHistory(id);
    const starts = history.flatMap((m, i) => (isUserInput(m) ? [i] : []));
    if (turnIndex >= starts.length) return null;
    const start = starts[turnIndex];
    const end = starts[turnIndex + 1] ?? history.length;
    const next = [...history.slice(0, start), ...history.slice(end)];
    this.db.transaction(() => {
      const turnIds = this
        .sql<[string, number, number], { turn_id: number | null }>('SELECT turn_id FROM messages WHERE conversation_id = ? AND idx >= ? AND idx < ?')
        .all(id, start, end);
      const kept = this
        .sql<[string, number, number], { idx: number; turn_id: number | null }>('SELECT idx, turn_id FROM messages WHERE conversation_id = ? AND (idx < ? OR idx >= ?) ORDER BY idx')
        .all(id, start, end);
      this.sql('DELETE FROM messages WHERE conversation_id = ?').run(id);
      this.sql('DELETE FROM message_text WHERE conversation_id = ?').run(id);
      const ins = this.sql('INSERT INTO messages (conversation_id, idx, role, content, turn_id) VALUES (?, ?, ?, ?, ?)');
      next.forEach((m, i) => {
        ins.run(id, i, m.role, JSON.stringify(m.content), kept[i]?.turn_id ?? null);
        this.indexText(id, i, m);
      });
      const stillUsed = new Set(kept.map((k) => k.turn_id));
      const del = this.sql('DELETE FROM turns WHERE id = ?');
      for (const t of turnIds) if (t.turn_id !== null && !stillUsed.has(t.turn_id)) del.run(t.turn_id);
      this.refreshMeta(id, next);
    })();
    return { removed: end - start, remaining: next.length };
  }

  /**
   * Idle-time warm-up (services/warm-up.ts): a short turn's writes and reads run once inside a transaction that is
   * then rolled back, so their statements are compiled and their code is warm before the first real turn, and
   * nothing is left behind (no row, no turn number used, no pending frame).
   */
  warmTurnPath(project: string): void {
    const id = `warm-up-${randomBytes(8).toString('hex')}`;
    const rollback = new Error('warm-up rollback');
    try {
      this.db.transaction(() => {
        const turnId = this.beginTurn(id, project, {}, Date.now());
        for (let n = 1; n <= 2; n++) this.recordFrame(turnId, { type: 'response.output_text.delta', sequence_number: n, item_id: 'warm-up', delta: 'warm-up ' });
        this.saveHistory(id, [{ role: 'user', content: 'warm-up' }, { role: 'assistant', content: [{ type: 'text', text: 'warm-up' }] }], 0, turnId);
        this.finishTurn(turnId, 'completed'); // forgets the turn's frames in memory too
        this.loadHistory(id);
        throw rollback;
      })();
    } catch (err) {
      if (err !== rollback) throw err;
    }
  }

  // --- turns and their frames -------------------------------------------------------------------------

  /** A chat turn's first rows in one commit: its conversation (when new) and the turn. */
  beginTurn(conversationId: string, project: string, extra: { scheduled_id?: string }, startedAtMs: number): number {
    return this.db.transaction(() => {
      this.insertIfMissing(conversationId, project, extra); // no read back: a turn does not use the row
      return this.startTurn(conversationId, startedAtMs);
    })();
  }

  startTurn(conversationId: string, startedAtMs: number): number {
    return Number(
      this.sql("INSERT INTO turns (conversation_id, started_at_ms, status) VALUES (?, ?, 'running')").run(conversationId, startedAtMs).lastInsertRowid,
    );
  }

  finishTurn(turnId: number, status: TurnStatus, error: string | null = null): void {
    this.frameLog.close(turnId, () => this.sql('UPDATE turns SET status = ?, finished_at_ms = ?, error = ? WHERE id = ?').run(status, Date.now(), error, turnId));
  }

  /** Store one frame now, as is (imports, one-off records). Live turns go through recordFrame. */
  appendFrame(turnId: number, seq: number, payload: object): void {
    this.sql('INSERT INTO turn_events (turn_id, seq, payload) VALUES (?, ?, ?)').run(turnId, seq, JSON.stringify(payload));
  }

  /** A live turn's frame: written with the next batch, text deltas coalesced (frame-log.ts). */
  recordFrame(turnId: number, frame: Record<string, unknown> & { type: string; sequence_number: number }): void {
    this.frameLog.add(turnId, frame);
  }

  /** Recorded frames from sequence number `fromSeq` on (exact, even inside a coalesced delta). */
  frames(turnId: number, fromSeq = 0): Record<string, unknown>[] {
    // This turn's pending frames are written first (the other turns' wait for their batch), so the replay is complete.
    this.frameLog.writePending(turnId);
    const rows = this.sql<[number, number], StoredFrameRow>(
      'SELECT seq, last_seq, parts, payload FROM turn_events WHERE turn_id = ? AND COALESCE(last_seq, seq) >= ? ORDER BY seq',
    ).all(turnId, fromSeq);
    return framesFromRows(rows, fromSeq);
  }

  latestTurn(conversationId: string): { id: number; status: TurnStatus; latest_seq: number } | null {
    return (
      this
        .sql<[string], { id: number; status: TurnStatus; latest_seq: number }>(
          'SELECT t.id, t.status, COALESCE((SELECT MAX(COALESCE(e.last_seq, e.seq)) FROM turn_events e WHERE e.turn_id = t.id), 0) AS latest_seq FROM turns t WHERE conversation_id = ? ORDER BY id DESC LIMIT 1',
        )
        .get(conversationId) ?? null
    );
  }

  /** Turns left `running` by a crash: mark them interrupted and return them. */
  sealInterruptedTurns(): { conversation_id: string; turn_id: number }[] {
    const rows = this.sql<[], { conversation_id: string; turn_id: number }>("SELECT conversation_id, id AS turn_id FROM turns WHERE status = 'running'").all();
    this.sql("UPDATE turns SET status = 'interrupted', finished_at_ms = ? WHERE status = 'running'").run(Date.now());
    return rows;
  }

  /** The reference's display rules: hide tool results and SYSTEM: nudges, merge assistant segments, attach frames. */
  displayMessages(id: string): DisplayMessage[] {
    const rows = this
      .sql<[string], { role: 'user' | 'assistant'; content: string; turn_id: number | null }>('SELECT role, content, turn_id FROM messages WHERE conversation_id = ? ORDER BY idx')
      .all(id);
    const bubbles: (DisplayMessage & { turnId: number | null })[] = [];
    for (const r of rows) {
      const msg: Message = { role: r.role, content: JSON.parse(r.content) as Message['content'] };
      if (msg.role === 'user') {
        if (!isUserInput(msg)) continue;
        bubbles.push({ role: 'user', content: userText(msg), turnId: r.turn_id });
        continue;
      }
      const text = messageText(msg).trim();
      if (!text) continue;
      const last = bubbles[bubbles.length - 1];
      if (last?.role === 'assistant') {
        last.content += `\n\n${text}`;
        last.turnId = r.turn_id ?? last.turnId;
      } else bubbles.push({ role: 'assistant', content: text, turnId: r.turn_id });
    }
    // Every turn's frames in one read, not one query per turn (a live turn's pending frames are written first).
    for (const b of bubbles) if (b.role === 'assistant' && b.turnId !== null) this.frameLog.writePending(b.turnId);
    const turns = new Map<number, { startedAt: number; rows: StoredFrameRow[] }>();
    for (const t of this.sql<[string], { id: number; started_at_ms: number }>('SELECT id, started_at_ms FROM turns WHERE conversation_id = ?').all(id)) {
      turns.set(t.id, { startedAt: t.started_at_ms, rows: [] });
    }
    const frameRows = this.sql<[string], StoredFrameRow & { turn_id: number }>(
      'SELECT e.turn_id, e.seq, e.last_seq, e.parts, e.payload FROM turns t JOIN turn_events e ON e.turn_id = t.id WHERE t.conversation_id = ? ORDER BY t.id, e.seq',
    ).all(id);
    for (const r of frameRows) turns.get(r.turn_id)?.rows.push(r);
    return bubbles.map(({ turnId, ...b }) => {
      const turn = b.role === 'assistant' && turnId !== null ? turns.get(turnId) : undefined; // a message's turn is its conversation's
      return turn ? { ...b, events: coalesceDeltas(framesFromRows(turn.rows, 0)), startedAt: turn.startedAt } : b;
    });
  }
}
