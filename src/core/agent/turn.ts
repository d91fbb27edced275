import { LlmError } from '../llm/errors.js';
import { loopPacer } from '../loop-pacer.js';
import type { LlmProvider, LlmResponse, LlmStreamEvent, Message, ToolCall, ToolResultBlock, Usage } from '../llm/types.js';
import type { AgentEvent } from './events.js';
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
  /**
   * Receives every event of the turn as it happens, synchronously (a streamed token reaches it inside the socket's
   * data callback, with no promise or generator step in between).
   */
  emit: (ev: AgentEvent) => void;
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

/** The history and what of it still has to be saved: `persist` gets the earliest changed index once per flush. */
class PendingHistory {
  private dirty = Number.POSITIVE_INFINITY;

  constructor(
    readonly messages: Message[],
    private readonly persist: TurnOptions['persist'],
  ) {}

  touch(i: number): void {
    if (i >= 0) this.dirty = Math.min(this.dirty, i);
  }

  append(m: Message): void {
    this.touch(appendMessage(this.messages, m));
  }

  repairPairing(reason?: string): void {
    this.touch(repairToolPairing(this.messages, reason));
  }

  endsWithUser(): boolean {
    return this.messages[this.messages.length - 1]?.role === 'user';
  }

  flush(): void {
    if (this.dirty !== Number.POSITIVE_INFINITY) this.persist(this.messages, this.dirty);
    this.dirty = Number.POSITIVE_INFINITY;
  }
}

/** What a turn has produced so far: the text streamed to the user and token usage. */
class TurnProgress {
  usage: Usage = { input_tokens: 0, output_tokens: 0 };
  /** Text of the model call streaming now (a failed or cancelled turn keeps it in its note). */
  callText = '';
  /** Text of the turn's earlier calls: each token is appended once, to the current call's text only. */
  private earlierText = '';

  /** Everything streamed to the user in this turn. */
  get turnText(): string {
    return this.earlierText + this.callText;
  }

  /** The current call is over (answered, or abandoned for a retry): its text becomes the turn's. */
  endCall(): void {
    this.earlierText += this.callText;
    this.callText = '';
  }
}

const checkAbort = (signal: AbortSignal) => {
  if (signal.aborted) throw new TurnAborted();
};

/**
 * One model call, streamed. On a context overflow: first summarise older turns with the model, then drop them, and
 * call again (at most twice).
 */
async function callModel(o: TurnOptions, h: PendingHistory, p: TurnProgress, toolChoice: 'auto' | 'none'): Promise<LlmResponse> {
  const onEvent = (ev: LlmStreamEvent) => {
    if (ev.type === 'text_delta') p.callText += ev.text;
    o.emit(ev);
  };
  for (let attempt = 0; ; attempt++) {
    p.endCall();
    try {
      const req = { system: o.buildSystem(), messages: h.messages, tools: o.tools.specs(), maxTokens: o.maxTokens ?? 8192, toolChoice };
      const response = await o.provider.stream(req, o.signal, onEvent);
      p.usage.input_tokens += response.usage.input_tokens;
      p.usage.output_tokens += response.usage.output_tokens;
      o.emit({ type: 'usage', usage: response.usage });
      return response;
    } catch (err) {
      if (o.signal.aborted) throw new TurnAborted();
      if (err instanceof LlmError && err.kind === 'context_overflow' && attempt < 2) {
        const compacted = attempt === 0 ? await summarizeOlderTurns(o.summarizer ?? o.provider, h.messages, o.signal).catch(() => false) : false;
        const dropped = !compacted && truncateHistory(h.messages, attempt === 0 ? 8 : 2);
        if (compacted || dropped) {
          h.touch(0);
          h.flush();
          o.emit({
            type: 'context_compacted',
            message: compacted ? 'Older turns were summarised to fit the model context window.' : 'Earlier messages were dropped to fit the model context window.',
          });
          continue;
        }
      }
      throw err;
    }
  }
}

/** Resolves when the signal aborts (at once if it already has); `off` removes the listener. */
function whenAborted(signal: AbortSignal): { aborted: Promise<void>; off: () => void } {
  let off = () => {};
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    off = () => signal.removeEventListener('abort', onAbort);
  });
  return { aborted, off };
}

