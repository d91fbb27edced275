import type { FastifyInstance } from 'fastify';
import { warmToolSchemas } from '../../../core/agent/tools.js';
import { warmSseTransport } from '../../../core/llm/sse-transport.js';
import type { ServerServices } from '../server-services.js';
import { GENERAL_PROJECT } from '../stores/projects.js';
import { buildAgent } from './agent.js';

export type WarmUpDeps = Pick<ServerServices, 'env' | 'agent' | 'projects' | 'conversations'>;

/**
 * Idle-time warm-up, run once shortly after the server is ready: the code a user's first chat turn runs is run
 * here first, so that turn does not pay for it cold (V8 compiles a function on its first call; zod's JSON Schema
 * conversion, request validation, the agent's set-up, a turn's storage and the LLM transport each cost
 * milliseconds the first time). Nothing here leaves a trace: no file, row, conversation or outside request.
 * Node's fetch (undici) is not warmed: a turn never uses it (provider probes and model lists do, where a few
 * milliseconds do not show), and loading it costs about 2 MB of idle memory.
 */
export async function warmUp(app: FastifyInstance, deps: WarmUpDeps): Promise<void> {
  warmToolSchemas();
  // The chat request's way in up to validation: this body is refused (422) before anything is done with it.
  await app.inject({ method: 'POST', url: '/v1/responses', payload: { input: 0 } });
  // A turn's set-up for the General project, without the turn: tools, prompt sections, the system prompt, the request body.
  const agent = buildAgent(deps.env, deps.agent, { conversationId: 'warm-up', project: deps.projects.resolve(GENERAL_PROJECT) });
  JSON.stringify({ system: agent.buildSystem(), tools: agent.tools.specs() });
  // A turn's storage: its statements compiled and its writes run once, then rolled back.
  deps.conversations.warmTurnPath(GENERAL_PROJECT);
  await warmSseTransport();
}
