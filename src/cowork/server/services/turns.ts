import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { runTurn } from '../../../core/agent/turn.js';
import { loopPacer } from '../../../core/loop-pacer.js';
import { LlmError } from '../../../core/llm/errors.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import { DomainError } from '../../../core/errors.js';
import type { ConversationStore } from '../stores/conversations.js';
import type { ProjectInfo } from '../stores/projects.js';
import { buildAgent, type AgentExtensions } from './agent.js';
import { ResponseFormatter, type FramePayload } from './formatter.js';
import type { TurnFrame } from '../schemas/frames.js';

export type Frame = TurnFrame;
export type FrameListener = (frame: Frame | null) => void; // null = the turn is over

export const TURN_BUSY = 'A turn is already running for this conversation. Wait for it or cancel it first.';

const hex = (n: number) => randomBytes(n).toString('hex').slice(0, n * 2);

/**
 * A turn running independently of any HTTP connection. Frames are numbered from 1 and passed to live readers as they
 * are produced; they are not kept in memory. A reader that joins later (a tail after a reload, a late tail in the
 * replay window) gets what the frame log holds from its sequence number on (text deltas merged, cut exactly at that
 * number: stores/frame-log.ts), then the live frames: the client reads the deltas' text, not their numbers
 * (client-usage §4.2). Holding every token of twenty running turns in memory made a third of what each young-
 * generation GC had to copy, and most of what it promoted.
 */
export class RunningTurn {
  private count = 0;
  /** The latest frame (the outcome, once the turn is over). */
  last: Frame | undefined;
  readonly abort = new AbortController();
  finished = false;
  private readonly listeners = new Set<FrameListener>();
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(
    readonly conversationId: string,
    readonly turnId: number,
    private readonly store: ConversationStore,
  ) {}

  get latestSeq(): number {
    return this.count;
  }

  push(payload: FramePayload): void {
    // type and sequence_number first on the wire, at_ms last; one object, no rest/spread copies per token.
    const frame = Object.assign({ type: payload.type, sequence_number: ++this.count }, payload, { at_ms: Date.now() }) as Frame;
    this.last = frame;
    this.store.recordFrame(this.turnId, frame); // batched and coalesced; live readers get every frame below
    for (const l of this.listeners) l(frame);
  }

  /** The turn is over and its frames are stored (the store's finishTurn wrote the last of them). */
  finish(): void {
    this.finished = true;
    for (const l of this.listeners) l(null);
    this.listeners.clear();
    this.resolveDone();
  }

