import { copyFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { legacyProjectsStateFile } from '../../../core/paths.js';
import { resolveRole } from '../../../core/settings/providers.js';
import { isUserInput, messageText } from '../../../core/agent/history.js';
import { INSTRUCTIONS_FILE, LEGACY_INSTRUCTIONS_FILE, isUnwrittenInstructions } from '../../../core/agent/system-prompt.js';
import { writeFileAtomic } from '../../../core/fs/atomic.js';
import type { Message } from '../../../core/llm/types.js';
import type { ServerServices } from '../server-services.js';
import type { RunRecord, Schedule } from '../stores/schedules.js';
import { PIN_TYPES, type PinType } from '../stores/pins.js';
import { CONVERSATION_ID_RE } from '../stores/conversations.js';
import { fileSig, ImportLedger, sha256, type LedgerEntry } from './import-ledger.js';
import { count, deletedSinceBaseline, newReport, reconcileItem, summaryLine, type Baseline, type ImportReport } from './import-reconcile.js';
import { importPlaintextVault, plaintextCredentialFiles } from './vault-import.js';

export type { ImportReport } from './import-reconcile.js';

/** What adopting a Python install touches: the stores it fills, the settings it reads, the vault it imports into. */
export type ImportDeps = Pick<ServerServices, 'paths' | 'env' | 'log' | 'db' | 'kv' | 'projects' | 'conversations' | 'schedules' | 'legacyAttachments' | 'vault'>;

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const isoOr = (v: unknown, dflt: string): string => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : dflt);

function validMessages(raw: unknown): Message[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (m): m is Message => !!m && typeof m === 'object' && ((m as Message).role === 'user' || (m as Message).role === 'assistant') && (typeof (m as Message).content === 'string' || Array.isArray((m as Message).content)),
  );
}

/** The k-th displayed assistant bubble ↔ the message range of its exchange (same rules as /messages). */
function bubbleRanges(history: Message[]): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  let exchange = 0;
  let open = false;
  history.forEach((m, i) => {
    if (isUserInput(m)) {
      exchange = i;
      open = false;
      if (ranges.length) ranges[ranges.length - 1].end = Math.max(ranges[ranges.length - 1].end, i - 1);
      return;
    }
    if (m.role === 'assistant' && messageText(m).trim() && !open) {
      open = true;
      ranges.push({ start: exchange, end: i });
    } else if (open) ranges[ranges.length - 1].end = i;
  });
  return ranges;
}

// --- the reference's state.json ----------------------------------------------------------------------------

interface LegacyPin {
  type?: string;
  id?: string;
  title?: string;
  createdAt?: string;
  updatedAt?: string;
}

interface LegacyProvider {
  type?: string;
  name?: string;
  baseUrl?: string;
}

interface LegacyState {
  pins?: LegacyPin[];
  schedules?: Partial<Schedule>[];
  schedule_runs?: Record<string, RunRecord[]>;
  preferences?: Record<string, unknown> & { providers?: LegacyProvider[] };
  visit_counts?: Record<string, number>;
  attachments?: Record<string, Record<string, unknown>>;
  publish_history?: Record<string, unknown>[];
}

interface Source {
  statePath: string;
  state: LegacyState;
  /** conversation id → schedule id, from the run records (C's `scheduled_id`). */
  runsBySession: Map<string, string>;
}

function loadSource(ctx: ImportDeps): Source {
  const statePath = join(ctx.paths.coworkStateDir, 'state.json');
  const state = parseJson<LegacyState>(readText(statePath)) ?? {};
  const runsBySession = new Map<string, string>();
  for (const [scheduleId, runs] of Object.entries(state.schedule_runs ?? {})) {
    for (const r of Array.isArray(runs) ? runs : []) if (r?.sessionId) runsBySession.set(r.sessionId, scheduleId);
  }
  return { statePath, state, runsBySession };
}

// --- conversations -----------------------------------------------------------------------------------------

interface ConversationSource {
  id: string;
  project: string;
  meta: Record<string, unknown>;
  history: Message[];
  turns: Record<string, { started_at?: number; events?: unknown[] }>;
}

