import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';

export type MemoryKind = 'always' | 'never' | 'when' | 'lesson' | 'profile';
export interface MemoryEntry {
  text: string;
  kind: MemoryKind;
  scope: 'global' | 'project';
  topic?: string;
}

const RULE_SECTIONS: Record<string, string> = { always: 'Always', never: 'Never', when: 'When' };
const today = () => new Date().toISOString().slice(0, 10);
const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

/** Insert a bullet under "## <section>" of rules.md (created in the reference's layout when missing). */
function addRule(file: string, section: string, text: string): boolean {
  let md = read(file) || '# Rules\n\n## Always\n\n## Never\n\n## When\n';
  if (md.includes(`- ${text} <!--`)) return false;
  if (!md.includes(`## ${section}`)) md = `${md.trimEnd()}\n\n## ${section}\n`;
  const line = `- ${text} <!-- confidence:high source:user ts:${today()} -->`;
  md = md.replace(new RegExp(`(## ${section}\\n(?:- .*\\n)*)`), (block) => `${block}${line}\n`);
  writeFileAtomic(file, md.endsWith('\n') ? md : `${md}\n`);
  return true;
}

/** Global memory (~/.anton/memory) and project memory (<project>/.anton/memory), as Markdown the user can edit. */
export class MemoryStore {
  constructor(
    readonly globalDir: string,
    readonly projectDir: string | null,
  ) {}

  private dir(scope: 'global' | 'project'): string {
    const d = scope === 'project' && this.projectDir ? this.projectDir : this.globalDir;
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** Apply entries; returns a line per change for the tool result. */
  memorize(entries: MemoryEntry[]): string[] {
    const done: string[] = [];
    for (const e of entries) {
      const text = e.text.replace(/\s+/g, ' ').trim();
      if (!text) continue;
      if (e.kind === 'profile') {
        const file = join(this.dir('global'), 'profile.md');
        const key = text.includes(':') ? text.split(':')[0].trim() : null;
        const lines = (read(file) || '# Profile\n').split('\n').filter((l) => !(key && l.startsWith(`- ${key}:`)));
        writeFileAtomic(file, `${lines.join('\n').trimEnd()}\n- ${text}\n`);
        done.push(`profile: ${text}`);
      } else if (e.kind === 'lesson') {
        const file = join(this.dir(e.scope), 'lessons.md');
        const md = read(file) || '# Lessons\n';
        if (md.includes(`- ${text} <!--`)) continue;
        writeFileAtomic(file, `${md.trimEnd()}\n- ${text} <!-- topic:${e.topic ?? 'general'} ts:${today()} -->\n`);
        done.push(`${e.scope} lesson: ${text}`);
      } else if (RULE_SECTIONS[e.kind]) {
        if (addRule(join(this.dir(e.scope), 'rules.md'), RULE_SECTIONS[e.kind], text)) done.push(`${e.scope} rule (${e.kind}): ${text}`);
      }
    }
    return done;
  }

  /** The memory section of the system prompt: identity, rules and recent lessons, capped. */
  promptSection(maxChars = 6000): string | null {
    const strip = (md: string) => md.replace(/ <!--.*?-->/g, '').trim();
    const parts: string[] = [];
    const profile = strip(read(join(this.globalDir, 'profile.md')));
    if (profile) parts.push(`### Identity\n${profile.replace(/^# Profile\n?/, '')}`);
    for (const [label, dir] of [['Global', this.globalDir], ['Project', this.projectDir]] as const) {
      if (!dir) continue;
      const rules = strip(read(join(dir, 'rules.md'))).replace(/^# Rules\n?/, '');
      if (/^- /m.test(rules)) parts.push(`### ${label} rules\n${rules}`);
      const lessons = strip(read(join(dir, 'lessons.md'))).replace(/^# Lessons\n?/, '');
      if (lessons) parts.push(`### ${label} lessons\n${lessons.split('\n').slice(-30).join('\n')}`);
    }
    if (!parts.length) return null;
    const text = `## Your Memory\nWhat you learned about the user and this work. Follow the rules.\n\n${parts.join('\n\n')}`;
    return text.length > maxChars ? `${text.slice(0, maxChars)}\n…` : text;
  }
}
