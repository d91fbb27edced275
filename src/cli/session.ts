import { join } from 'node:path';
import { getConfigStatus } from '../core/settings/config-status.js';
import { storeFor } from '../cowork/server/services/artifacts.js';
import { otherLiveProcesses } from '../cowork/server/services/live-processes.js';
import { TURN_BUSY } from '../cowork/server/services/turns.js';
import { mintConversationId, type ConversationMeta } from '../cowork/server/stores/conversations.js';
import type { ProjectInfo } from '../cowork/server/stores/projects.js';
import type { ServerServices } from '../cowork/server/server-services.js';
import { folderPromptSection } from './workspace.js';
import type { TurnFrame } from './ui/turn-view.js';
import { DomainError } from '../core/errors.js';

export interface TurnOutcome {
  status: 'completed' | 'cancelled' | 'failed';
  text: string;
  error?: string;
  usage?: { input_tokens: number; output_tokens: number };
}

export class CliError extends Error {}

/** An error meant for the user (a refused request, a bad input), shown as its message rather than as a bug. */
export const isUserError = (err: unknown): err is Error => err instanceof CliError || err instanceof DomainError;

/** A CliError is one line on stderr and exit code 1; anything else is a bug and propagates. */
export function exitOnCliError(err: unknown): number {
  if (err instanceof CliError) {
    process.stderr.write(`anton: ${err.message}\n`);
    return 1;
  }
  throw err;
}

/** What a terminal conversation uses: the turn service and the stores a turn reads, settings, and the agent's hooks. */
export type SessionDeps = Pick<ServerServices, 'agent' | 'conversations' | 'projects' | 'turns' | 'env' | 'paths'>;

/**
 * One terminal conversation. Turns run through the server's own TurnService (same history persistence, frames,
 * turn observers, cancel semantics), so what the terminal writes is exactly what the app reads, and back.
 */
export class ChatSession {
  conversationId: string;
  /** The user's folder, told to the agent when it is not the project folder. */
  private readonly folders = new Map<string, string>();
  private cancelled = false;
  model: string | undefined;

  constructor(
    readonly ctx: SessionDeps,
    public project: ProjectInfo,
    folder: string | null,
    conversationId?: string,
  ) {
    this.conversationId = conversationId ?? mintConversationId();
    if (folder) this.folders.set(this.project.name, folder);
    ctx.agent.promptSections.push((scope) => {
      const f = this.folders.get(scope.project.name);
      return scope.conversationId === this.conversationId && f ? folderPromptSection(f) : null;
    });
  }

  get meta(): ConversationMeta | null {
    return this.ctx.conversations.get(this.conversationId);
  }

  /** Continue another conversation (it stays in its own project, as in the app). */
  resume(id: string): ConversationMeta {
    const meta = this.ctx.conversations.get(id);
    if (!meta) throw new CliError(`No conversation ${id}. \`anton sessions\` lists them.`);
    this.conversationId = id;
    if (meta.project !== this.project.name && this.ctx.projects.exists(meta.project)) this.project = this.ctx.projects.resolve(meta.project);
    return meta;
  }

  fresh(): void {
    this.conversationId = mintConversationId();
  }

  cancel(): boolean {
    this.cancelled = true;
    return this.ctx.turns.cancel(this.conversationId);
  }

  /** Run one turn, handing every frame to `onFrame` as it is produced. */
  async run(prompt: string, onFrame: (f: TurnFrame) => void, artifacts?: (fn: () => string[]) => void): Promise<TurnOutcome> {
    const { ctx } = this;
    const cfg = getConfigStatus(ctx.env);
    if (!cfg.config_ready) throw new CliError(`${cfg.config_error} Run \`anton setup\`.`);
    const last = ctx.conversations.latestTurn(this.conversationId);
    if (last?.status === 'running' && otherLiveProcesses(ctx.paths.coworkStateDir).length) {
      throw new CliError(`${TURN_BUSY} (It is running in another Anton process: the Cowork app or another terminal.)`);
    }
    const store = storeFor(this.project);
    let seen = store.snapshot();
    artifacts?.(() => {
      const now = store.snapshot();
      const changed = [...now].filter(([p, v]) => seen.get(p) !== v).map(([p]) => join('.anton', 'artifacts', p));
      seen = now;
      return changed;
    });
    this.cancelled = false;
    const turn = ctx.turns.start({ conversationId: this.conversationId, project: this.project, prompt, model: this.model ?? 'anton', modelOverride: this.model });
    let text = '';
    let outcome: TurnOutcome = { status: 'failed', text: '' };
    turn.subscribe(0, (frame) => {
      if (!frame) return;
      const f = frame as unknown as TurnFrame;
      if (f.type === 'response.output_text.delta') text += String(f.delta ?? '');
      if (f.type === 'response.completed') {
        const usage = (f.response as { usage?: TurnOutcome['usage'] } | undefined)?.usage;
        outcome = { status: this.cancelled ? 'cancelled' : 'completed', text, usage };
      }
      if (f.type === 'response.failed') outcome = { status: 'failed', text, error: String(f.error ?? 'The turn failed.') };
      onFrame(f);
    });
    await turn.done;
    return outcome;
  }
}