/**
 * A conversation rebuilt from A's episodic log (`<id>.jsonl`: `{ts, role, content}` lines): its user and assistant
 * text, in order; a last question without an answer gets a note so the history stays valid.
 */
function fromEpisodicLog(id: string, project: string, text: string): ConversationSource {
  const history: Message[] = [];
  let first = '';
  let last = '';
  for (const line of text.split('\n')) {
    const e = parseJson<{ ts?: string; role?: string; content?: unknown }>(line.trim() || null);
    if (!e || (e.role !== 'user' && e.role !== 'assistant') || typeof e.content !== 'string' || !e.content.trim()) continue;
    first ||= e.ts ?? '';
    last = e.ts ?? last;
    const prev = history[history.length - 1];
    if (prev?.role === e.role) prev.content = `${String(prev.content)}\n\n${e.content}`;
    else history.push({ role: e.role, content: e.content });
  }
  if (history[history.length - 1]?.role === 'user') history.push({ role: 'assistant', content: '_[This turn did not finish in the Python app.]_' });
  const question = history.find((m) => m.role === 'user')?.content;
  const title = typeof question === 'string' ? question.replace(/\s+/g, ' ').trim().slice(0, 50) : id;
  return { id, project, meta: { title, preview: title, created_at: isoOr(first, ''), updated_at: isoOr(last, '') }, history, turns: {} };
}

/** What a conversation looks like here: its messages (a fingerprint to notice edits made here). */
function localHistoryHash(ctx: ImportDeps, id: string): string {
  return sha256(JSON.stringify(ctx.conversations.loadHistory(id)));
}

/** Write (or rewrite) a conversation from its source files; metadata, dates and recorded frames included. */
function writeConversation(ctx: ImportDeps, localId: string, project: string, src: ConversationSource, scheduledId: string | undefined, keep: { title?: string; disabled?: boolean } = {}): void {
  const { meta, history, turns } = src;
  ctx.db.transaction(() => {
    const existing = ctx.conversations.get(localId);
    if (existing) {
      // Replaced wholesale: the source is the longer truth and nothing here changed since the last import.
      ctx.db.prepare('DELETE FROM message_text WHERE conversation_id = ?').run(localId);
      ctx.db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(localId);
      ctx.db.prepare('DELETE FROM turns WHERE conversation_id = ?').run(localId);
    }
    ctx.conversations.ensure(localId, existing?.project ?? project, scheduledId ? { scheduled_id: scheduledId } : {});
    if (existing && scheduledId && !existing.scheduled_id) ctx.db.prepare('UPDATE conversations SET scheduled_id = ? WHERE id = ?').run(scheduledId, localId);
    if (history.length) ctx.conversations.saveHistory(localId, history, 0, null);
    bubbleRanges(history).forEach((r, k) => {
      const t = turns[String(k)];
      if (!t) return;
      const turnId = ctx.conversations.startTurn(localId, Number(t.started_at) || Date.now());
      (Array.isArray(t.events) ? t.events : []).forEach((ev, i) => ctx.conversations.appendFrame(turnId, i + 1, ev as object));
      ctx.conversations.finishTurn(turnId, 'completed');
      ctx.conversations.assignTurn(localId, r.start, r.end, turnId);
    });
    const title = keep.title ?? (typeof meta.title === 'string' ? meta.title : undefined);
    ctx.conversations.restoreMeta(localId, {
      title,
      preview: typeof meta.preview === 'string' ? meta.preview : undefined,
      created_at: typeof meta.created_at === 'string' ? meta.created_at : undefined,
      updated_at: typeof meta.updated_at === 'string' ? meta.updated_at : undefined,
      disabled_connections: keep.disabled && existing ? existing.disabled_connections : Array.isArray(meta.disabled_connections) ? (meta.disabled_connections as { engine: string; name: string }[]) : [],
    });
  })();
}

/** C's fallback for `scheduled_id`: a run's conversation is titled with the schedule's prompt, in its project. */
function scheduleFor(src: ConversationSource, source: Source): string | undefined {
  const byRun = source.runsBySession.get(src.id);
  if (byRun) return byRun;
  const title = typeof src.meta.title === 'string' ? src.meta.title : '';
  return (source.state.schedules ?? []).find((s) => s?.id && s.prompt && (s.prompt.slice(0, 60) || s.prompt) === title && (s.project || 'general') === src.project)?.id;
}

