import type { ContentBlock, Message, ToolResultBlock, ToolUseBlock } from '../llm/types.js';

export function contentBlocks(content: Message['content']): ContentBlock[] {
  return typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content;
}

function isEmpty(content: Message['content']): boolean {
  return typeof content === 'string' ? content.trim() === '' : content.length === 0;
}

/**
 * The single way messages enter a history: empty content is skipped and a message with the same role as the
 * previous one is merged into it, so roles always alternate. Returns the index that changed, or -1.
 */
export function appendMessage(history: Message[], msg: Message): number {
  if (isEmpty(msg.content)) return -1;
  const last = history[history.length - 1];
  if (last && last.role === msg.role) {
    last.content = [...contentBlocks(last.content), ...contentBlocks(msg.content)];
    return history.length - 1;
  }
  history.push({ role: msg.role, content: typeof msg.content === 'string' ? msg.content : [...msg.content] });
  return history.length - 1;
}

/** Text of a message's text blocks. */
export function messageText(msg: Message): string {
  return contentBlocks(msg.content)
    .flatMap((b) => (b.type === 'text' ? [b.text] : []))
    .join('');
}

/** A user message typed by the person (not tool results, not the agent's own SYSTEM: nudges). */
export function isUserInput(msg: Message): boolean {
  if (msg.role !== 'user') return false;
  const text = messageText(msg).trim();
  return text !== '' && !text.startsWith('SYSTEM:');
}

/**
 * Make the history acceptable to providers: every tool_use gets a tool_result right after it, and tool_results
 * without a matching tool_use are dropped. Returns the first index it changed, or -1.
 */
export function repairToolPairing(history: Message[], reason = 'interrupted'): number {
  let firstChange = -1;
  const mark = (i: number) => (firstChange = firstChange === -1 ? i : Math.min(firstChange, i));
  for (let i = 0; i < history.length; i++) {
    const msg = history[i];
    if (msg.role !== 'assistant') continue;
    const uses = contentBlocks(msg.content).filter((b): b is ToolUseBlock => b.type === 'tool_use');
    if (!uses.length) continue;
    const next = history[i + 1];
    const answered = new Set(
      next?.role === 'user' ? contentBlocks(next.content).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])) : [],
    );
    const missing: ToolResultBlock[] = uses
      .filter((u) => !answered.has(u.id))
      .map((u) => ({ type: 'tool_result', tool_use_id: u.id, content: `[${reason} — tool call did not complete]`, is_error: true }));
    if (!missing.length) continue;
    if (next?.role === 'user') {
      // Results first, in call order, then whatever text the user message had.
      const blocks = contentBlocks(next.content);
      next.content = [...missing, ...blocks];
      mark(i + 1);
    } else {
      history.splice(i + 1, 0, { role: 'user', content: missing });
      mark(i + 1);
    }
  }
  // Drop tool_results that answer nothing in the preceding assistant message.
  for (let i = 0; i < history.length; i++) {
    const msg = history[i];
    if (msg.role !== 'user' || typeof msg.content === 'string') continue;
    const prev = history[i - 1];
    const ids = new Set(prev?.role === 'assistant' ? contentBlocks(prev.content).flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : []);
    const kept = msg.content.filter((b) => b.type !== 'tool_result' || ids.has(b.tool_use_id));
    if (kept.length !== msg.content.length) {
      mark(i);
      if (kept.length) msg.content = kept;
      else {
        history.splice(i, 1);
        i--;
      }
    }
  }
  // Removing messages can leave two of the same role next to each other: merge them.
  for (let i = 1; i < history.length; i++) {
    if (history[i].role === history[i - 1].role) {
      history[i - 1].content = [...contentBlocks(history[i - 1].content), ...contentBlocks(history[i].content)];
      history.splice(i, 1);
      mark(i - 1);
      i--;
    }
  }
  return firstChange;
}

/**
 * Drop the oldest messages so that about `keep` recent ones remain, starting at a real user input so no
 * tool_use/tool_result pair is cut, with a note saying what happened.
 */
export function truncateHistory(history: Message[], keep: number): boolean {
  let start = Math.max(0, history.length - keep);
  while (start > 0 && !(history[start].role === 'user' && isUserInput(history[start]))) start--;
  if (start === 0) return false;
  history.splice(0, start, { role: 'user', content: '[Earlier conversation was truncated to fit the model context window.]' }, { role: 'assistant', content: 'Understood.' });
  return true;
}
