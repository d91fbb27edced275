import { z } from 'zod';
import { isoTime } from './common.js';

/** Response shapes of the domain objects, named once and reused by the route contracts (fields the client reads). */

export const Health = z
  .looseObject({
    status: z.literal('ok'),
    anton_version: z.string(),
    cowork_server_version: z.string(),
    cowork_server_protocol_version: z.number().int(),
    anton_available: z.boolean(),
    mode: z.string(),
    config_ready: z.boolean(),
    config_error: z.string().nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    provider_label: z.string().nullable(),
    live_conversations: z.array(z.string()),
    live_pads: z.array(z.string()),
    scratchpad_available: z.boolean(),
    scratchpad_error: z.string(),
  })
  .meta({ id: 'Health' });

const RoleOverride = z.looseObject({ providerType: z.string(), model: z.string() });
const ProviderEntry = z.looseObject({ type: z.string(), apiKey: z.string().describe('Masked (`***`) when set'), isDefault: z.boolean(), baseUrl: z.string().optional(), name: z.string().optional() });

/** GET /v1/settings: the Settings page and the model sent on each turn (secrets masked). */
export const Settings = z
  .looseObject({
    greeting: z.string(),
    tone: z.string(),
    autoPin: z.boolean(),
    showDots: z.boolean(),
    showCounters: z.boolean(),
    accentVariant: z.string(),
    defaultModel: z.string(),
    planningProvider: z.string(),
    planningModel: z.string(),
    codingProvider: z.string(),
    codingModel: z.string(),
    providerLabel: z.string().nullable(),
    configReady: z.boolean(),
    configError: z.string().nullable(),
    providers: z.array(ProviderEntry),
    providerStatus: z.record(z.string(), z.string()),
    providerStatusDetails: z.record(z.string(), z.string()),
    modelMode: z.enum(['default', 'custom']),
    modelOverrides: z.object({ planning: RoleOverride, coding: RoleOverride }),
    providerTypes: z.array(z.string()),
    providerTypeLabels: z.record(z.string(), z.string()),
    recommendedModels: z.unknown(),
    recommendedPair: z.unknown(),
    openaiBaseUrl: z.string(),
    anthropicApiKey: z.string().describe('`***` when set, else empty'),
    openaiApiKey: z.string().describe('`***` when set, else empty'),
    mindsApiKey: z.string().describe('`***` when set, else empty'),
    mindsUrl: z.string(),
    mindsMindName: z.string(),
    mindsDatasource: z.string(),
    mindsDatasourceEngine: z.string(),
    mindsSslVerify: z.boolean(),
    memoryMode: z.string(),
    memoryEnabled: z.boolean(),
    episodicMemory: z.boolean(),
    proactiveDashboards: z.boolean(),
    uiUpdateMode: z.string(),
  })
  .meta({ id: 'Settings' });

export const Project = z.looseObject({ name: z.string(), path: z.string() }).meta({ id: 'Project' });
export const ProjectCreated = Project.extend({ requested: z.string(), renamed: z.boolean() });

export const ProjectFile = z
  .looseObject({
    path: z.string(),
    name: z.string(),
    size: z.number(),
    modified: z.number().nullable().describe('epoch seconds'),
    is_dir: z.literal(false),
    synthetic: z.literal(true).optional(),
  })
  .meta({ id: 'ProjectFile' });

export const DisabledConnection = z.object({ engine: z.string(), name: z.string() });

export const Conversation = z
  .looseObject({
    id: z.string(),
    title: z.string(),
    turns: z.number().int(),
    preview: z.string(),
    created_at: isoTime,
    updated_at: isoTime,
    project: z.string(),
    project_path: z.string(),
    disabled_connections: z.array(DisabledConnection),
    scheduled_id: z.string().optional(),
  })
  .meta({ id: 'Conversation' });

export const DisplayMessage = z
  .looseObject({
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    events: z.array(z.looseObject({ type: z.string() })).optional().describe('The recorded SSE frames of the turn (TurnFrame)'),
    startedAt: z.number().optional(),
  })
  .meta({ id: 'DisplayMessage' });

export const Cell = z
  .looseObject({
    code: z.string(),
    stdout: z.string(),
    stderr: z.string(),
    error: z.string().nullable(),
    description: z.string(),
    estimated_time: z.string(),
    logs: z.string(),
  })
  .meta({ id: 'Cell' });

export const Pin = z
  .looseObject({ key: z.string(), type: z.string(), id: z.string(), title: z.string(), createdAt: isoTime, updatedAt: isoTime })
  .meta({ id: 'Pin' });

export const Schedule = z
  .looseObject({
    id: z.string(),
    title: z.string(),
    prompt: z.string(),
    cadence: z.string(),
    cron: z.string().nullable(),
    timezone: z.string(),
    nextRunAt: z.string().nullable(),
    enabled: z.boolean(),
    project: z.string().nullable(),
    model: z.string().nullable(),
    lastRunAt: z.string().nullable(),
    lastError: z.string().nullable(),
    missedRuns: z.number().int(),
  })
  .meta({ id: 'Schedule' });