  /** Replay frames with sequence_number ≥ fromSeq, then follow live ones; returns an unsubscribe. */
  subscribe(fromSeq: number, listener: FrameListener): () => void {
    // Synchronous from the read to the listener's registration: no frame is missed or seen twice.
    if (fromSeq <= this.count) for (const f of this.store.frames(this.turnId, fromSeq)) listener(f as Frame);
    if (this.finished) {
      listener(null);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface StartTurn {
  conversationId: string;
  project: ProjectInfo;
  prompt: string;
  /** Echoed as `response.model`. */
  model: string;
  modelOverride?: string;
  /** Set when the turn is a schedule's run: the conversation carries `scheduled_id`. */
  scheduledId?: string;
  /** The client's `tmp-…` id this new conversation was minted for (accepted by cancel, in-flight and tail). */
  alias?: string;
  /** The conversation id was minted by the server for this turn (the client cannot know it yet). */
  minted?: boolean;
}

export class TurnService {
  private readonly running = new Map<string, RunningTurn>();
  /** Finished turns kept for a short replay window, by conversation id. */
  private readonly finished = new Map<string, RunningTurn>();
  /** Client tmp- ids → the conversation minted for them, while that turn lives or is replayable. */
  private readonly aliases = new Map<string, string>();
  /** Running turns whose conversation id the server minted and no tmp- id has claimed yet. */
  private readonly unclaimed = new Set<string>();
  private closing = false;

  constructor(
    private readonly env: EnvStore,
    private readonly store: ConversationStore,
    private readonly ext: AgentExtensions,
    private readonly log: FastifyBaseLogger,
  ) {
    store.frameLog.onError = (err) => this.log.error({ err }, 'could not record turn frames; retrying');
    store.textIndex.onError = (err) => this.log.error({ err }, 'could not index saved text for search; retrying');
  }

  /** The running turn of a conversation (never a finished one: this guards "one turn at a time"). */
  get(conversationId: string): RunningTurn | undefined {
    return this.running.get(conversationId);
  }

  /** The conversation id behind a client id: a tmp- alias resolves to the conversation minted for it. */
  resolve(id: string): string {
    return this.aliases.get(id) ?? id;
  }

  /** A running turn, or a finished one still in its replay window, by conversation id or tmp- alias. */
  lookup(id: string): RunningTurn | undefined {
    const cid = this.resolve(id);
    return this.running.get(cid) ?? this.finished.get(cid);
  }

  list(): RunningTurn[] {
    return [...this.running.values()];
  }

  /** Start a turn, or 409 when one is already running for the conversation (its input is never dropped silently). */
  start(req: StartTurn): RunningTurn {
    if (this.closing) throw new DomainError('unavailable', 'The server is shutting down.');
    if (this.running.has(req.conversationId)) throw new DomainError('conflict', TURN_BUSY);
    const max = this.env.setting('ANTON_MAX_CONCURRENT_TURNS');
    if (this.running.size >= max) throw new DomainError('rate_limited', `Too many turns are running (${max}); try again shortly.`);
    const turnId = this.store.beginTurn(req.conversationId, req.project.name, req.scheduledId ? { scheduled_id: req.scheduledId } : {}, Date.now());
    const turn = new RunningTurn(req.conversationId, turnId, this.store);
    this.running.set(req.conversationId, turn);
    this.finished.delete(req.conversationId);
    if (req.alias) this.aliases.set(req.alias, req.conversationId);
    else if (req.minted) this.unclaimed.add(req.conversationId);
    // The turn runs from a later loop iteration, one turn's set-up per iteration: the request that started it answers
    // first, and requests already waiting (other turns' tokens, /health) are not held behind a burst of set-ups.
    void loopPacer.slot().then(() => this.produce(turn, req));
    return turn;
  }

  /**
   * Cancel by conversation id or tmp- alias. The client stops the first turn of a new task with the tmp- id it
   * minted locally while it sent `conversation: null`: an unknown tmp- id then claims the one running turn the
   * server minted an id for (with several such turns it is ambiguous, and nothing is cancelled).
   */
  cancel(id: string): boolean {
    if (id.startsWith('tmp-') && !this.aliases.has(id) && this.unclaimed.size === 1) {
      const [cid] = this.unclaimed;
      this.unclaimed.delete(cid);
      this.aliases.set(id, cid);
    }
    const turn = this.running.get(this.resolve(id));
    if (!turn || turn.abort.signal.aborted) return false;
    turn.abort.abort();
    return true;
  }

  /** Keep a finished turn readable for the replay window, then forget it and its alias. */
  private retain(turn: RunningTurn): void {
    const cid = turn.conversationId;
    this.unclaimed.delete(cid);
    this.finished.set(cid, turn);
    const forget = () => {
      if (this.finished.get(cid) === turn) this.finished.delete(cid);
      for (const [alias, target] of this.aliases) if (target === cid && !this.running.has(cid) && !this.finished.has(cid)) this.aliases.delete(alias);
    };
    setTimeout(forget, this.env.settingMs('ANTON_TURN_REPLAY_SECONDS')).unref();
  }

  async closeAll(timeoutMs = 3000): Promise<void> {
    this.closing = true;
    const turns = this.list();
    for (const t of turns) t.abort.abort();
    await Promise.race([Promise.all(turns.map((t) => t.done)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private async produce(turn: RunningTurn, req: StartTurn): Promise<void> {
    const respId = `resp-${hex(6)}`;
    const itemId = `msg-${hex(6)}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const response = (status: string, output: unknown[], extra: Record<string, unknown> = {}) => ({
      id: respId,
      object: 'response' as const,
      created_at: createdAt,
      status,
      model: req.model,
      output,
      error: null,
      ...extra,
    });
    const fmt = new ResponseFormatter(itemId);
    const push = (f: FramePayload) => turn.push(f);
    const scope = { conversationId: req.conversationId, project: req.project };
    const observers = this.ext.turnObservers.map((f) => f(scope));
    let status: 'completed' | 'cancelled' | 'failed' = 'failed';
    try {
      turn.push({ type: 'response.created', response: response('created', []), conversation_id: req.conversationId });
      const agent = buildAgent(this.env, this.ext, scope, req.modelOverride);
      const result = await runTurn({
        provider: agent.provider,
        summarizer: agent.summarizer,
        buildSystem: agent.buildSystem,
        tools: agent.tools,
        scrub: agent.scrub,
        history: this.store.loadHistory(req.conversationId),
        userContent: req.prompt,
        signal: turn.abort.signal,
        persist: (h, from) => this.store.saveHistory(req.conversationId, h, from, turn.turnId),
        maxToolRounds: this.env.setting('ANTON_MAX_TOOL_ROUNDS'),
        maxTokens: this.env.setting('ANTON_MAX_TOKENS'),
        emit: (ev) => fmt.format(ev, push),
      });
      const output = [{ type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: result.text }] }];
      turn.push({ type: 'response.completed', response: response('completed', output, { usage: result.usage }) });
      status = result.status;
      this.store.finishTurn(turn.turnId, status);
    } catch (err) {
      const known = err instanceof LlmError;
      // The cause goes to the log either way (keys never appear in LlmError messages; the logger redacts the rest).
      if (known) this.log.warn({ conversation: req.conversationId, turn: turn.turnId, cause: err.message }, 'turn failed: the model call failed');
      else this.log.error({ err, conversation: req.conversationId, turn: turn.turnId }, 'turn failed');
      const message = known ? err.message : 'Internal server error';
      turn.push({ type: 'response.failed', code: known ? 'anton_error' : 'server_error', error: message });
      this.store.finishTurn(turn.turnId, 'failed', message);
    } finally {
      const meta = this.store.get(req.conversationId);
      const info = { userText: req.prompt, turnIndex: Math.max(0, (meta?.turns ?? 1) - 1), title: meta?.title ?? '', status };
      for (const after of observers) {
        try {
          after(info);
        } catch (err) {
          this.log.warn({ err }, 'turn observer failed');
        }
      }
      this.running.delete(req.conversationId);
      this.retain(turn);
      turn.finish();
    }
  }
}
