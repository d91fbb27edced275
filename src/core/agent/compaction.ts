import type { LlmProvider, Message } from '../llm/types.js';
import { contentBlocks, isUserInput } from './history.js';

export const SUMMARY_PREFIX = '[Context summary of earlier conversation]';
const TRANSCRIPT_CAP = 24_000;

/** Plain-text transcript (no tool_use/tool_result pairing constraints), with per-block caps. */
export function transcript(messages: Message[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    for (const b of contentBlocks(m.content)) {
      if (b.type === 'text') lines.push(`${m.role.toUpperCase()}: ${b.text.slice(0, 2000)}`);
      else if (b.type === 'tool_use') lines.push(`TOOL CALL ${b.name}: ${JSON.stringify(b.input).slice(0, 1000)}`);
      else if (b.type === 'tool_result') lines.push(`TOOL RESULT: ${b.content.slice(0, 500)}`);
    }
  }
  const text = lines.join('\n');
  return text.length > TRANSCRIPT_CAP ? text.slice(text.length - TRANSCRIPT_CAP) : text;
}

/**
 * Replace the older part of the history with a model-written summary, keeping the recent part (which starts
 * at a real user input, so no tool pair is split). Returns false when there is nothing worth summarising.
 */
export async function summarizeOlderTurns(provider: LlmProvider, history: Message[], signal: AbortSignal, keepRecent = 6): Promise<boolean> {
  let split = Math.max(0, history.length - keepRecent);
  while (split > 0 && !isUserInput(history[split])) split--;
  if (split < 2) return false;
  const req = {
    system: 'You compress conversations. Write a concise factual summary of the transcript: goals, decisions, results, file paths, open questions. No preamble.',
    messages: [{ role: 'user' as const, content: transcript(history.slice(0, split)) }],
    tools: [],
    maxTokens: 2048,
  };
  const summary = (await provider.stream(req, signal, () => {})).text.trim();
  if (!summary) return false;
  history.splice(0, split, { role: 'user', content: `${SUMMARY_PREFIX}\n${summary}` }, { role: 'assistant', content: 'Understood.' });
  return true;
}
