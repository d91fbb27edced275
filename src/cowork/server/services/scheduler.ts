import type { Logger } from 'pino';
import { nextSlot, countSlots, type CadenceSpec } from '../../../core/schedule/cadence.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import { mintConversationId } from '../stores/conversations.js';
import type { ProjectStore } from '../stores/projects.js';
import { newId, type RunRecord, type Schedule, type ScheduleStore } from '../stores/schedules.js';
import type { TurnService } from './turns.js';

export type MissedPolicy = 'run_once' | 'skip';

export function cadenceOf(s: Schedule): CadenceSpec {
  return { cadence: s.cadence as CadenceSpec['cadence'], timezone: s.timezone, anchor: new Date(s.nextRunAt ?? s.createdAt), cron: s.cron };
}

export interface SchedulerOptions {
  tickMs: number;
  /** A slot this late (server asleep or down) counts as missed. */
  graceMs: number;
  maxConcurrent: number;
  missedPolicy: MissedPolicy;
}

export function schedulerOptions(env: EnvStore): SchedulerOptions {
  return {
    tickMs: env.setting('ANTON_SCHEDULER_TICK_MS'),
    graceMs: env.setting('ANTON_SCHEDULE_GRACE_SECONDS') * 1000,
    maxConcurrent: env.setting('ANTON_MAX_CONCURRENT_SCHEDULE_RUNS'),
    missedPolicy: env.setting('ANTON_SCHEDULE_MISSED_POLICY'),
  };
}

/**
 * Runs due schedules as real agent turns, each in a conversation of its own. `next_run_at` lives in the
 * database; a slot missed while the machine slept is either skipped (counted) or run once on wake.
 * One failing run never stops the loop; concurrent runs are bounded.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private readonly active = new Map<string, Promise<void>>();
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly store: ScheduleStore,
    private readonly turns: TurnService,
    private readonly projects: ProjectStore,
    private readonly opts: SchedulerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.store.reapStaleRuns();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref();
    setImmediate(() => void this.tick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.active.values());
  }

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  async tick(now = new Date()): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      for (const s of this.store.list()) {
        try {
          this.consider(s, now);
        } catch (err) {
          this.log.error({ err, schedule: s.id }, 'schedule could not be processed');
        }
      }
    } catch (err) {
      this.log.error({ err }, 'scheduler tick failed'); // the loop itself never dies
    } finally {
      this.ticking = false;
    }
  }

  private consider(s: Schedule, now: Date): void {
    if (!s.enabled || !s.nextRunAt || this.active.has(s.id)) return;
    const due = new Date(s.nextRunAt);
    if (due > now) return;
    const late = now.getTime() - due.getTime() > this.opts.graceMs;
    if (late && this.opts.missedPolicy === 'skip') {
      const next = nextSlot(cadenceOf(s), now);
      const missed = s.cadence === 'once' ? 1 : countSlots(cadenceOf(s), due, now) + 1;
      this.store.update(s.id, (c) => ({ ...c, missedRuns: c.missedRuns + missed, nextRunAt: next?.toISOString() ?? c.nextRunAt, enabled: next ? c.enabled : false }));
      return;
    }
    if (this.active.size >= this.opts.maxConcurrent) return; // next tick
    const missed = late && s.cadence !== 'once' ? countSlots(cadenceOf(s), due, now) : 0;
    this.launch(s, false, missed);
  }

  /** Start a run now; resolves when it is recorded as started. */
  runNow(id: string): { run: RunRecord; done: Promise<void> } | null {
    const s = this.store.get(id);
    if (!s) return null;
    return this.launch(s, true, 0);
  }

  private launch(s: Schedule, manual: boolean, missedBefore: number): { run: RunRecord; done: Promise<void> } {
    const startedAt = new Date();
    const conversationId = mintConversationId(startedAt);
    const run: RunRecord = {
      id: newId('run'),
      scheduleId: s.id,
      startedAt: startedAt.toISOString(),
      finishedAt: null,
      durationMs: null,
      status: 'running',
      error: null,
      sessionId: conversationId,
      manual,
    };
    if (!manual) {
      // Advance first, so a crash mid-run never repeats the slot.
      const next = nextSlot(cadenceOf(s), startedAt);
      this.store.update(s.id, (c) => ({ ...c, nextRunAt: next?.toISOString() ?? c.nextRunAt, enabled: next ? c.enabled : false, missedRuns: c.missedRuns + missedBefore }));
    }
    this.store.saveRun(run);
    const done = this.execute(s, run, conversationId).finally(() => this.active.delete(s.id));
    this.active.set(s.id, done);
    return { run, done };
  }

  private async execute(s: Schedule, run: RunRecord, conversationId: string): Promise<void> {
    let error: string | null = null;
    try {
      const project = this.projects.exists(s.project ?? '') ? this.projects.resolve(s.project!) : this.projects.resolve('general');
      const turn = this.turns.start({ conversationId, project, prompt: s.prompt, model: s.model ?? 'anton', modelOverride: s.model ?? undefined, scheduledId: s.id });
      await turn.done;
      const last = turn.last;
      if (last?.type !== 'response.completed') error = String((last as { error?: unknown })?.error ?? 'The run did not complete');
    } catch (err) {
      error = (err as Error).message;
      this.log.warn({ err, schedule: s.id }, 'scheduled run failed');
    }
    const finished = new Date();
    this.store.saveRun({ ...run, status: error ? 'error' : 'success', error, finishedAt: finished.toISOString(), durationMs: finished.getTime() - new Date(run.startedAt).getTime() });
    this.store.update(s.id, (c) => ({
      ...c,
      lastRunAt: run.startedAt,
      lastResultSessionId: conversationId,
      lastError: error,
      catchupPending: false,
    }));
  }
}