/** Run one tool call, passing on the events it emits; its result (scrubbed) is what the model sees. */
async function runTool(o: TurnOptions, tc: ToolCall, skip: boolean): Promise<ToolResultBlock> {
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
  if (!def.reportsOwnProgress) o.emit({ type: 'progress', phase: 'tool_start', message: tc.name, id: tc.id });
  // A tool's events count only while the turn waits for it: none after a cancel or after it has returned.
  let listening = true;
  const emit = (e: AgentEvent) => {
    if (listening && !o.signal.aborted) o.emit(e);
  };
  let outcome: ToolOutcome | undefined;
  let failure: unknown;
  const running = Promise.resolve()
    .then(() => def.handler(tc.input, { signal: o.signal, toolUseId: tc.id, emit }))
    .then(
      (r) => {
        outcome = typeof r === 'string' ? { content: r } : r;
      },
      (err) => {
        failure = err;
      },
    );
  const cancel = whenAborted(o.signal);
  try {
    await Promise.race([running, cancel.aborted]);
  } finally {
    listening = false;
    cancel.off();
  }
  checkAbort(o.signal); // a tool that ignores the signal is left behind, its result discarded
  if (!def.reportsOwnProgress) o.emit({ type: 'progress', phase: 'tool_done', message: tc.name, eta_seconds: (Date.now() - started) / 1000, id: tc.id });
  if (outcome) return result(outcome.content, outcome.isError);
  return result(`Tool '${tc.name}' failed: ${(failure as Error)?.message ?? String(failure)}`, true);
}

const assistantMessage = (resp: LlmResponse): Message => ({
  role: 'assistant',
  content: [
    ...(resp.text ? [{ type: 'text' as const, text: resp.text }] : []),
    ...resp.toolCalls.map((tc) => ({ type: 'tool_use' as const, id: tc.id, name: tc.name, input: tc.input })),
  ],
});

/** The rounds: call the model, run its tools, feed the results back, until it answers without tools. */
async function rounds(o: TurnOptions, h: PendingHistory, p: TurnProgress): Promise<void> {
  const maxRounds = o.maxToolRounds ?? 25;
  let round = 0;
  let continued = false;
  for (;;) {
    checkAbort(o.signal);
    const resp = await callModel(o, h, p, round >= maxRounds ? 'none' : 'auto');
    await loopPacer.slot(); // model calls that end together are saved one per loop iteration, not all in one
    h.append(assistantMessage(resp));
    p.endCall();
    h.flush();
    if (!resp.toolCalls.length) {
      if (resp.stopReason === 'max_tokens' && !continued) {
        continued = true;
        h.append({ role: 'user', content: CONTINUE_PROMPT });
        h.flush();
        continue;
      }
      return;
    }
    round++;
    const overBudget = round > maxRounds;
    const results: ToolResultBlock[] = [];
    for (const tc of resp.toolCalls) results.push(await runTool(o, tc, overBudget));
    h.append({ role: 'user', content: results });
    if (overBudget) {
      h.append({ role: 'assistant', content: 'I stopped here because the tool-call budget for this request is used up.' });
      h.flush();
      return;
    }
    if (round === maxRounds) h.append({ role: 'user', content: budgetPrompt(maxRounds) });
    h.flush();
    o.emit({ type: 'progress', phase: 'reasoning_start', message: 'Thinking...' });
  }
}

/** A failed turn: roles keep alternating and the failure stays visible after a reload. */
function recordFailure(h: PendingHistory, p: TurnProgress, err: unknown): void {
  h.repairPairing();
  if (h.endsWithUser()) {
    const why = err instanceof Error ? err.message : String(err);
    h.append({ role: 'assistant', content: `${p.callText ? p.callText + '\n\n' : ''}_[This turn failed: ${why}]_` });
  }
  h.flush();
}

/** A cancelled turn keeps the partial reply, marked as stopped. */
function recordCancel(h: PendingHistory, p: TurnProgress): void {
  h.repairPairing('stopped by user');
  if (h.endsWithUser()) {
    const note = p.turnText ? STOPPED_NOTE : STOPPED_EARLY_NOTE;
    h.append({ role: 'assistant', content: p.callText ? `${p.callText}\n\n${note}` : note });
  }
  h.flush();
}

/**
 * One user turn: stream the model, run the tools it asks for, feed results back, repeat until it answers
 * without tools. History is persisted after every round, so a crash or cancel never loses a completed round
 * and never leaves a tool_use without its tool_result.
 */
export async function runTurn(o: TurnOptions): Promise<TurnResult> {
  const h = new PendingHistory(o.history, o.persist);
  const p = new TurnProgress();
  try {
    h.repairPairing(); // safety net for histories saved by older versions or other tools
    h.append({ role: 'user', content: o.userContent });
    h.flush();
    await loopPacer.slot(); // saving the prompt and preparing the model call are two short tasks, not one long one
    await rounds(o, h, p);
    return { status: 'completed', text: p.turnText, usage: p.usage };
  } catch (err) {
    if (!(err instanceof TurnAborted) && !o.signal.aborted) {
      recordFailure(h, p, err);
      throw err;
    }
    recordCancel(h, p);
    return { status: 'cancelled', text: p.turnText, usage: p.usage };
  }
}
