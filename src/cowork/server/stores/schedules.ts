import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';

export interface Schedule {
  id: string;
  title: string;
  prompt: string;
  cadence: string;
  cron: string | null;
  timezone: string;
  nextRunAt: string | null;
  enabled: boolean;
  project: string | null;
  model: string | null;
  lastRunAt: string | null;
  lastResultSessionId: string | null;
  lastError: string | null;
  catchupPending: boolean;
  missedRuns: number;
  createdAt: string;
  updatedAt: string;
}

export interface RunRecord {
  id: string;
  scheduleId: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  status: 'running' | 'success' | 'error';
  error: string | null;
  sessionId: string;
  manual: boolean;
}

export const RUN_HISTORY_CAP = 500;
export const newId = (prefix: string) => `${prefix}_${randomBytes(7).toString('hex')}`;

/** Schedules and their run history; every write is one SQLite transaction (nothing lost to races). */
export class ScheduleStore {
  constructor(private readonly db: Db) {}

  list(): Schedule[] {
    return this.db
      .prepare<[], { data: string }>('SELECT data FROM schedules ORDER BY created_at DESC')
      .all()
      .map((r) => JSON.parse(r.data) as Schedule);
  }

  get(id: string): Schedule | null {
    const r = this.db.prepare<[string], { data: string }>('SELECT data FROM schedules WHERE id = ?').get(id);
    return r ? (JSON.parse(r.data) as Schedule) : null;
  }

  insert(s: Schedule): Schedule {
    this.db.prepare('INSERT INTO schedules (id, data, created_at) VALUES (?, ?, ?)').run(s.id, JSON.stringify(s), s.createdAt);
    return s;
  }

  /** Read-modify-write of one schedule inside a transaction. */
  update(id: string, fn: (s: Schedule) => Schedule): Schedule | null {
    return this.db.transaction(() => {
      const cur = this.get(id);
      if (!cur) return null;
      const next = { ...fn(cur), updatedAt: new Date().toISOString() };
      this.db.prepare('UPDATE schedules SET data = ? WHERE id = ?').run(JSON.stringify(next), id);
      return next;
    }).immediate();
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
  }

  saveRun(run: RunRecord): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO schedule_runs (id, schedule_id, started_at, session_id, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, session_id = excluded.session_id')
        .run(run.id, run.scheduleId, run.startedAt, run.sessionId, JSON.stringify(run));
      this.db
        .prepare(`DELETE FROM schedule_runs WHERE schedule_id = ? AND id NOT IN (SELECT id FROM schedule_runs WHERE schedule_id = ? ORDER BY started_at DESC LIMIT ${RUN_HISTORY_CAP})`)
        .run(run.scheduleId, run.scheduleId);
    })();
  }

  runs(scheduleId: string, limit: number): RunRecord[] {
    return this.db
      .prepare<[string, number], { data: string }>('SELECT data FROM schedule_runs WHERE schedule_id = ? ORDER BY started_at DESC LIMIT ?')
      .all(scheduleId, limit)
      .map((r) => JSON.parse(r.data) as RunRecord);
  }

  /** {conversation id: schedule id} for the conversation list's `scheduled_id`. */
  runsIndex(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.db.prepare<[], { session_id: string; schedule_id: string }>('SELECT session_id, schedule_id FROM schedule_runs WHERE session_id IS NOT NULL').all()) {
      out[r.session_id] = r.schedule_id;
    }
    return out;
  }

  /** Runs left `running` by a crash are closed as errors at boot. */
  reapStaleRuns(): number {
    let n = 0;
    for (const r of this.db.prepare<[], { data: string }>('SELECT data FROM schedule_runs').all()) {
      const run = JSON.parse(r.data) as RunRecord;
      if (run.status !== 'running') continue;
      this.saveRun({ ...run, status: 'error', error: 'Interrupted by a server restart', finishedAt: new Date().toISOString() });
      n++;
    }
    return n;
  }
}
