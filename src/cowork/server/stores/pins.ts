import type { Db } from '../db/database.js';

export const PIN_TYPES = ['task', 'project', 'artifact', 'schedule'] as const;
export type PinType = (typeof PIN_TYPES)[number];

export interface Pin {
  key: string;
  type: string;
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

interface PinRow {
  key: string;
  type: string;
  id: string;
  title: string;
  created_at: string;
  updated_at: string;
}

/** Pins (newest first unless reordered) and task visit counts. */
export class PinStore {
  constructor(private readonly db: Db) {}

  list(): Pin[] {
    return this.db
      .prepare<[], PinRow>('SELECT * FROM pins ORDER BY position, created_at DESC')
      .all()
      .map((r) => ({ key: r.key, type: r.type, id: r.id, title: r.title, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  get(type: string, id: string): Pin | null {
    return this.list().find((p) => p.key === `${type}:${id}`) ?? null;
  }

  upsert(type: PinType, id: string, title?: string | null): Pin {
    const now = new Date().toISOString();
    const key = `${type}:${id}`;
    this.db.transaction(() => {
      const existing = this.db.prepare<[string], PinRow>('SELECT * FROM pins WHERE key = ?').get(key);
      if (existing) {
        this.db.prepare('UPDATE pins SET title = ?, updated_at = ? WHERE key = ?').run(title || existing.title, now, key);
      } else {
        const min = this.db.prepare<[], { m: number | null }>('SELECT MIN(position) AS m FROM pins').get()?.m ?? 0;
        this.db.prepare('INSERT INTO pins (key, type, id, title, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(key, type, id, title || id, min - 1, now, now);
      }
    }).immediate();
    return this.get(type, id)!;
  }

  delete(type: string, id: string): boolean {
    return this.db.prepare('DELETE FROM pins WHERE key = ?').run(`${type}:${id}`).changes > 0;
  }

  /** Listed ids move to the front in the given order (matched by id, any type); the rest keep their order. */
  reorder(ids: string[]): Pin[] {
    this.db.transaction(() => {
      const current = this.list();
      const order = new Map(ids.map((id, i) => [id, i]));
      const front = current.filter((p) => order.has(p.id)).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      const rest = current.filter((p) => !order.has(p.id));
      const set = this.db.prepare('UPDATE pins SET position = ? WHERE key = ?');
      [...front, ...rest].forEach((p, i) => set.run(i, p.key));
    }).immediate();
    return this.list();
  }

  visit(id: string): number {
    return this.db.prepare<[string], { count: number }>('INSERT INTO visit_counts (id, count) VALUES (?, 1) ON CONFLICT(id) DO UPDATE SET count = count + 1 RETURNING count').get(id)!.count;
  }
}
