import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';

export interface SkillMeta {
  label: string;
  name: string;
  description: string;
  when_to_use: string;
  created_at: string;
  provenance: string;
  stage_1_present: boolean;
  stage_2_present: boolean;
  stage_3_present: boolean;
}
export interface SkillStats {
  total_recalls: number;
  [stage: string]: unknown;
}
export interface Skill {
  meta: SkillMeta;
  declarative: string;
  stats: SkillStats;
}

/** The reference's label rule: lowercase, [a-z0-9_] only, 80 chars. Empty means invalid. */
export function skillLabel(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);
}

function readJson<T>(file: string, dflt: T): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return dflt;
  }
}

/** `~/.anton/skills/<label>/{meta.json, declarative.md, stats.json}`. Labels are validated before any fs call. */
export class SkillStore {
  constructor(readonly root: string) {}

  private dir(label: string): string | null {
    return label && skillLabel(label) === label ? join(this.root, label) : null;
  }

  list(): Skill[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .sort()
      .flatMap((l) => this.get(l) ?? []);
  }

  labels(): string[] {
    return this.list().map((s) => s.meta.label);
  }

  get(label: string): Skill | null {
    const dir = this.dir(label);
    if (!dir || !existsSync(join(dir, 'meta.json'))) return null;
    const meta = readJson<SkillMeta>(join(dir, 'meta.json'), {} as SkillMeta);
    let declarative = '';
    try {
      declarative = readFileSync(join(dir, 'declarative.md'), 'utf8');
    } catch {
      declarative = '';
    }
    return { meta: { ...meta, label }, declarative, stats: readJson<SkillStats>(join(dir, 'stats.json'), { total_recalls: 0 }) };
  }

  /** Create or update; created_at, provenance, stage flags and stats are kept. */
  upsert(label: string, fields: { name: string; description: string; whenToUse: string; declarative: string }): string {
    const dir = this.dir(label);
    if (!dir) throw new Error('invalid skill label');
    const prev = this.get(label);
    mkdirSync(dir, { recursive: true });
    const meta: SkillMeta = {
      label,
      name: fields.name,
      description: fields.description,
      when_to_use: fields.whenToUse,
      created_at: prev?.meta.created_at ?? new Date().toISOString(),
      provenance: prev?.meta.provenance ?? 'manual',
      stage_1_present: true,
      stage_2_present: prev?.meta.stage_2_present ?? false,
      stage_3_present: prev?.meta.stage_3_present ?? false,
    };
    writeFileAtomic(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
    writeFileAtomic(join(dir, 'declarative.md'), `${fields.declarative.replace(/\n+$/, '')}\n`);
    if (!prev) writeFileAtomic(join(dir, 'stats.json'), JSON.stringify({ total_recalls: 0 }, null, 2));
    return dir;
  }

  recordRecall(label: string): void {
    const dir = this.dir(label);
    const s = this.get(label);
    if (!dir || !s) return;
    writeFileAtomic(join(dir, 'stats.json'), JSON.stringify({ ...s.stats, total_recalls: (s.stats.total_recalls ?? 0) + 1 }, null, 2));
  }

  delete(label: string): boolean {
    const dir = this.dir(label);
    if (!dir || !existsSync(join(dir, 'meta.json'))) return false;
    rmSync(dir, { recursive: true, force: true });
    return true;
  }
}