/** A free local id for the Python copy of a conversation that changed on both sides. */
function forkId(ctx: ImportDeps, id: string): string {
  for (let n = 2; ; n++) {
    const candidate = `${id}_py${n}`.slice(0, 128);
    if (!ctx.conversations.get(candidate) && CONVERSATION_ID_RE.test(candidate)) return candidate;
  }
}

function reconcileConversation(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport, source: Source, project: string, dir: string, id: string, baseline: Baseline, priorById: Map<string, LedgerEntry[]>): void {
  const files = [`${id}_meta.json`, `${id}_history.json`, `${id}_turns.json`].map((f) => join(dir, f));
  // A conversation whose turns A never persisted (an aborted first turn) lives only in its episodic log.
  const jsonl = join(dir, `${id}.jsonl`);
  const episodicOnly = !existsSync(files[0]) && !existsSync(files[1]);
  const sourcePath = episodicOnly ? jsonl : files[1];
  const sig = fileSig(...(episodicOnly ? [jsonl] : files));
  // Keyed by project and id: A could fork one id into two projects (§10.6), and a move there changes the project.
  const key = `${project}/${id}`;
  let entry = ledger.get('conversation', key);
  if (!entry) {
    const moved = (priorById.get(id) ?? []).find((e) => e.source_key !== key && !existsSync(e.source_path) && !existsSync(e.source_path.replace(/_history\.json$/, '_meta.json')));
    if (moved) entry = ledger.rekey(moved, key); // moved to another project on the Python side: the same conversation
  }
  if (entry && entry.source_sig === sig) return count(report, 'conversation', entry && ledger.isTombstoned('conversation', entry.local_id) ? 'tombstoned' : 'skipped');
  const raw = episodicOnly ? [null, null, null, readText(jsonl)] : files.map(readText);
  const hash = sha256(raw.map((t) => t ?? '').join('\u0000'));
  if (entry && entry.source_hash === hash) {
    ledger.touch('conversation', key, sig);
    return count(report, 'conversation', ledger.isTombstoned('conversation', entry.local_id) ? 'tombstoned' : 'skipped');
  }
  const src: ConversationSource = episodicOnly
    ? fromEpisodicLog(id, project, raw[3] ?? '')
    : {
        id,
        project,
        meta: parseJson<Record<string, unknown>>(raw[0]) ?? {},
        history: validMessages(parseJson(raw[1])),
        turns: parseJson<{ by_assistant_turn?: ConversationSource['turns'] }>(raw[2])?.by_assistant_turn ?? {},
      };
  const scheduledId = scheduleFor(src, source);
  const remember = (localId: string, localTitle?: string) =>
    ledger.record({ kind: 'conversation', source_key: key, source_path: sourcePath, source_sig: sig, source_hash: hash, local_id: localId, local_hash: JSON.stringify({ h: localHistoryHash(ctx, localId), t: localTitle ?? ctx.conversations.get(localId)?.title ?? '' }) });

  const importCopy = (title: string) => {
    const copy = forkId(ctx, id);
    writeConversation(ctx, copy, project, { ...src, meta: { ...src.meta, title } }, scheduledId);
    remember(copy);
    report.conversations.imported.push(copy);
    count(report, 'conversation', 'imported');
  };
  if (entry) {
    // Changed on the Python side since the last import.
    const local = ctx.conversations.get(entry.local_id);
    if (!local || ledger.isTombstoned('conversation', entry.local_id)) {
      ledger.tombstone('conversation', entry.local_id); // deleted here (a project delete too): stays deleted
      ledger.record({ ...entry, source_sig: sig, source_hash: hash });
      return count(report, 'conversation', 'tombstoned');
    }
    const before = parseJson<{ h?: string; t?: string }>(entry.local_hash) ?? {};
    if (before.h === localHistoryHash(ctx, entry.local_id)) {
      // Untouched here: take the new version (a renamed title and muted connections stay as set here).
      const keepTitle = local.title !== before.t || entry.local_id !== id; // renamed here, or the "(from the Python app)" copy
      writeConversation(ctx, entry.local_id, project, src, scheduledId, { title: keepTitle ? local.title : undefined, disabled: true });
      remember(entry.local_id);
      report.conversations.updated.push(entry.local_id);
      return count(report, 'conversation', 'updated');
    }
    // Continued on both sides: keep this server's conversation and import the Python one beside it.
    report.conflicts.push(`conversation ${id}: continued both here and in the Python app; the Python version was imported beside it`);
    return importCopy(`${String(src.meta.title || id)} (from the Python app)`);
  }

  const local = ctx.conversations.get(id);
  if (local && ledger.byLocal('conversation', id)) {
    // The same id already came from another source (A's fork of one id into two projects): import this one beside it.
    return importCopy(String(src.meta.title || id));
  }
  if (local) {
    // Already here without a ledger entry (imported by an earlier version, which kept no ledger).
    const here = ctx.conversations.loadHistory(id);
    const isPrefix = (a: Message[], b: Message[]) => a.length <= b.length && JSON.stringify(a) === JSON.stringify(b.slice(0, a.length));
    if (isPrefix(src.history, here)) {
      remember(id); // the same, or continued only here
      return count(report, 'conversation', 'skipped');
    }
    if (isPrefix(here, src.history)) {
      // Continued only in the Python app: take the new turns.
      writeConversation(ctx, id, project, src, scheduledId, { title: local.title, disabled: true });
      remember(id);
      report.conversations.updated.push(id);
      return count(report, 'conversation', 'updated');
    }
    report.conflicts.push(`conversation ${id}: continued both here and in the Python app; the Python version was imported beside it`);
    return importCopy(`${String(src.meta.title || id)} (from the Python app)`);
  }
  if (deletedSinceBaseline(baseline, Math.max(...files.map((f) => mtimeOf(f))))) {
    // Imported by an earlier version and deleted here since (that version kept no tombstones).
    ledger.record({ kind: 'conversation', source_key: key, source_path: sourcePath, source_sig: sig, source_hash: hash, local_id: id, local_hash: '' });
    ledger.tombstone('conversation', id);
    return count(report, 'conversation', 'tombstoned');
  }
  writeConversation(ctx, id, project, src, scheduledId);
  remember(id);
  report.conversations.imported.push(id);
  count(report, 'conversation', 'imported');
}

