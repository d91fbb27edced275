import { z } from 'zod';
import { Bytes, ERROR_RESPONSES, Ok, StatusOk } from './common.js';
import * as E from './entities.js';
import { DataVaultFrame, ResponseObject, ScratchpadStreamFrame, TurnFrame } from './frames.js';

/**
 * The contract of every route: a stable camelCase `operationId`, a one-line summary and the 2xx answer, keyed by
 * `METHOD path` as the route is registered. `applyContract` merges these into the route's schema (request schemas
 * stay beside their handlers); a test checks that every route has one and that the answers match.
 */
export interface RouteContract {
  operationId: string;
  summary: string;
  /** The 2xx answer: a zod schema (JSON), or content-typed variants (SSE, bytes, HTML). */
  response: z.ZodType | { description?: string; content: Record<string, { schema: z.ZodType }> };
  /** Answered with 201/204 etc. instead of 200. */
  status?: number;
}

const sse = (frame: z.ZodType, description: string) => ({ description, content: { 'text/event-stream': { schema: frame } } });
const bytes = (description: string, type = 'application/octet-stream') => ({ description, content: { [type]: { schema: Bytes } } });
const obj = z.looseObject;
const str = z.string();

const statusName = (status: string) => obj({ status: z.literal(status), name: str });

export const CONTRACTS: Record<string, RouteContract> = {
  // health
  'GET /health': { operationId: 'getHealth', summary: 'Liveness, configuration status and versions.', response: E.Health },
  'GET /': {
    operationId: 'getRoot',
    summary: 'Banner (JSON), or the SPA shell when the web build is served.',
    response: {
      description: 'The banner, or the SPA entry page',
      content: { 'application/json': { schema: obj({ message: str, anton_available: z.boolean() }) }, 'text/html': { schema: str } },
    },
  },

  // settings
  'GET /v1/settings': {
    operationId: 'getSettings',
    summary: 'Read settings (secrets masked).',
    response: E.Settings,
  },
  'PUT /v1/settings': {
    operationId: 'updateSettings',
    summary: 'Patch settings.',
    response: obj({ status: z.literal('ok'), updated: z.array(str), configReady: z.boolean(), configError: z.string().nullable() }),
  },
  'POST /v1/settings/validate': {
    operationId: 'validateSettings',
    summary: 'Configuration readiness.',
    response: obj({ status: z.enum(['ok', 'needs_config']), configReady: z.boolean(), configError: z.string().nullable() }),
  },
  'GET /v1/settings/reveal-key/:name': { operationId: 'revealSettingsKey', summary: 'Return a stored API key in plain text.', response: obj({ value: str }) },
  'POST /v1/settings/test-providers': {
    operationId: 'testProviders',
    summary: 'Ping the configured (or given) provider APIs.',
    response: obj({ providerStatus: z.record(str, z.enum(['ok', 'fail'])), providerStatusDetails: z.record(str, str) }),
  },
  'GET /v1/settings/raw': { operationId: 'getRawSettings', summary: 'The settings file as a flat dictionary (plain text).', response: z.record(str, str) },
  'POST /v1/settings/raw': { operationId: 'replaceRawSettings', summary: 'Replace the settings file.', response: Ok },
  'GET /v1/settings/install-status': {
    operationId: 'getInstallStatus',
    summary: 'Installation status (always installed).',
    response: obj({ antonInstalled: z.boolean(), serverDepsReady: z.boolean() }),
  },
  'GET /v1/settings/configured': { operationId: 'getConfigured', summary: 'Whether any provider key is present.', response: obj({ configured: z.boolean(), provider: str }) },
  'POST /v1/settings/validate-provider': {
    operationId: 'validateProvider',
    summary: 'Check a provider key live.',
    response: obj({ ok: z.boolean(), error: str.optional() }),
  },

  // projects
  'GET /v1/projects': { operationId: 'listProjects', summary: 'List projects.', response: obj({ projects: z.array(E.Project) }) },
  'POST /v1/projects': { operationId: 'createProject', summary: 'Create a project (the name is sanitised or made unique).', response: E.ProjectCreated },
  'GET /v1/projects/active': { operationId: 'getActiveProject', summary: 'Get the active project.', response: obj({ name: str }) },
  'PUT /v1/projects/active': { operationId: 'setActiveProject', summary: 'Set the active project.', response: obj({ name: str }) },
  'PATCH /v1/projects/:name': { operationId: 'renameProject', summary: 'Rename a project.', response: E.ProjectCreated },
  'DELETE /v1/projects/:name': { operationId: 'deleteProject', summary: 'Delete a project and its folder.', response: obj({ status: z.literal('deleted'), name: str }) },
  'GET /v1/projects/:name/instructions': { operationId: 'getProjectInstructions', summary: 'Metadata of the project instructions file.', response: obj({ file: E.ProjectFile }) },
  'GET /v1/projects/:name/files': { operationId: 'listProjectFiles', summary: 'Recursive listing of the project files.', response: obj({ files: z.array(E.ProjectFile) }) },
  'GET /v1/projects/:name/files/*': {
    operationId: 'readProjectFile',
    summary: 'Read a UTF-8 text file of a project.',
    response: obj({ path: str, content: str, size: z.number(), modified: z.number().nullable() }),
  },
  'PUT /v1/projects/:name/files/*': { operationId: 'writeProjectFile', summary: 'Write a text file of a project.', response: obj({ path: str, size: z.number(), modified: z.number() }) },
  'DELETE /v1/projects/:name/files/*': { operationId: 'deleteProjectFile', summary: 'Delete a file of a project.', response: obj({ status: z.literal('deleted'), path: str }) },
  'POST /v1/projects/:name/files/upload': {
    operationId: 'uploadProjectFiles',
    summary: 'Upload files (multipart, repeated `files`) to the project root.',
    response: obj({ results: z.array(obj({ name: str, ok: z.boolean(), size: z.number().optional(), error: str.optional() })) }),
  },
  'GET /v1/projects/:name/files-raw/*': { operationId: 'downloadProjectFile', summary: 'Download the raw bytes of a project file.', response: bytes('The file, as an attachment') },
  'POST /v1/projects/preview-mount-file': {
    operationId: 'mountProjectPreview',
    summary: 'Mount an HTML project file for an iframe preview.',
    response: obj({ token: str, entry: str, relUrl: str }),
  },
  'GET /v1/projects/preview-asset/:token/*': { operationId: 'getProjectPreviewAsset', summary: 'Serve a file from a mounted project preview.', response: bytes('The file') },

  // chat
  'POST /v1/responses': {
    operationId: 'createResponse',
    summary: 'Run a chat turn: SSE frames, or the final response when `stream` is false.',
    response: {
      description: 'The turn',
      content: {
        'text/event-stream': { schema: TurnFrame },
        'application/json': { schema: ResponseObject.extend({ conversation_id: str }) },
      },
    },
  },
  'POST /v1/responses/cancel': { operationId: 'cancelResponse', summary: 'Cancel the running turn of a conversation.', response: obj({ cancelled: z.boolean(), conversation_id: str }) },
  'GET /v1/responses/in-flight-list': {
    operationId: 'listInFlightResponses',
    summary: 'List running turns.',
    response: obj({ in_flight: z.array(obj({ conversation_id: str, turn_id: z.union([str, z.number()]).optional(), latest_seq: z.number().int().optional() })) }),
  },
  'GET /v1/responses/in-flight': {
    operationId: 'getInFlightResponse',
    summary: 'In-flight status of one conversation (true means open the tail).',
    response: obj({ in_flight: z.boolean(), has_buffer: z.boolean(), latest_seq: z.number().int(), turn_id: z.union([str, z.number()]).nullable() }),
  },
  'GET /v1/responses/tail': { operationId: 'tailResponse', summary: "Replay and follow a turn's SSE frames from a sequence number.", response: sse(TurnFrame, 'The frames of the turn') },

  // conversations
  'GET /v1/conversations': { operationId: 'listConversations', summary: 'List the conversations of a project.', response: obj({ project: str, conversations: z.array(E.Conversation) }) },
  'GET /v1/projects/:name/conversations': {
    operationId: 'listProjectConversations',
    summary: 'List the conversations of the project in the path.',
    response: obj({ project: str, conversations: z.array(E.Conversation) }),
  },
  'GET /v1/conversations/:id': { operationId: 'getConversation', summary: 'Conversation metadata.', response: E.Conversation },
  'PATCH /v1/conversations/:id': { operationId: 'updateConversation', summary: 'Rename, move or set the muted connections of a conversation.', response: E.Conversation },
  'DELETE /v1/conversations/:id': { operationId: 'deleteConversation', summary: 'Delete a conversation.', response: obj({ status: z.literal('deleted'), id: str }) },
  'GET /v1/conversations/:id/messages': {
    operationId: 'listConversationMessages',
    summary: 'Display messages, with the recorded turn events.',
    response: obj({ id: str, messages: z.array(E.DisplayMessage) }),
  },
  'DELETE /v1/conversations/:id/turns/:turn_index': {
    operationId: 'deleteConversationTurn',
    summary: 'Delete one user-to-answer exchange.',
    response: obj({ conversation_id: str, turn_index: z.number().int(), removed_count: z.number().int(), remaining_messages: z.number().int() }),
  },

  // scratchpad
  'POST /v1/scratchpad/start': { operationId: 'startScratchpad', summary: 'Create or start a named scratchpad.', response: statusName('started') },
  'POST /v1/scratchpad/execute': { operationId: 'executeScratchpad', summary: 'Run code and return the cell.', response: obj({ cell: E.Cell }) },
  'POST /v1/scratchpad/execute-stream': { operationId: 'executeScratchpadStream', summary: 'Run code with SSE progress frames.', response: sse(ScratchpadStreamFrame, 'Progress, then the cell or an error') },
  'POST /v1/scratchpad/install': { operationId: 'installScratchpadPackages', summary: 'Install pip packages into a scratchpad.', response: obj({ result: str }) },
  'POST /v1/scratchpad/reset': { operationId: 'resetScratchpad', summary: 'Restart the scratchpad process.', response: statusName('reset') },
  'POST /v1/scratchpad/cancel': { operationId: 'cancelScratchpad', summary: 'Cancel the running cell of a scratchpad.', response: statusName('cancelled') },
  'GET /v1/scratchpad/view': { operationId: 'viewScratchpad', summary: 'Text view of the cells.', response: obj({ view: str }) },
  'GET /v1/scratchpad/notebook': { operationId: 'getScratchpadNotebook', summary: 'Notebook-style rendering of the cells.', response: obj({ notebook: str }) },
  'GET /v1/scratchpad/cells': { operationId: 'listScratchpadCells', summary: 'The cells as JSON.', response: obj({ cells: z.array(E.Cell) }) },
  'POST /v1/scratchpad/close': { operationId: 'closeScratchpad', summary: 'Close and forget a scratchpad.', response: statusName('closed') },
  'POST /v1/scratchpad/cleanup': { operationId: 'cleanupScratchpad', summary: 'Close a scratchpad and delete its environment.', response: statusName('cleaned') },
  'GET /v1/scratchpad/list': { operationId: 'listScratchpads', summary: 'Names of the open scratchpads.', response: obj({ pads: z.array(str) }) },

  // pins
  'GET /v1/pins': { operationId: 'listPins', summary: 'List pins.', response: obj({ pins: z.array(E.Pin) }) },
  'POST /v1/pins': { operationId: 'createPin', summary: 'Pin an item (upsert).', response: obj({ pin: E.Pin, pins: z.array(E.Pin) }) },
  'PUT /v1/pins/reorder': { operationId: 'reorderPins', summary: 'Reorder pins.', response: obj({ pins: z.array(E.Pin) }) },
  'DELETE /v1/pins/:item_id': { operationId: 'deletePin', summary: 'Unpin an item.', response: obj({ ok: z.literal(true), pins: z.array(E.Pin) }) },
  'POST /v1/pins/:task_id/visit': {
    operationId: 'visitTask',
    summary: 'Count a visit to a task, pinning it automatically when asked.',
    response: obj({ taskId: str, visits: z.number().int(), autoPinned: z.boolean(), pin: E.Pin.nullable() }),
  },

  // search
  'GET /v1/search': { operationId: 'search', summary: 'Search tasks, projects, artifacts, attachments and pins.', response: obj({ results: z.array(E.SearchResult) }) },

  // schedules
  'GET /v1/schedules': {
    operationId: 'listSchedules',
    summary: 'List schedules, with the conversation-to-schedule index of their runs.',
    response: obj({ schedules: z.array(E.Schedule), runs_index: z.record(str, str) }),
  },
  'POST /v1/schedules': { operationId: 'createSchedule', summary: 'Create a schedule.', response: obj({ schedule: E.Schedule }) },
  'PUT /v1/schedules/:id': { operationId: 'updateSchedule', summary: 'Update a schedule.', response: obj({ schedule: E.Schedule }) },
  'DELETE /v1/schedules/:id': { operationId: 'deleteSchedule', summary: 'Delete a schedule.', response: Ok },
  'POST /v1/schedules/:id/pause': { operationId: 'pauseSchedule', summary: 'Disable a schedule.', response: obj({ schedule: E.Schedule }) },
  'POST /v1/schedules/:id/resume': { operationId: 'resumeSchedule', summary: 'Enable a schedule.', response: obj({ schedule: E.Schedule }) },
  'POST /v1/schedules/:id/run-now': {
    operationId: 'runScheduleNow',
    summary: 'Run a schedule now and answer when the run has finished.',
    response: obj({ schedule: E.Schedule, session: obj({ id: str, status: z.enum(['completed', 'error']) }) }),
  },
  'GET /v1/schedules/:id/runs': { operationId: 'listScheduleRuns', summary: 'Run history of a schedule.', response: obj({ schedule_id: str, runs: z.array(E.ScheduleRun) }) },

  // attachments
  'GET /v1/attachments/:project/:session_id': { operationId: 'listConversationAttachments', summary: 'List the uploads of one conversation.', response: z.array(E.Attachment) },
  'POST /v1/attachments/:project/:session_id/upload': {
    operationId: 'uploadConversationAttachments',
    summary: 'Upload files (multipart, repeated `files`) to a conversation.',
    response: z.array(E.Attachment),
  },
  'DELETE /v1/attachments/:project/:session_id/:att_id': { operationId: 'deleteConversationAttachment', summary: 'Delete an upload of a conversation.', response: Ok },
  'GET /v1/attachments/:project/:session_id/:att_id/raw': { operationId: 'getConversationAttachmentRaw', summary: 'The bytes of an upload, served inline.', response: bytes('The upload') },
  'POST /v1/attachments/:project/:session_id/:att_id/move-to-project': {
    operationId: 'moveAttachmentToProject',
    summary: 'Promote an upload to a project file.',
    response: obj({ ok: z.literal(true), project_path: str, absolute_path: str }),
  },
  'GET /v1/attachments': { operationId: 'listAttachments', summary: 'List attachments (legacy store).', response: obj({ attachments: z.array(E.LegacyAttachment) }) },
  'POST /v1/attachments/upload': { operationId: 'uploadAttachments', summary: 'Upload attachments (legacy store, multipart).', response: obj({ attachments: z.array(E.LegacyAttachment) }) },
  'POST /v1/attachments/snippet': { operationId: 'createSnippetAttachment', summary: 'Create a text snippet attachment (legacy store).', response: obj({ attachment: E.LegacyAttachment }) },
  'DELETE /v1/attachments/:attachment_id': { operationId: 'deleteAttachment', summary: 'Delete an attachment (legacy store).', response: Ok },

  // artifacts
  'GET /v1/artifacts': { operationId: 'listArtifacts', summary: 'List artifact cards (a bare array).', response: z.array(E.ArtifactCard) },
  'GET /v1/artifacts/preview': {
    operationId: 'previewArtifact',
    summary: 'Text preview of an artifact file.',
    response: obj({ path: str, title: str, kind: str, mime: str, content: str, truncated: z.boolean() }),
  },
  'POST /v1/artifacts/preview-mount': {
    operationId: 'mountArtifactPreview',
    summary: 'Mount an HTML artifact folder under a token for an iframe.',
    response: obj({ token: str, entry: str, relUrl: str, publishedUrl: str }),
  },
  'GET /v1/artifacts/preview-asset/:token/*': { operationId: 'getArtifactPreviewAsset', summary: 'Serve a file from a mounted artifact folder.', response: bytes('The file') },
  'POST /v1/artifacts/open': { operationId: 'openArtifact', summary: "Open an artifact with the system's default application.", response: obj({ status: z.literal('ok'), path: str }) },
  'POST /v1/artifacts/reveal': { operationId: 'revealArtifact', summary: 'Reveal an artifact in the file manager.', response: obj({ status: z.literal('ok'), path: str }) },

  // memory and skills
  'GET /v1/memory': {
    operationId: 'listMemory',
    summary: 'List the memory files, global and per project.',
    response: obj({ sections: z.array(obj({ scope: z.enum(['Global', 'Project']), root: str, files: z.array(E.MemoryFile) })) }),
  },
  'POST /v1/memory': { operationId: 'writeMemory', summary: 'Write a memory file.', response: obj({ status: z.literal('ok'), file: E.MemoryFile }) },
  'DELETE /v1/memory': { operationId: 'deleteMemory', summary: 'Delete a memory file.', response: obj({ status: z.literal('ok'), deleted: str, root: str }) },
  'GET /v1/skills': { operationId: 'listSkills', summary: 'List skills.', response: obj({ skills: z.array(E.Skill) }) },
  'POST /v1/skills': { operationId: 'saveSkill', summary: 'Create or update a skill.', response: obj({ status: z.literal('ok'), label: str, path: str }) },
  'DELETE /v1/skills/:label': { operationId: 'deleteSkill', summary: 'Delete a skill.', response: obj({ status: z.literal('ok'), deleted: str }) },

  // connectors
  'GET /v1/connectors': { operationId: 'listConnectors', summary: 'Connector summaries.', response: obj({ connectors: z.array(E.ConnectorSummary) }) },
  'GET /v1/connectors/:id': { operationId: 'getConnector', summary: 'The full connector spec (form, methods, OAuth metadata).', response: obj({ id: str, label: str }).meta({ id: 'Connector' }) },
  'POST /v1/connectors/match': {
    operationId: 'matchConnectors',
    summary: 'Natural language to connector ids.',
    response: obj({ candidates: z.array(z.unknown()), needs_clarification: z.boolean(), stage: str, question: str.optional() }),
  },
  'POST /v1/connectors/:id/save': {
    operationId: 'saveConnector',
    summary: "Save credentials using the connector's form.",
    response: obj({ status: z.literal('ok'), engine: str, name: str, method: z.string().nullable(), label: str }),
  },
  'POST /v1/connectors/:id/test': { operationId: 'testConnector', summary: 'Test credentials live, before or without saving them.', response: obj({ ok: z.boolean(), message: str }) },

  // datasources
  'GET /v1/datasources': {
    operationId: 'listDatasources',
    summary: 'Vault connections plus the engine catalogue.',
    response: obj({ connections: z.array(E.DatasourceConnection), engines: z.array(E.DatasourceEngine), configReady: z.boolean(), configError: z.string().nullable() }),
  },
  'POST /v1/datasources': { operationId: 'saveDatasource', summary: 'Save a connection.', response: obj({ status: z.literal('ok'), slug: str, engine: str, name: str }) },
  'GET /v1/datasources/:engine/:name': {
    operationId: 'getDatasource',
    summary: 'A connection record, secrets replaced by a sentinel.',
    response: obj({ engine: str, name: str, secureKeys: z.array(str), fields: z.record(str, z.unknown()) }),
  },
  'DELETE /v1/datasources/:engine/:name': {
    operationId: 'deleteDatasource',
    summary: 'Delete a connection (revoking Google tokens).',
    response: obj({ status: z.literal('ok'), deleted: obj({ engine: str, name: str }) }),
  },
  'POST /v1/datasources/validate': {
    operationId: 'validateDatasource',
    summary: 'Check connection credentials for shape, and live when asked.',
    response: obj({ status: z.enum(['ok', 'missing_fields', 'failed']), engine: str, missingFields: z.array(str), liveTest: z.enum(['ok', 'failed', 'not_run']), message: str }),
  },

  // datavault
  'POST /v1/datavault/submissions': {
    operationId: 'submitDataVaultForm',
    summary: 'Stage form values, test and save them, reporting over SSE.',
    response: sse(DataVaultFrame, 'The submission progress'),
  },
  'GET /v1/datavault/submissions/:id': { operationId: 'getDataVaultSubmission', summary: 'Submission metadata (no values).', response: E.Submission },

  // publish
  'GET /v1/publish': {
    operationId: 'getPublishing',
    summary: 'Publishable HTML artifacts, history and readiness.',
    response: obj({ artifacts: z.array(z.unknown()), publishReady: z.boolean(), publishUrl: str, history: z.array(z.unknown()) }),
  },
  'POST /v1/publish': { operationId: 'publishArtifact', summary: 'Publish an HTML artifact.', response: obj({ status: z.literal('ok'), url: str }) },
  'DELETE /v1/publish': { operationId: 'unpublishArtifact', summary: 'Unpublish an artifact.', response: StatusOk },

  // integrations
  'GET /v1/integrations': { operationId: 'listIntegrations', summary: 'Google Drive, Calendar and Gmail integration cards.', response: obj({ items: z.array(E.Integration) }) },
  ...oauthContracts(),

  // browse
  'GET /v1/browse/status': {
    operationId: 'getBrowseStatus',
    summary: 'Web browsing capability of the agent.',
    response: obj({ supported: z.boolean(), mode: str, reason: str, evidence: z.array(str) }),
  },
};

