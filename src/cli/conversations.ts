import type { ServerServices } from '../cowork/server/server-services.js';
import type { ConversationMeta } from '../cowork/server/stores/conversations.js';
import type { Term } from './ui/theme.js';
import { fit } from './ui/theme.js';

/** What this module needs of the server's context (and nothing more). */
export type ConversationReadDeps = Pick<ServerServices, 'conversations'>;

/** `anton sessions` / `/resume`: recent conversations, newest first (the same listing as GET /v1/conversations). */
export function recentConversations(ctx: ConversationReadDeps, project: string | 'all', limit = 20): ConversationMeta[] {
  return ctx.conversations.list(project, limit);
}

export function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

export function printConversationList(term: Term, list: ConversationMeta[], showProject: boolean): void {
  const { c } = term;
  if (!list.length) {
    term.out.write('No conversations yet.\n');
    return;
  }
  for (const m of list) {
    const head = `${c.cyan(m.id)}  ${c.dim(when(m.updated_at))}  ${m.turns} turn${m.turns === 1 ? '' : 's'}${showProject ? `  ${c.dim(`[${m.project}]`)}` : ''}`;
    term.out.write(`${head}\n`);
    term.out.write(`${fit(`  ${m.title || '(untitled)'}`, term.width)}\n`);
  }
}

/** A conversation as the app shows it (same display rules as GET /v1/conversations/{id}/messages). */
export function printTranscript(term: Term, ctx: ConversationReadDeps, id: string, lastN = Infinity): void {
  const { c } = term;
  const msgs = ctx.conversations.displayMessages(id);
  const shown = msgs.slice(Math.max(0, msgs.length - lastN));
  if (shown.length < msgs.length) term.out.write(c.dim(`… ${msgs.length - shown.length} earlier messages\n`));
  for (const m of shown) {
    if (m.role === 'user') term.out.write(`${c.bold(c.cyan('you ›'))} ${m.content}\n`);
    else term.out.write(`${c.bold('anton ›')} ${m.content}\n`);
    term.out.write('\n');
  }
}
