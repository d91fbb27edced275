import { join } from 'node:path';
import type { Logger } from 'pino';
import { createLogger } from './logging.js';
import { appendMessage, messageText, repairToolPairing } from '../../core/agent/history.js';
import type { Message } from '../../core/llm/types.js';
import { bootEnv } from './boot-env.js';
import { openDatabase, type Db } from './db/database.js';
import { WalCheckpointer } from './db/wal-checkpointer.js';
import { KvStore } from './stores/kv.js';
import { ProjectStore } from './stores/projects.js';
import { PreviewMounts } from './stores/preview-mounts.js';
import { ConversationStore } from './stores/conversations.js';
import { TurnService } from './services/turns.js';
import { emptyExtensions } from './services/agent.js';
import { createPadManager } from './services/scratchpads.js';
import { DataVault, envPrefix } from '../../core/vault/vault.js';
import { registerAgentFeatures } from './services/agent-features.js';
import { PinStore } from './stores/pins.js';
import { reconcileOnBoot } from './services/importer.js';
import { SubmissionStore } from './services/submissions.js';
import { resolveSpa } from './spa.js';
import { LegacyAttachmentStore, removeUploadLeftovers } from './stores/attachments.js';
import { buildAttachmentContext } from './services/attachment-context.js';
import { ScheduleStore } from './stores/schedules.js';
import { Scheduler, schedulerOptions } from './services/scheduler.js';
import { otherLiveProcesses, registerLiveProcess } from './services/live-processes.js';
import type { ServerServices } from './server-services.js';
import { artifactSource, attachmentSource, conversationSource, pinSource, projectSource, scheduleSource } from './services/search-sources.js';

export interface ContextOptions {
  logLevel?: string;
  /** A ready logger (the `anton` terminal logs to a file, never to the screen). */
  log?: Logger;
  /** Who opens the state dir, recorded in `<state>/live/<pid>` (`server`, `terminal`). */
  role?: string;
}

export const INTERRUPTED_NOTE = '_[Interrupted: the server stopped before this turn finished.]_';

/**
 * The text a crashed turn streamed but never saved: its stored output_text deltas past the text its saved
 * assistant messages already hold (history is saved per round; frames as they stream, perhaps a tick late).
 */
function unsavedText(db: Db, conversations: ConversationStore, conversationId: string, turnId: number): string {
  const streamed = conversations
    .frames(turnId)
    .filter((f) => f.type === 'response.output_text.delta' && typeof f.delta === 'string')
    .map((f) => f.delta as string)
    .join('');
  if (!streamed) return '';
  const saved = db
    .prepare<[string, number], { content: string }>("SELECT content FROM messages WHERE conversation_id = ? AND turn_id = ? AND role = 'assistant' ORDER BY idx")
    .all(conversationId, turnId)
    .map((r) => messageText({ role: 'assistant', content: JSON.parse(r.content) as Message['content'] }))
    .join('');
  if (!saved) return streamed.trim();
  return streamed.startsWith(saved) ? streamed.slice(saved.length).trim() : '';
}

/** After a crash: close turns left running, make their histories valid, and keep what they had streamed. */
function recoverInterruptedTurns(db: Db, conversations: ConversationStore, log: Logger): void {
  for (const { conversation_id, turn_id } of conversations.sealInterruptedTurns()) {
    const partial = unsavedText(db, conversations, conversation_id, turn_id);
    const h = conversations.loadHistory(conversation_id);
    let from = repairToolPairing(h, 'interrupted by a server restart');
    if (h[h.length - 1]?.role === 'user') {
      // The model sees the partial answer next turn, as after a cancel.
      const i = appendMessage(h, { role: 'assistant', content: partial ? `${partial}\n\n${INTERRUPTED_NOTE}` : INTERRUPTED_NOTE });
      from = from === -1 ? i : Math.min(from, i);
    }
    if (from !== -1) conversations.saveHistory(conversation_id, h, from, turn_id);
    log.warn({ conversation: conversation_id, turn: turn_id, kept_chars: partial.length }, 'marked a turn interrupted by a restart');
  }
}

