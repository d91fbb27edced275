/**
 * Types only: the composite of a process's stores and services. Kept apart from context.ts (which builds it and
 * therefore imports the modules that use parts of it) so that no module has to import the composition root.
 */
import type { Logger } from 'pino';
import type { Paths } from '../../core/paths.js';
import type { EnvStore } from '../../core/settings/env-store.js';
import type { PadManager } from '../../core/scratchpad/manager.js';
import type { DataVault } from '../../core/vault/vault.js';
import type { Db, MigrationReport } from './db/database.js';
import type { KvStore } from './stores/kv.js';
import type { ProjectInfo, ProjectStore } from './stores/projects.js';
import type { PreviewMounts } from './stores/preview-mounts.js';
import type { ConversationStore } from './stores/conversations.js';
import type { PinStore } from './stores/pins.js';
import type { ScheduleStore } from './stores/schedules.js';
import type { LegacyAttachmentStore } from './stores/attachments.js';
import type { TurnService } from './services/turns.js';
import type { AgentExtensions } from './services/agent.js';
import type { SubmissionStore } from './services/submissions.js';
import type { Scheduler } from './services/scheduler.js';
import type { SearchSource } from './services/search.js';
import type { Spa } from './spa.js';

/**
 * Every store and service of one server (or terminal) process, built once by `createContext` (context.ts; tests
 * build one per temp HOME). Only the composition roots hold the whole of it: `createContext`, `buildApp` (which hands
 * each route group the parts it names, routes/types.ts), `serve` and the terminal's workspace. Every other module
 * declares the few parts it uses (a `Pick` of this, or its own small interface) and receives only those.
 */
export interface ServerServices {
  paths: Paths;
  env: EnvStore;
  log: Logger;
  db: Db;
  migration: MigrationReport;
  kv: KvStore;
  projects: ProjectStore;
  previews: PreviewMounts;
  conversations: ConversationStore;
  turns: TurnService;
  /** Tools, prompt sections and scrubbers that features add to every agent turn. */
  agent: AgentExtensions;
  /** Text appended to the user's prompt for the attachments sent with it. */
  attachmentContext: (project: ProjectInfo, conversationId: string, ids: string[]) => string;
  pads: PadManager;
  pins: PinStore;
  schedules: ScheduleStore;
  legacyAttachments: LegacyAttachmentStore;
  vault: DataVault;
  submissions: SubmissionStore;
  scheduler: Scheduler;
  /** Everything /v1/search looks through; features add their own sources. */
  searchSources: SearchSource[];
  /** DS_* variables for a conversation's kernels (null: the /v1/scratchpad pads); the data vault fills this in. */
  kernelSecrets: (conversationId: string | null) => Record<string, string>;
  /** The web UI folder when ANTON_SERVE_SPA is on. */
  spa: Spa | null;
  /** Shutdown steps run in reverse order of registration. */
  closers: (() => Promise<void> | void)[];
}