/**
 * `quick` (boots): an episodes folder whose own mtime is unchanged since the last reconcile is skipped without
 * looking at its files: the Python app writes every episode file atomically (temporary file, then rename), and a
 * rename always touches the folder. The command always looks at every file.
 */
function reconcileConversations(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport, source: Source, baseline: Baseline, quick: boolean): void {
  let priorById: Map<string, LedgerEntry[]> | null = null;
  const dirSigs = ctx.kv.get<Record<string, string>>('importEpisodeDirs', {});
  const seen: Record<string, string> = {};
  for (const project of ctx.projects.list()) {
    const dir = join(project.path, '.anton', 'episodes');
    if (!existsSync(dir)) continue;
    const dirSig = fileSig(dir);
    if (quick && dirSigs[dir] === dirSig) {
      seen[dir] = dirSig;
      continue;
    }
    // Source conversation id → its ledger entries, read once (a move on the Python side is found without a scan per id).
    if (!priorById) {
      priorById = new Map<string, LedgerEntry[]>();
      for (const e of ledger.all('conversation')) {
        const id = e.source_key.slice(e.source_key.indexOf('/') + 1);
        priorById.set(id, [...(priorById.get(id) ?? []), e]);
      }
    }
    const ids = new Set(readdirSync(dir).flatMap((f) => /^(.+?)(?:_(?:meta|history)\.json|\.jsonl)$/.exec(f)?.[1] ?? []));
    let failed = false;
    for (const id of [...ids].sort()) {
      if (!CONVERSATION_ID_RE.test(id)) continue;
      try {
        reconcileConversation(ctx, ledger, report, source, project.name, dir, id, baseline, priorById);
      } catch (e) {
        failed = true;
        report.errors.push(`conversation ${id}: ${(e as Error).message}`);
      }
    }
    if (!failed) seen[dir] = dirSig; // a failed item is retried next boot
  }
  ctx.kv.set('importEpisodeDirs', seen);
}

