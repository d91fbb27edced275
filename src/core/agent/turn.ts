import { LlmError } from '../llm/errors.js';
import type { LlmProvider, LlmResponse, Message, ToolCall, ToolResultBlock, Usage } from '../llm/types.js';
import type { AgentEvent } from './events.js';
import { Channel } from './channel.js';
import { appendMessage, repairToolPairing, truncateHistory } from './history.js';
import { summarizeOlderTurns } from './compaction.js';
import type { ToolOutcome, ToolRegistry } from './tools.js';

export interface TurnOptions {
  provider: LlmProvider;
  /** Writes context summaries (the coding role); the planning provider when absent. */
  summarizer?: LlmProvider;
  /** Rebuilt before every model call (memory, project instructions and tool prompts may change). */
  buildSystem: () => string;
  /** The conversation so far; mutated in place and persisted after every round. */
  history: Message[];
  tools: ToolRegistry;
  userContent: string;
  signal: AbortSignal;
  /** Save `history[fromIndex..]` (earlier messages are unchanged since the last call). */
  persist: (history: Message[], fromIndex: number) => void;
  maxToolRounds?: number;
  maxTokens?: number;
  /** Applied to every tool result before the model sees it (credential scrubbing). */
  scrub?: (text: string) => string;
}

export interface TurnResult {
  status: 'completed' | 'cancelled';
  /** Everything streamed to the user in this turn. */
  text: string;
  usage: Usage;
}

export const STOPPED_NOTE = '_[Stopped by user]_';
export const STOPPED_EARLY_NOTE = '_[Stopped by user before a response was produced.]_';

const CONTINUE_PROMPT = 'SYSTEM: Your previous response was cut off by the output token limit. Continue exactly where you left off, without repeating anything.';
const budgetPrompt = (n: number) =>
  `SYSTEM: You have used all ${n} tool-call rounds for this request. Do not call tools again: summarize what you did, what remains, and what the user can do next.`;

class TurnAborted extends Error {}

/**
 * One user turn: stream the model, run the tools it asks for, feed results back, repeat until it answers
 * without tools. History is persisted after every round, so a crash or cancel never loses a completed round
 * and never leaves a tool_use without its tool_result.
 */
