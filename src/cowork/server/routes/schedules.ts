import { z } from 'zod';
import { CADENCES, validateCadence, type Cadence } from '../../../core/schedule/cadence.js';
import { badRequest, notFound } from '../errors.js';
import { newId, type Schedule } from '../stores/schedules.js';
import type { Scheduler } from '../services/scheduler.js';
import type { ServerServices } from '../server-services.js';
import { routeGroup } from './types.js';
import { recordTombstone } from '../services/import-ledger.js';

const Fields = {
  title: z.string().max(160),
  prompt: z.string().min(1),
  cadence: z.string(),
  timezone: z.string(),
  next_run_at: z.string(),
  project: z.string().nullish(),
  model: z.string().nullish(),
  enabled: z.boolean(),
  cron: z.string().max(200).nullish(),
};
const Create = z.object({
  ...Fields,
  title: Fields.title.default('Scheduled task'),
  cadence: Fields.cadence.default('once'),
  timezone: Fields.timezone.default('local'),
  enabled: Fields.enabled.default(true),
});
const Update = z.object(Fields).partial();
const IdParams = z.object({ id: z.string() });

function parseWhen(v: string): string {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`); // naive times are UTC, as in the reference
  if (!/^\d{4}-\d\d-\d\d/.test(v) || Number.isNaN(d.getTime())) throw badRequest('Next run time must be a valid ISO datetime.');
  return d.toISOString();
}

function titleFrom(title: string | undefined, prompt: string): string {
  const t = (title ?? '').trim();
  if (t && t !== 'Scheduled task') return t;
  const first = prompt.trim().split('\n')[0];
  return first.length > 60 ? `${first.slice(0, 60)}…` : first || 'Scheduled task';
}

function checkCadence(s: Pick<Schedule, 'cadence' | 'timezone' | 'cron' | 'nextRunAt'>): void {
  if (!(CADENCES as readonly string[]).includes(s.cadence)) throw badRequest('Cadence must be once, hourly, daily, weekly, or cron.');
  try {
    validateCadence({ cadence: s.cadence as Cadence, timezone: s.timezone, anchor: new Date(s.nextRunAt ?? Date.now()), cron: s.cron });
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/** The conversation as a task object (reference TaskObject) for run-now. */
function taskFor(ctx: Pick<ServerServices, 'conversations'>, s: Schedule, conversationId: string, status: string) {
  const meta = ctx.conversations.get(conversationId);
  return {
    id: conversationId,
    title: s.title || meta?.title || '',
    summary: 'Scheduled Anton task',
    project: meta?.project ?? s.project ?? 'general',
    model: s.model,
    status,
    createdAt: meta?.created_at ?? new Date().toISOString(),
    updatedAt: meta?.updated_at ?? new Date().toISOString(),
    scheduledId: s.id,
    attachments: [],
    messages: [{ role: 'user', content: s.prompt, createdAt: meta?.created_at ?? new Date().toISOString(), attachments: [] }],
  };
}

export const scheduleRoutes = routeGroup(['conversations', 'db', 'scheduler', 'schedules'], (app, ctx) => {
  const store = ctx.schedules;
  const scheduler = (): Scheduler => ctx.scheduler;
  const mustGet = (id: string) => {
    const s = store.get(id);
    if (!s) throw notFound('Schedule not found.');
    return s;
  };

  app.get('/v1/schedules', { schema: { tags: ['schedules'] } }, async () => ({ schedules: store.list(), runs_index: store.runsIndex() }));

  app.post('/v1/schedules', { schema: { tags: ['schedules'], body: Create } }, async (req) => {
    const b = req.body;
    const now = new Date().toISOString();
    const s: Schedule = {
      id: newId('sch'),
      title: titleFrom(b.title, b.prompt),
      prompt: b.prompt,
      cadence: b.cadence,
      cron: b.cron ?? null,
      timezone: b.timezone,
      nextRunAt: parseWhen(b.next_run_at),
      enabled: b.enabled,
      project: b.project ?? null,
      model: b.model ?? null,
      lastRunAt: null,
      lastResultSessionId: null,
      lastError: null,
      catchupPending: false,
      missedRuns: 0,
      createdAt: now,
      updatedAt: now,
    };
    checkCadence(s);
    return { schedule: store.insert(s) };
  });

  const update = (id: string, b: z.infer<typeof Update>) => {
    const cur = mustGet(id);
    const next: Schedule = {
      ...cur,
      ...(b.title !== undefined ? { title: titleFrom(b.title, b.prompt ?? cur.prompt) } : {}),
      ...(b.prompt !== undefined ? { prompt: b.prompt } : {}),
      ...(b.cadence !== undefined ? { cadence: b.cadence } : {}),
      ...(b.cron !== undefined ? { cron: b.cron ?? null } : {}),
      ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
      ...(b.project !== undefined ? { project: b.project ?? null } : {}),
      ...(b.model !== undefined ? { model: b.model ?? null } : {}),
      ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
      ...(b.next_run_at !== undefined ? { nextRunAt: parseWhen(b.next_run_at) } : {}),
    };
    if (b.next_run_at !== undefined || b.enabled === true) next.missedRuns = 0;
    checkCadence(next);
    return { schedule: store.update(id, () => next)! };
  };

  app.put('/v1/schedules/:id', { schema: { tags: ['schedules'], params: IdParams, body: Update } }, async (req) => update(req.params.id, req.body));
  app.post('/v1/schedules/:id/pause', { schema: { tags: ['schedules'], params: IdParams } }, async (req) => update(req.params.id, { enabled: false }));
  app.post('/v1/schedules/:id/resume', { schema: { tags: ['schedules'], params: IdParams } }, async (req) => update(req.params.id, { enabled: true }));

  app.delete('/v1/schedules/:id', { schema: { tags: ['schedules'], params: IdParams } }, async (req) => {
    if (!store.delete(req.params.id)) throw notFound('Schedule not found.');
    recordTombstone(ctx.db, 'schedule', req.params.id); // an imported schedule stays deleted
    return { ok: true };
  });

  // Answers when the run has finished, as the reference does: the schedule page refetches its runs only when
  // `lastRunAt` changes. The run is detached from the request (it goes on if the client disconnects) and its
  // conversation streams like any other meanwhile (in-flight list, tail).
  app.post('/v1/schedules/:id/run-now', { schema: { tags: ['schedules'], params: IdParams } }, async (req) => {
    const s = mustGet(req.params.id);
    const started = scheduler().runNow(s.id)!;
    await started.done;
    const run = store.runs(s.id, 50).find((r) => r.id === started.run.id);
    return { schedule: store.get(s.id), session: taskFor(ctx, s, started.run.sessionId, run?.status === 'success' ? 'completed' : 'error') };
  });

  app.get(
    '/v1/schedules/:id/runs',
    { schema: { tags: ['schedules'], params: IdParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) } },
    async (req) => {
      mustGet(req.params.id);
      return { schedule_id: req.params.id, runs: store.runs(req.params.id, req.query.limit) };
    },
  );
});