// --- items of state.json -----------------------------------------------------------------------------------

function pinRow(ctx: ImportDeps, key: string): Record<string, unknown> | undefined {
  return ctx.db.prepare<[string], Record<string, unknown>>('SELECT key, type, id, title, created_at, updated_at FROM pins WHERE key = ?').get(key);
}

function reconcilePins(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport, source: Source, baseline: Baseline): void {
  // Oldest first, each put in front: the reference's order (newest first) comes out unchanged.
  for (const p of [...(source.state.pins ?? [])].reverse()) {
    if (!p?.id || !PIN_TYPES.includes(p.type as PinType)) continue;
    const key = `${p.type}:${p.id}`;
    const now = new Date().toISOString();
    const createdAt = isoOr(p.createdAt, now);
    const updatedAt = isoOr(p.updatedAt, createdAt);
    reconcileItem(ledger, report, source.statePath, baseline, {
      since: Date.parse(createdAt),
      kind: 'pin',
      key,
      localId: key,
      item: p,
      exists: () => !!pinRow(ctx, key),
      localHash: () => sha256(JSON.stringify(pinRow(ctx, key))),
      create: () => {
        const min = ctx.db.prepare<[], { m: number | null }>('SELECT MIN(position) AS m FROM pins').get()?.m ?? 0;
        ctx.db.prepare('INSERT INTO pins (key, type, id, title, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(key, p.type, p.id, p.title || p.id, min - 1, createdAt, updatedAt);
      },
      update: () => void ctx.db.prepare('UPDATE pins SET title = ?, updated_at = ? WHERE key = ?').run(p.title || p.id, updatedAt, key),
    });
  }
  for (const [id, n] of Object.entries(source.state.visit_counts ?? {})) {
    ctx.db.prepare('INSERT INTO visit_counts (id, count) VALUES (?, ?) ON CONFLICT(id) DO NOTHING').run(id, Number(n) || 0);
  }
}

function toSchedule(s: Partial<Schedule>): Schedule {
  const now = new Date().toISOString();
  return {
    id: s.id!,
    title: s.title ?? 'Scheduled task',
    prompt: s.prompt!,
    cadence: s.cadence ?? 'once',
    cron: s.cron ?? null,
    timezone: s.timezone ?? 'local',
    nextRunAt: s.nextRunAt ?? null,
    enabled: s.enabled ?? true,
    project: s.project ?? null,
    model: s.model ?? null,
    lastRunAt: s.lastRunAt ?? null,
    lastResultSessionId: s.lastResultSessionId ?? null,
    lastError: s.lastError ?? null,
    catchupPending: false,
    missedRuns: s.missedRuns ?? 0,
    createdAt: isoOr(s.createdAt, now),
    updatedAt: isoOr(s.updatedAt, now),
  };
}

function reconcileSchedules(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport, source: Source, baseline: Baseline): void {
  for (const s of source.state.schedules ?? []) {
    if (!s?.id || !s.prompt) continue;
    const id = s.id;
    reconcileItem(ledger, report, source.statePath, baseline, {
      since: Date.parse(String(s.createdAt ?? '')),
      kind: 'schedule',
      key: id,
      localId: id,
      item: s,
      exists: () => !!ctx.schedules.get(id),
      localHash: () => sha256(JSON.stringify(ctx.schedules.get(id))),
      create: () => void ctx.schedules.insert(toSchedule(s)),
      update: () => void ctx.db.prepare('UPDATE schedules SET data = ? WHERE id = ?').run(JSON.stringify(toSchedule(s)), id),
    });
  }
  // Run history: added when missing, for schedules that exist here (a deleted schedule's runs stay away).
  for (const [scheduleId, runs] of Object.entries(source.state.schedule_runs ?? {})) {
    if (!ctx.schedules.get(scheduleId)) continue;
    const known = new Set(ctx.schedules.runs(scheduleId, 10_000).map((r) => r.id));
    for (const r of Array.isArray(runs) ? runs : []) {
      if (!r?.id) continue;
      if (known.has(r.id) || ledger.get('run', r.id)) {
        count(report, 'run', 'skipped');
        continue;
      }
      ctx.schedules.saveRun({ ...r, scheduleId });
      ledger.record({ kind: 'run', source_key: r.id, source_path: source.statePath, source_sig: '', source_hash: sha256(JSON.stringify(r)), local_id: r.id, local_hash: '' });
      count(report, 'run', 'imported');
    }
  }
}

function attachmentData(ctx: ImportDeps, id: string): string | undefined {
  return ctx.db.prepare<[string], { data: string }>('SELECT data FROM attachments WHERE id = ?').get(id)?.data;
}

/** A's attachments (a file or a text snippet) from `state.json`; the files stay where A put them. */
function reconcileAttachments(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport, source: Source): void {
  for (const [key, a] of Object.entries(source.state.attachments ?? {})) {
    const id = typeof a?.id === 'string' ? a.id : key;
    if (!/^att_[A-Za-z0-9]{4,64}$/.test(id)) continue;
    const now = new Date().toISOString();
    const record = { ...a, id, createdAt: isoOr(a.createdAt, now), updatedAt: isoOr(a.updatedAt, isoOr(a.createdAt, now)) };
    reconcileItem(
      ledger,
      report,
      source.statePath,
      null, // the earlier version never imported attachments: none of them was deleted here
      {
        kind: 'attachment',
        key: id,
        localId: id,
        item: a,
        exists: () => attachmentData(ctx, id) !== undefined,
        localHash: () => sha256(attachmentData(ctx, id) ?? ''),
        create: () => ctx.legacyAttachments.insert({ ...record, sessionId: typeof a.sessionId === 'string' ? a.sessionId : null }),
        update: () => void ctx.db.prepare('UPDATE attachments SET data = ?, session_id = ? WHERE id = ?').run(JSON.stringify(record), typeof a.sessionId === 'string' ? a.sessionId : null, id),
      },
    );
  }
}

/** UI preferences, once: A's `defaultModel`, and C's model mode, per-role overrides and provider names. */
function importPreferences(ctx: ImportDeps, report: ImportReport, source: Source): void {
  const prefs = source.state.preferences;
  if (!prefs) return;
  if (ctx.kv.get('preferencesImported', false)) return count(report, 'preferences', 'skipped');
  const { greeting, tone, autoPin, showDots, showCounters, accentVariant } = prefs;
  const imported = Object.fromEntries(Object.entries({ greeting, tone, autoPin, showDots, showCounters, accentVariant }).filter(([, v]) => v !== undefined));
  ctx.kv.update('preferences', {} as Record<string, unknown>, (cur) => ({ ...imported, ...cur }));
  // A's model picker was a preference of its own, apart from the planning model: keep sending it (see settings).
  if (typeof prefs.defaultModel === 'string' && prefs.defaultModel && !/^_.*_$/.test(prefs.defaultModel)) {
    ctx.kv.set('importedDefaultModel', { model: prefs.defaultModel, planningModel: resolveRole(ctx.env, 'planning').model });
  }
  if ((prefs.modelMode === 'custom' || prefs.modelMode === 'default') && ctx.kv.get<string | null>('modelMode', null) === null) ctx.kv.set('modelMode', prefs.modelMode);
  if (prefs.modelOverrides && typeof prefs.modelOverrides === 'object' && ctx.kv.get<unknown>('modelOverrides', null) === null) ctx.kv.set('modelOverrides', prefs.modelOverrides);
  if (prefs.providerStatus && typeof prefs.providerStatus === 'object' && ctx.kv.get<unknown>('providerStatus', null) === null) ctx.kv.set('providerStatus', prefs.providerStatus);
  // C kept the custom endpoint's display name only in state.json; its key and URL are in ~/.anton/.env already.
  const compatible = (Array.isArray(prefs.providers) ? prefs.providers : []).find((p) => p?.type === 'openai-compatible');
  const changes: Record<string, string> = {};
  if (compatible?.name && !ctx.env.get('ANTON_COMPATIBLE_NAME')) changes.ANTON_COMPATIBLE_NAME = compatible.name;
  if (compatible?.baseUrl && !ctx.env.get('ANTON_COMPATIBLE_BASE_URL') && !ctx.env.get('ANTON_OPENAI_BASE_URL')) changes.ANTON_COMPATIBLE_BASE_URL = compatible.baseUrl;
  if (Object.keys(changes).length) ctx.env.write(changes);
  ctx.kv.set('preferencesImported', true);
  count(report, 'preferences', 'imported');
}

/** A's publish history (the publish page's list), merged in; each entry once. */
function importPublishHistory(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport, source: Source): void {
  const key = (h: Record<string, unknown>) => `${String(h.url)}\u0000${String(h.publishedAt ?? '')}`;
  const entries = (source.state.publish_history ?? []).filter((h) => h && typeof h.url === 'string');
  const fresh = entries.filter((h) => !ledger.get('publish', key(h)));
  entries.filter((h) => !fresh.includes(h)).forEach(() => count(report, 'publish', 'skipped'));
  if (!fresh.length) return;
  ctx.kv.update('publishHistory', [] as Record<string, unknown>[], (cur) => {
    const have = new Set(cur.map(key));
    const added = fresh.filter((h) => !have.has(key(h)));
    for (const h of fresh) ledger.record({ kind: 'publish', source_key: key(h), source_path: source.statePath, source_sig: '', source_hash: sha256(JSON.stringify(h)), local_id: key(h), local_hash: '' });
    fresh.forEach((h) => count(report, 'publish', added.includes(h) ? 'imported' : 'skipped'));
    return [...cur, ...added].sort((a, b) => String(b.publishedAt ?? '').localeCompare(String(a.publishedAt ?? ''))).slice(0, 100);
  });
}

// --- project instructions ----------------------------------------------------------------------------------

/**
 * A's `.context/anton.md` becomes the project's `.anton/anton.md` (what this server's files API, instructions route
 * and agent use) when nothing was written there yet; a non-empty file it replaces is kept as
 * `.anton/anton.md.before-import`. `.context/anton.md` itself is never changed. Later edits on the Python side
 * follow while `.anton/anton.md` is still the imported text.
 */
function reconcileInstructions(ctx: ImportDeps, ledger: ImportLedger, report: ImportReport): void {
  for (const project of ctx.projects.list()) {
    const srcFile = join(project.path, LEGACY_INSTRUCTIONS_FILE);
    const text = readText(srcFile);
    if (text === null || !text.trim()) continue;
    const target = join(project.path, INSTRUCTIONS_FILE);
    const hash = sha256(text);
    const entry = ledger.get('instructions', project.name);
    const localText = readText(target) ?? '';
    const write = () => {
      if (localText.trim()) copyFileSync(target, `${target}.before-import`);
      writeFileAtomic(target, text);
    };
    const remember = () => ledger.record({ kind: 'instructions', source_key: project.name, source_path: srcFile, source_sig: '', source_hash: hash, local_id: project.name, local_hash: sha256(readText(target) ?? '') });
    try {
      if (entry?.source_hash === hash) {
        count(report, 'instructions', 'skipped');
        continue;
      }
      if (localText === text) {
        remember();
        count(report, 'instructions', 'skipped');
      } else if (entry ? entry.local_hash === sha256(localText) : isUnwrittenInstructions(localText)) {
        write();
        remember();
        count(report, 'instructions', entry ? 'updated' : 'imported');
      } else {
        if (entry) ledger.record({ ...entry, source_hash: hash });
        else ledger.record({ kind: 'instructions', source_key: project.name, source_path: srcFile, source_sig: '', source_hash: hash, local_id: project.name, local_hash: sha256(localText) });
        report.conflicts.push(`instructions of ${project.name}: ${INSTRUCTIONS_FILE} was written here; kept it (${LEGACY_INSTRUCTIONS_FILE} left as is)`);
        count(report, 'instructions', 'skipped');
      }
    } catch (e) {
      report.errors.push(`instructions of ${project.name}: ${(e as Error).message}`);
    }
  }
}

// --- the whole reconciliation ------------------------------------------------------------------------------

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * When an earlier version imported (its first boot created the database then): the database file's birth time, or 0
 * where the file system does not record one (then every missing item is taken as deleted).
 */
function earlierImportTime(ctx: ImportDeps): number {
  try {
    return statSync(ctx.paths.databaseFile).birthtimeMs || 0;
  } catch {
    return 0;
  }
}

/**
 * Adopt the Python server's data in place, as a reconciliation: new items are imported, items changed on the Python
 * side are updated (when untouched here), and items deleted here stay deleted (tombstones). Source files are only
 * read (A's `.context/anton.md` is copied, see reconcileInstructions). Safe to run at every boot.
 */
export function importInstall(ctx: ImportDeps, opts: { quick?: boolean } = {}): ImportReport {
  const report = newReport();
  const ledger = new ImportLedger(ctx.db);
  // An install that an earlier version imported (it kept no ledger): whatever of those kinds is missing here now
  // was deleted by the user, so it becomes a tombstone instead of coming back.
  const baseline: Baseline = ctx.kv.get('installImported', false) && !ctx.kv.get('importReconciled', false) ? earlierImportTime(ctx) : null;
  let source: Source;
  try {
    source = loadSource(ctx);
  } catch (e) {
    report.errors.push(`state.json: ${(e as Error).message}`);
    source = { statePath: '', state: {}, runsBySession: new Map() };
  }
  reconcileConversations(ctx, ledger, report, source, baseline, opts.quick ?? false);
  for (const step of [reconcilePins, reconcileSchedules, reconcileAttachments] as const) {
    try {
      step(ctx, ledger, report, source, baseline);
    } catch (e) {
      report.errors.push(`state.json (${step.name}): ${(e as Error).message}`);
    }
  }
  try {
    importPreferences(ctx, report, source);
    importPublishHistory(ctx, ledger, report, source);
  } catch (e) {
    report.errors.push(`state.json preferences: ${(e as Error).message}`);
  }
  reconcileInstructions(ctx, ledger, report);
  const active = parseJson<{ activeProject?: string }>(readText(legacyProjectsStateFile(ctx.paths)))?.activeProject;
  if (active && ctx.kv.get<string | null>('activeProject', null) === null && ctx.projects.exists(active)) {
    ctx.projects.setActive(active);
    report.activeProject = active;
  }
  try {
    importPlaintextVault(ctx.vault, ctx.paths.vaultDir, ledger, report, baseline);
  } catch (e) {
    report.errors.push(`data_vault: ${(e as Error).message}`);
  }
  report.plaintextCredentials = plaintextCredentialFiles(ctx.vault, ctx.paths.vaultDir, ledger);
  ctx.kv.set('installImported', true);
  ctx.kv.set('importReconciled', true);
  return report;
}

/**
 * Every boot reconciles (cheap when nothing changed: one stat per project folder, see reconcileConversations), so a user who
 * still runs the Python app now and then finds its new work here after a restart. `ANTON_IMPORT_ON_BOOT=false` turns
 * it off; `anton cowork-server import` always runs it and prints the report.
 */
export function reconcileOnBoot(ctx: ImportDeps): ImportReport | null {
  if (!ctx.env.setting('ANTON_IMPORT_ON_BOOT')) return null;
  let r: ImportReport;
  try {
    r = importInstall(ctx, { quick: true });
  } catch (e) {
    // Never a reason not to start: the next boot (or the command) tries again.
    ctx.log.error({ err: (e as Error).message }, 'could not reconcile the Python app\'s data; run `anton cowork-server import` to see why');
    return null;
  }
  const changed = r.totals.imported + r.totals.updated > 0;
  if (changed || r.errors.length || r.conflicts.length) {
    ctx.log.info({ summary: summaryLine(r), kinds: r.kinds, conflicts: r.conflicts, errors: r.errors }, 'reconciled the Python app\'s data');
  }
  if (r.plaintextCredentials.length && changed) {
    ctx.log.warn({ files: r.plaintextCredentials.length }, 'plaintext credential files of the Python app are still readable; run `anton cowork-server import --remove-plaintext-credentials` once you no longer use it');
  }
  return r;
}