export async function* runTurn(o: TurnOptions): AsyncGenerator<AgentEvent, TurnResult, void> {
  const h = o.history;
  const maxRounds = o.maxToolRounds ?? 25;
  const maxTokens = o.maxTokens ?? 8192;
  const usage: Usage = { input_tokens: 0, output_tokens: 0 };
  let dirty = Number.POSITIVE_INFINITY;
  const touch = (i: number) => {
    if (i >= 0) dirty = Math.min(dirty, i);
  };
  const flush = () => {
    if (dirty !== Number.POSITIVE_INFINITY) o.persist(h, dirty);
    dirty = Number.POSITIVE_INFINITY;
  };
  const checkAbort = () => {
    if (o.signal.aborted) throw new TurnAborted();
  };
  let turnText = '';
  let callText = '';

  async function* callModel(toolChoice: 'auto' | 'none'): AsyncGenerator<AgentEvent, LlmResponse, void> {
    for (let attempt = 0; ; attempt++) {
      callText = '';
      try {
        let response: LlmResponse | undefined;
        const req = { system: o.buildSystem(), messages: h, tools: o.tools.specs(), maxTokens, toolChoice };
        for await (const ev of o.provider.stream(req, o.signal)) {
          if (ev.type === 'complete') response = ev.response;
          else {
            if (ev.type === 'text_delta') {
              callText += ev.text;
              turnText += ev.text;
            }
            yield ev;
          }
        }
        if (!response) throw new LlmError('unavailable', 'The LLM stream ended without a response.');
        usage.input_tokens += response.usage.input_tokens;
        usage.output_tokens += response.usage.output_tokens;
        yield { type: 'usage', usage: response.usage };
        return response;
      } catch (err) {
        if (o.signal.aborted) throw new TurnAborted();
        if (err instanceof LlmError && err.kind === 'context_overflow' && attempt < 2) {
          // Tier 1: summarise older turns with the model; tier 2: drop them.
          const compacted = attempt === 0 ? await summarizeOlderTurns(o.summarizer ?? o.provider, h, o.signal).catch(() => false) : false;
          const dropped = !compacted && truncateHistory(h, attempt === 0 ? 8 : 2);
          if (compacted || dropped) {
            touch(0);
            flush();
            yield {
              type: 'context_compacted',
              message: compacted ? 'Older turns were summarised to fit the model context window.' : 'Earlier messages were dropped to fit the model context window.',
            };
            continue;
          }
        }
        throw err;
      }
    }
  }

  async function* runTool(tc: ToolCall, skip: boolean): AsyncGenerator<AgentEvent, ToolResultBlock, void> {
    const result = (content: string, isError = false): ToolResultBlock => ({
      type: 'tool_result',
      tool_use_id: tc.id,
      content: o.scrub ? o.scrub(content) : content,
      ...(isError ? { is_error: true } : {}),
    });
    if (skip) return result('Not run: the tool-call budget for this request is used up.', true);
    if (tc.parseError) return result(`The arguments were not valid JSON (${tc.parseError}). Re-emit the call with a complete JSON object.`, true);
    const def = o.tools.get(tc.name);
    if (!def) return result(`Unknown tool: ${tc.name}`, true);
    const started = Date.now();
    if (!def.reportsOwnProgress) yield { type: 'progress', phase: 'tool_start', message: tc.name, id: tc.id };
    const chan = new Channel<AgentEvent>();
    const onAbort = () => chan.close();
    o.signal.addEventListener('abort', onAbort, { once: true });
    let outcome: ToolOutcome | undefined;
    let failure: unknown;
    const running = def.handler(tc.input, { signal: o.signal, toolUseId: tc.id, emit: (e) => chan.push(e) }).then(
      (r) => {
        outcome = typeof r === 'string' ? { content: r } : r;
        chan.close();
      },
      (err) => {
        failure = err;
        chan.close();
      },
    );
    try {
      for await (const ev of chan) yield ev;
    } finally {
      o.signal.removeEventListener('abort', onAbort);
    }
    checkAbort(); // a tool that ignores the signal is left behind, its result discarded
    await running;
    if (!def.reportsOwnProgress) yield { type: 'progress', phase: 'tool_done', message: tc.name, eta_seconds: (Date.now() - started) / 1000, id: tc.id };
    if (outcome) return result(outcome.content, outcome.isError);
    return result(`Tool '${tc.name}' failed: ${(failure as Error)?.message ?? String(failure)}`, true);
  }

  try {
    touch(repairToolPairing(h)); // safety net for histories saved by older versions or other tools
    touch(appendMessage(h, { role: 'user', content: o.userContent }));
    flush();
    let rounds = 0;
    let continued = false;
    for (;;) {
      checkAbort();
      const resp = yield* callModel(rounds >= maxRounds ? 'none' : 'auto');
      touch(
        appendMessage(h, {
          role: 'assistant',
          content: [
            ...(resp.text ? [{ type: 'text' as const, text: resp.text }] : []),
            ...resp.toolCalls.map((tc) => ({ type: 'tool_use' as const, id: tc.id, name: tc.name, input: tc.input })),
          ],
        }),
      );
      callText = '';
      flush();
      if (!resp.toolCalls.length) {
        if (resp.stopReason === 'max_tokens' && !continued) {
          continued = true;
          touch(appendMessage(h, { role: 'user', content: CONTINUE_PROMPT }));
          flush();
          continue;
        }
        break;
      }
      rounds++;
      const overBudget = rounds > maxRounds;
      const results: ToolResultBlock[] = [];
      for (const tc of resp.toolCalls) results.push(yield* runTool(tc, overBudget));
      touch(appendMessage(h, { role: 'user', content: results }));
      if (overBudget) {
        touch(appendMessage(h, { role: 'assistant', content: 'I stopped here because the tool-call budget for this request is used up.' }));
        flush();
        break;
      }
      if (rounds === maxRounds) touch(appendMessage(h, { role: 'user', content: budgetPrompt(maxRounds) }));
      flush();
      yield { type: 'progress', phase: 'reasoning_start', message: 'Thinking...' };
    }
    return { status: 'completed', text: turnText, usage };
  } catch (err) {
    if (!(err instanceof TurnAborted) && !o.signal.aborted) {
      // Keep roles alternating and the failure visible after a reload.
      touch(repairToolPairing(h));
      if (h[h.length - 1]?.role === 'user') {
        const why = err instanceof Error ? err.message : String(err);
        touch(appendMessage(h, { role: 'assistant', content: `${callText ? callText + '\n\n' : ''}_[This turn failed: ${why}]_` }));
      }
      flush();
      throw err;
    }
    touch(repairToolPairing(h, 'stopped by user'));
    if (h[h.length - 1]?.role === 'user') {
      const note = turnText ? STOPPED_NOTE : STOPPED_EARLY_NOTE;
      touch(appendMessage(h, { role: 'assistant', content: callText ? `${callText}\n\n${note}` : note }));
    }
    flush();
    return { status: 'cancelled', text: turnText, usage };
  }
}