export const ScheduleRun = z
  .looseObject({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    status: z.string(),
    error: z.string().nullable(),
    sessionId: z.string(),
    manual: z.boolean(),
  })
  .meta({ id: 'ScheduleRun' });

export const SearchResult = z
  .looseObject({
    type: z.enum(['task', 'project', 'artifact', 'attachment', 'schedule', 'pin']),
    id: z.string(),
    title: z.string(),
    subtitle: z.string(),
    route: z.string(),
    score: z.number(),
    sessionId: z.string().optional(),
  })
  .meta({ id: 'SearchResult' });

export const Attachment = z
  .looseObject({ id: z.string(), name: z.string(), mime: z.string(), size: z.number(), created_at: z.string(), updated_at: z.string() })
  .meta({ id: 'Attachment' });

/** The legacy (A) store's record: camelCase, with the session it belongs to. */
export const LegacyAttachment = z
  .looseObject({ id: z.string(), kind: z.string(), name: z.string(), sessionId: z.string().nullable(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'LegacyAttachment' });

export const ArtifactCard = z
  .looseObject({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    type: z.string(),
    kind: z.string(),
    ext: z.string(),
    updated: z.string().describe('Humanised age, e.g. "5m ago"'),
    live: z.boolean().describe('The primary file changed in the last five minutes'),
    bg: z.string(),
    fileCount: z.number().int(),
    folder: z.string(),
    path: z.string().describe('The primary file, else the folder'),
    primary: z.string().nullable(),
    publishedUrl: z.string().describe('Empty when not published'),
  })
  .meta({ id: 'ArtifactCard' });

export const MemoryFile = z
  .looseObject({
    name: z.string(),
    path: z.string(),
    relativePath: z.string(),
    scope: z.enum(['Global', 'Project']),
    bytes: z.number(),
    preview: z.string(),
    content: z.string(),
    projectName: z.string().optional(),
    projectPath: z.string().optional(),
  })
  .meta({ id: 'MemoryFile' });

export const Skill = z
  .looseObject({
    label: z.string(),
    name: z.string(),
    description: z.string(),
    declarative: z.unknown(),
    stages: z.object({ stage1: z.boolean(), stage2: z.boolean(), stage3: z.boolean() }),
    stats: z.object({ totalRecalls: z.number() }),
  })
  .meta({ id: 'Skill' });

export const ConnectorSummary = z
  .looseObject({
    id: z.string(),
    label: z.string(),
    description: z.string(),
    category: z.string(),
    aliases: z.array(z.string()),
    featured: z.boolean(),
  })
  .meta({ id: 'ConnectorSummary' });

export const DatasourceConnection = z
  .looseObject({ engine: z.string(), name: z.string(), displayName: z.string(), testAvailable: z.boolean() })
  .meta({ id: 'DatasourceConnection' });

/** A credential field of a datasource engine's form. */
export const EngineField = z
  .looseObject({ name: z.string(), required: z.boolean(), secret: z.boolean(), description: z.string().optional(), default: z.unknown() })
  .meta({ id: 'EngineField' });

/** An engine of the datasource catalogue: its form (one method) or its auth methods (several). */
export const DatasourceEngine = z
  .looseObject({
    engine: z.string(),
    displayName: z.string(),
    popular: z.boolean(),
    custom: z.boolean(),
    testAvailable: z.boolean(),
    nameFrom: z.union([z.string(), z.array(z.string())]).optional(),
    authMethodMode: z.enum(['choice', '']),
    fields: z.array(EngineField),
    authMethods: z.array(z.looseObject({ name: z.string(), display: z.string(), fields: z.array(EngineField) })),
  })
  .meta({ id: 'DatasourceEngine' });

export const Integration = z
  .looseObject({
    id: z.string(),
    title: z.string(),
    engine: z.string(),
    status: z.enum(['connected', 'available', 'needs_config']),
    description: z.string(),
    setupMode: z.string(),
    connections: z.array(
      z.looseObject({ engine: z.string(), name: z.string(), slug: z.string(), label: z.string(), subtitle: z.string(), connectedVia: z.string(), createdAt: z.string() }),
    ),
    connectionCount: z.number().int(),
    oauth: z.looseObject({
      ready: z.boolean(),
      configError: z.string(),
      pending: z.boolean(),
      launchLabel: z.string(),
      redirectUri: z.string(),
      lastError: z.string(),
    }),
    notes: z.array(z.string()).optional(),
  })
  .meta({ id: 'Integration' });

export const Submission = z
  .looseObject({
    submission_id: z.string(),
    form_id: z.string(),
    conversation_id: z.string().nullable(),
    field_names: z.array(z.string()),
    skipped: z.array(z.string()),
    created_at: z.string(),
    status: z.string(),
  })
  .meta({ id: 'Submission' });