export function createContext(processEnv: Record<string, string | undefined>, opts: ContextOptions = {}): ServerServices {
  const { env, paths } = bootEnv(processEnv);
  const log = opts.log ?? createLogger(env, paths.coworkStateDir, opts.logLevel ?? env.setting('ANTON_LOG_LEVEL'));
  const { db, migration } = openDatabase(paths.databaseFile);
  if (migration.from !== migration.to) log.info(migration, 'database migrated');
  const checkpointer = new WalCheckpointer(db, { onError: (message) => log.warn({ cause: message }, 'WAL checkpoint failed; retrying') });
  const kv = new KvStore(db);
  const projects = new ProjectStore(paths.projectsDir, kv);
  projects.ensureGeneral();
  const conversations = new ConversationStore(db);
  projects.onRename.push((from, to) => conversations.relabelProject(from, to));
  projects.onDelete.push((name) => conversations.deleteProject(name));
  // A turn left `running` may belong to another live process (a server and a terminal share the database).
  const unregister = registerLiveProcess(paths.coworkStateDir, opts.role ?? 'server');
  // Likewise an upload temp file may be another live process's upload in progress.
  if (otherLiveProcesses(paths.coworkStateDir).length === 0) {
    recoverInterruptedTurns(db, conversations, log);
    removeUploadLeftovers(projects.list().map((p) => p.path), join(paths.coworkStateDir, 'attachments')); // a crash mid-upload
  }
  const agent = emptyExtensions();
  const pads = createPadManager(env, log);
  const schedules = new ScheduleStore(db);
  const turns = new TurnService(env, conversations, agent, log);
  const ctx: ServerServices = {
    paths,
    env,
    log,
    db,
    migration,
    kv,
    projects,
    previews: new PreviewMounts(),
    conversations,
    turns,
    agent,
    pads,
    pins: new PinStore(db),
    schedules,
    scheduler: new Scheduler(schedules, turns, projects, schedulerOptions(env), log),
    searchSources: [],
    submissions: new SubmissionStore(),
    vault: new DataVault(join(paths.coworkStateDir, 'vault'), join(paths.coworkStateDir, 'vault.key')),
    // DS_* variables of this conversation's connections only; muted ones are left out.
    kernelSecrets: (conversationId) => {
      const muted = new Set((conversationId ? conversations.get(conversationId)?.disabled_connections ?? [] : []).map((d) => envPrefix(d.engine, d.name)));
      return Object.assign({}, ...ctx.vault.list().filter((r) => !muted.has(envPrefix(r.engine, r.name))).map((r) => DataVault.env(r)));
    },
    legacyAttachments: new LegacyAttachmentStore(db, join(paths.coworkStateDir, 'attachments')),
    attachmentContext: (project, conversationId, ids) => buildAttachmentContext(ctx.legacyAttachments, project, conversationId, ids),
    spa: null,
    closers: [],
  };
  ctx.spa = resolveSpa(ctx);
  registerAgentFeatures(ctx);
  reconcileOnBoot(ctx); // adopt the Python app's data in place, every boot (services/importer.ts)
  ctx.searchSources.push(
    conversationSource(conversations),
    projectSource(projects),
    pinSource(ctx.pins),
    scheduleSource(schedules),
    artifactSource(projects),
    attachmentSource(ctx.legacyAttachments, projects),
  );
  // Closed in reverse: turns first (they use pads), then pads, then the database.
  ctx.closers.push(
    unregister,
    async () => {
      conversations.frameLog.flush();
      conversations.textIndex.stop(); // texts still listed are indexed by the next search or the next start
      await checkpointer.stop();
      db.close();
    },
    () => pads.closeAll(),
    () => ctx.scheduler.stop(),
    () => ctx.turns.closeAll(),
  );
  return ctx;
}

export async function closeContext(ctx: Pick<ServerServices, 'closers'>): Promise<void> {
  for (const close of [...ctx.closers].reverse()) await close();
  ctx.closers = [];
}
