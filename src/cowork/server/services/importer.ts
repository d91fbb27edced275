import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { legacyProjectsStateFile } from '../../../core/paths.js';
import { isUserInput, messageText } from '../../../core/agent/history.js';
import type { Message } from '../../../core/llm/types.js';
import type { AppContext } from '../context.js';
import type { RunRecord, Schedule } from '../stores/schedules.js';
import { PIN_TYPES, type PinType } from '../stores/pins.js';
import { importPlaintextVault } from './vault-import.js';

export interface ImportReport {
  conversations: { imported: string[]; skipped: string[] };
  pins: number;
  schedules: number;
  runs: number;
  preferences: boolean;
  activeProject: string | null;
  vault: { imported: string[]; skipped: string[] };
  errors: string[];
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

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

function importConversations(ctx: AppContext, report: ImportReport): void {
  for (const project of ctx.projects.list()) {
    const dir = join(project.path, '.anton', 'episodes');
    if (!existsSync(dir)) continue;
    const ids = new Set(readdirSync(dir).flatMap((f) => /^(.+)_(meta|history)\.json$/.exec(f)?.[1] ?? []));
    for (const id of [...ids].sort()) {
      try {
        if (ctx.conversations.get(id)) {
          report.conversations.skipped.push(id);
          continue;
        }
        const meta = readJson<Record<string, unknown>>(join(dir, `${id}_meta.json`)) ?? {};
        const history = validMessages(readJson(join(dir, `${id}_history.json`)));
        const turns = readJson<{ by_assistant_turn?: Record<string, { started_at?: number; events?: unknown[] }> }>(join(dir, `${id}_turns.json`))?.by_assistant_turn ?? {};
        ctx.db.transaction(() => {
          ctx.conversations.ensure(id, project.name);
          if (history.length) ctx.conversations.saveHistory(id, history, 0, null);
          bubbleRanges(history).forEach((r, k) => {
            const t = turns[String(k)];
            if (!t) return;
            const turnId = ctx.conversations.startTurn(id, Number(t.started_at) || Date.now());
            (t.events ?? []).forEach((ev, i) => ctx.conversations.appendFrame(turnId, i + 1, ev as object));
            ctx.conversations.finishTurn(turnId, 'completed');
            ctx.conversations.assignTurn(id, r.start, r.end, turnId);
          });
          ctx.conversations.restoreMeta(id, {
            title: typeof meta.title === 'string' ? meta.title : undefined,
            preview: typeof meta.preview === 'string' ? meta.preview : undefined,
            created_at: typeof meta.created_at === 'string' ? meta.created_at : undefined,
            updated_at: typeof meta.updated_at === 'string' ? meta.updated_at : undefined,
            disabled_connections: Array.isArray(meta.disabled_connections) ? (meta.disabled_connections as { engine: string; name: string }[]) : [],
          });
        })();
        report.conversations.imported.push(id);
      } catch (e) {
        report.errors.push(`conversation ${id}: ${(e as Error).message}`);
      }
    }
  }
}

interface LegacyState {
  pins?: { type?: string; id?: string; title?: string }[];
  schedules?: Partial<Schedule>[];
  schedule_runs?: Record<string, RunRecord[]>;
  preferences?: Record<string, unknown>;
  visit_counts?: Record<string, number>;
}

function importState(ctx: AppContext, report: ImportReport): void {
  const state = readJson<LegacyState>(join(ctx.paths.coworkStateDir, 'state.json'));
  if (!state) return;
  const have = new Set(ctx.pins.list().map((p) => p.key));
  for (const p of [...(state.pins ?? [])].reverse()) {
    if (!p?.id || !PIN_TYPES.includes(p.type as PinType) || have.has(`${p.type}:${p.id}`)) continue;
    ctx.pins.upsert(p.type as PinType, p.id, p.title);
    report.pins++;
  }
  for (const s of state.schedules ?? []) {
    if (!s?.id || !s.prompt || ctx.schedules.get(s.id)) continue;
    const now = new Date().toISOString();
    ctx.schedules.insert({
      id: s.id,
      title: s.title ?? 'Scheduled task',
      prompt: s.prompt,
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
      createdAt: s.createdAt ?? now,
      updatedAt: s.updatedAt ?? now,
    });
    report.schedules++;
  }
  for (const [scheduleId, runs] of Object.entries(state.schedule_runs ?? {})) {
    const known = new Set(ctx.schedules.runs(scheduleId, 10_000).map((r) => r.id));
    for (const r of runs ?? []) {
      if (!r?.id || known.has(r.id)) continue;
      ctx.schedules.saveRun({ ...r, scheduleId });
      report.runs++;
    }
  }
  if (state.preferences && !ctx.kv.get('preferencesImported', false)) {
    const { greeting, tone, autoPin, showDots, showCounters, accentVariant } = state.preferences;
    const imported = Object.fromEntries(Object.entries({ greeting, tone, autoPin, showDots, showCounters, accentVariant }).filter(([, v]) => v !== undefined));
    ctx.kv.update('preferences', {} as Record<string, unknown>, (cur) => ({ ...imported, ...cur }));
    ctx.kv.set('preferencesImported', true);
    report.preferences = true;
  }
  for (const [id, n] of Object.entries(state.visit_counts ?? {})) {
    ctx.db.prepare('INSERT INTO visit_counts (id, count) VALUES (?, ?) ON CONFLICT(id) DO NOTHING').run(id, Number(n) || 0);
  }
}

/**
 * Adopt the Python server's data in place: conversations (with their recorded events), pins, schedules and
 * runs, preferences, the active project and the plaintext vault. Read-only on every source file; idempotent.
 */
export function importInstall(ctx: AppContext): ImportReport {
  const report: ImportReport = { conversations: { imported: [], skipped: [] }, pins: 0, schedules: 0, runs: 0, preferences: false, activeProject: null, vault: { imported: [], skipped: [] }, errors: [] };
  importConversations(ctx, report);
  try {
    importState(ctx, report);
  } catch (e) {
    report.errors.push(`state.json: ${(e as Error).message}`);
  }
  const active = readJson<{ activeProject?: string }>(legacyProjectsStateFile(ctx.paths))?.activeProject;
  if (active && ctx.kv.get<string | null>('activeProject', null) === null && ctx.projects.exists(active)) {
    ctx.projects.setActive(active);
    report.activeProject = active;
  }
  report.vault = importPlaintextVault(ctx.vault, ctx.paths.vaultDir);
  return report;
}
