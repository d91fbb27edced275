import type { ConversationStore } from '../stores/conversations.js';
import type { PinStore } from '../stores/pins.js';
import type { ProjectStore } from '../stores/projects.js';
import type { ScheduleStore } from '../stores/schedules.js';
import { listUploads, type FileAttachment, type LegacyAttachmentStore } from '../stores/attachments.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { artifactCards } from './artifacts.js';
import { ftsQuery, scoreText, type SearchResult, type SearchSource } from './search.js';

/** Tasks: title/preview/project matches, plus full-text hits in message text (indexed, not scanned). */
export function conversationSource(conversations: ConversationStore): SearchSource {
  return (terms) => {
    const found = new Map<string, SearchResult>();
    const add = (m: { id: string; title: string; project: string }, score: number) => {
      const prev = found.get(m.id);
      if (prev) prev.score += score;
      else found.set(m.id, { type: 'task', id: m.id, title: m.title || 'Untitled task', subtitle: m.project || 'Task', route: 'task', score });
    };
    for (const m of conversations.searchMeta(terms)) {
      // The index matched a word prefix; diacritics folding can leave no literal occurrence to count.
      add(m, scoreText(terms, `${m.title} ${m.preview} ${m.project}`) || 10);
    }
    let hits: { conversation_id: string; hits: number }[] = [];
    try {
      hits = conversations.searchMessages(ftsQuery(terms), 200);
    } catch {
      hits = []; // a query FTS5 cannot parse simply has no message hits
    }
    for (const h of hits) {
      const m = found.has(h.conversation_id) ? { id: h.conversation_id, title: '', project: '' } : conversations.get(h.conversation_id);
      if (m) add(m, 5 + Math.min(h.hits, 20));
    }
    return [...found.values()];
  };
}

export function projectSource(projects: ProjectStore): SearchSource {
  return (terms) =>
    projects.list().flatMap((p) => {
      const score = scoreText(terms, `${p.name} ${p.path}`);
      return score ? [{ type: 'project' as const, id: p.name, title: p.name, subtitle: p.path, route: 'project', score }] : [];
    });
}

export function pinSource(pins: PinStore): SearchSource {
  return (terms) =>
    pins.list().flatMap((p, i) => {
      const score = scoreText(terms, `${p.title} ${p.id} ${p.type}`);
      return score ? [{ type: 'pin' as const, id: p.id, title: p.title, subtitle: `Pinned ${p.type}`, route: p.type, score: score + Math.max(0, 5 - i) }] : [];
    });
}

export function scheduleSource(schedules: ScheduleStore): SearchSource {
  return (terms) =>
    schedules.list().flatMap((s) => {
      const score = scoreText(terms, `${s.title} ${s.prompt} ${s.project ?? ''}`);
      return score ? [{ type: 'schedule' as const, id: s.id, title: s.title, subtitle: s.nextRunAt ?? '', route: 'scheduled', score }] : [];
    });
}

export function artifactSource(projects: ProjectStore): SearchSource {
  return (terms) =>
    artifactCards(projects.list(), 500).flatMap((a) => {
      const score = scoreText(terms, `${a.title} ${a.description} ${a.path} ${a.kind}`);
      return score ? [{ type: 'artifact' as const, id: a.path, title: a.title, subtitle: a.description || a.path, route: 'artifacts', score }] : [];
    });
}

/** A's attachments (files and snippets, with their text preview) and C's per-conversation uploads of every project. */
export function attachmentSource(legacy: LegacyAttachmentStore, projects?: ProjectStore): SearchSource {
  return (terms) => {
    const out: SearchResult[] = legacy.list().flatMap((a) => {
      const score = scoreText(terms, `${a.name} ${a.source ?? ''} ${a.sourceUrl ?? ''} ${a.textPreview ?? ''} ${a.projectPath ?? ''}`);
      return score ? [{ type: 'attachment' as const, id: String(a.id), sessionId: String(a.sessionId ?? ''), title: String(a.name), subtitle: String(a.kind), route: 'attachment', score }] : [];
    });
    for (const p of projects?.list() ?? []) {
      const root = join(p.path, '.anton', 'uploads');
      let sessions: string[];
      try {
        sessions = readdirSync(root);
      } catch {
        continue;
      }
      for (const session of sessions) {
        let uploads: FileAttachment[];
        try {
          uploads = listUploads(join(root, session));
        } catch {
          continue; // a stray file where a session folder belongs
        }
        for (const u of uploads) {
          const score = scoreText(terms, `${u.name} ${p.name}`);
          if (score) out.push({ type: 'attachment', id: u.id, sessionId: session, title: u.name, subtitle: p.name, route: 'attachment', score });
        }
      }
    }
    return out;
  };
}