function oauthContracts(): Record<string, RouteContract> {
  const out: Record<string, RouteContract> = {};
  for (const [slug, id, label] of [
    ['google-drive', 'GoogleDrive', 'Google Drive'],
    ['google-calendar', 'GoogleCalendar', 'Google Calendar'],
    ['gmail', 'Gmail', 'Gmail'],
  ] as const) {
    out[`POST /v1/integrations/${slug}/oauth/start`] = {
      operationId: `start${id}OAuth`,
      summary: `Start the ${label} OAuth (PKCE) sign-in.`,
      response: obj({ status: z.literal('ok'), authUrl: str, redirectUri: str, startedAt: str }),
    };
    out[`GET /v1/integrations/${slug}/oauth/callback`] = {
      operationId: `finish${id}OAuth`,
      summary: `The ${label} OAuth redirect target (an HTML page).`,
      response: { description: 'A page saying whether the account was connected', content: { 'text/html': { schema: str } } },
    };
  }
  return out;
}

/** The `schema` additions of one route: id, summary, 2xx answer and the shared error answers. */
export function contractSchema(c: RouteContract): Record<string, unknown> {
  return { operationId: c.operationId, summary: c.summary, response: { [c.status ?? 200]: c.response, ...ERROR_RESPONSES } };
}
