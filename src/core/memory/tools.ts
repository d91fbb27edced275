import { z } from 'zod';
import { lazyToolInput, type ToolDef } from '../agent/tools.js';
import type { MemoryEntry, MemoryStore } from './memory.js';
import type { SkillStore } from './skills.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const MEMORIZE_INPUT = lazyToolInput(() =>
  z.object({
    entries: z.array(
      z.object({
        text: z.string(),
        kind: z.enum(['always', 'never', 'when', 'lesson', 'profile']),
        scope: z.enum(['global', 'project']),
        topic: z.string().optional(),
      }),
    ),
  }),
);

const RECALL_INPUT = lazyToolInput(() => z.object({ query: z.string(), max_results: z.int().optional(), days_back: z.int().optional() }));

const RECALL_SKILL_INPUT = lazyToolInput(() => z.object({ label: z.string() }));

export interface RecallHit {
  conversation: string;
  title: string;
  date: string;
  text: string;
}

/** memorize: durable rules, lessons and profile facts the user wants kept. */
export function memorizeTool(store: MemoryStore): ToolDef {
  return {
    name: 'memorize',
    description: 'Remember something for future conversations: a rule (always / never / when …), a lesson learned, or a profile fact ("Key: value").',
    inputSchema: MEMORIZE_INPUT(),
    handler: async (input) => {
      const entries = Array.isArray(input.entries) ? (input.entries as MemoryEntry[]) : [];
      const done = store.memorize(entries.filter((e) => e && typeof e.text === 'string'));
      return done.length ? `Memory updated:\n${done.map((d) => `- ${d}`).join('\n')}` : 'Nothing new to remember (already known or empty).';
    },
  };
}

/** recall: search earlier conversations (the episodic log) of this project. */
export function recallTool(search: (query: string, max: number, daysBack?: number) => RecallHit[]): ToolDef {
  return {
    name: 'recall',
    description: 'Search earlier conversations in this project for something the user said or you found before.',
    inputSchema: RECALL_INPUT(),
    handler: async (input) => {
      const hits = search(String(input.query ?? ''), Math.min(Number(input.max_results ?? 20) || 20, 50), input.days_back ? Number(input.days_back) : undefined);
      if (!hits.length) return 'No earlier conversation mentions that.';
      return hits.map((h) => `[${h.date.slice(0, 10)}] ${h.title} (${h.conversation}):\n${h.text.slice(0, 800)}`).join('\n\n');
    },
  };
}

function closest(label: string, labels: string[]): string | null {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = labels.map((l) => ({ l, s: 1 - dist(label, l) / Math.max(label.length, l.length) })).sort((x, y) => y.s - x.s)[0];
  return best && best.s >= 0.6 ? best.l : null;
}

/** recall_skill: load a saved procedure by label (closest match on a typo). */
export function recallSkillTool(skills: SkillStore): ToolDef {
  return {
    name: 'recall_skill',
    description: 'Load the instructions of a saved skill (procedural memory) by its label.',
    inputSchema: RECALL_SKILL_INPUT(),
    prompt: (() => {
      const list = skills.list();
      return list.length ? `## Procedural memory\nSaved skills (load with recall_skill):\n${list.map((s) => `- \`${s.meta.label}\` — ${s.meta.when_to_use || s.meta.description}`).join('\n')}` : undefined;
    })(),
    handler: async (input) => {
      const wanted = String(input.label ?? '');
      let s = skills.get(wanted);
      let note = '';
      if (!s) {
        const guess = closest(wanted, skills.labels());
        if (!guess) return { content: `No skill "${wanted}". Available: ${skills.labels().join(', ') || '(none)'}`, isError: true };
        s = skills.get(guess)!;
        note = `(No skill "${wanted}"; using the closest match "${guess}".)\n\n`;
      }
      skills.recordRecall(s.meta.label);
      return `${note}# ${s.meta.name}\n${s.meta.when_to_use ? `When to use: ${s.meta.when_to_use}\n` : ''}\n${s.declarative}`;
    },
  };
}
