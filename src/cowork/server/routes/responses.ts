import { z } from 'zod';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import { modelFitsProvider, resolveRole } from '../../../core/settings/providers.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { CONVERSATION_ID_RE, mintConversationId, type DisabledConnection } from '../stores/conversations.js';
import { openSse } from '../services/sse.js';
import { loopPacer } from '../../../core/loop-pacer.js';
import { TURN_BUSY, type Frame, type RunningTurn } from '../services/turns.js';
import type { ServerServices } from '../server-services.js';
import { routeGroup } from './types.js';

export const DisabledConnectionSchema = z.object({ engine: z.string().trim().min(1).max(120), name: z.string().trim().min(1).max(200) });

const ResponsesRequest = z.object({
  input: z.union([
    z.string(),
    z.array(z.object({ role: z.string(), content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional() })),
  ]),
  model: z.string().nullish(),
  stream: z.boolean().default(true),
  conversation: z.string().nullish(),
  project: z.string().nullish(),
  attachment_ids: z.array(z.string()).default([]),
  disabled_connections: z.array(DisabledConnectionSchema).nullish(),
});

function userInput(input: z.infer<typeof ResponsesRequest>['input']): string {
  if (typeof input === 'string') return input;
  const last = [...input].reverse().find((m) => m.role === 'user');
  if (!last) throw badRequest('No user message in input');
  if (typeof last.content !== 'string') throw badRequest('Only string user content is supported');
  return last.content;
}

/**
 * The per-request model override. Ignored where it cannot mean anything: Minds sentinels outside Minds and
 * compatible endpoints, and another vendor's model name (the client falls back to 'claude-sonnet-4-6').
 */
function modelOverride(ctx: Pick<ServerServices, 'env'>, model: string): string | undefined {
  if (!model || model === 'anton') return undefined;
  return modelFitsProvider(ctx.env, resolveRole(ctx.env, 'planning').provider, model) ? model : undefined;
}

/** Stream a turn's frames (from `fromSeq`) to an SSE response; closing the connection only stops reading. */
function streamTurn(reply: Parameters<typeof openSse>[0], turn: RunningTurn, fromSeq: number) {
  const sse = openSse(reply);
  const unsubscribe = turn.subscribe(fromSeq, (frame) => (frame ? sse.send(frame) : sse.end()));
  sse.onClose(unsubscribe);
  return reply;
}

export const responseRoutes = routeGroup(['attachmentContext', 'env', 'conversations', 'projects', 'turns'], (app, ctx) => {
  const { conversations, projects, turns } = ctx;

  app.post('/v1/responses', { schema: { tags: ['chat'], body: ResponsesRequest } }, async (req, reply) => {
    // Requests that arrive together (turns that ended together, restarted at once) start one per loop iteration: each
    // start commits its first rows, and twenty of them in one poll phase held the loop for several ms.
    await loopPacer.slot();
    const body = req.body;
    const cfg = getConfigStatus(ctx.env);
    if (!cfg.config_ready) throw badRequest(cfg.config_error || 'Anton is not configured.');
    const text = userInput(body.input);
    let conversationId = body.conversation ?? '';
    const alias = conversationId.startsWith('tmp-') ? conversationId : undefined;
    const minted = !conversationId || !!alias;
    if (minted) conversationId = mintConversationId();
    else if (!CONVERSATION_ID_RE.test(conversationId)) throw badRequest('Invalid conversation id');
    // An existing conversation stays in its own project whatever the request says (the reference forked it).
    const existing = conversations.get(conversationId);
    const project = existing
      ? projects.resolve(existing.project)
      : body.project && projects.exists(body.project)
        ? projects.resolve(body.project)
        : projects.resolveOrActive(null);
    if (turns.get(conversationId)) throw new HttpError(409, TURN_BUSY); // before any side effect of this request
    const prompt = text + ctx.attachmentContext(project, conversationId, body.attachment_ids);
    if (body.disabled_connections) {
      conversations.ensure(conversationId, project.name);
      conversations.setDisabledConnections(conversationId, body.disabled_connections as DisabledConnection[]);
    }
    const model = body.model || 'anton';
    const turn = turns.start({ conversationId, project, prompt, model, modelOverride: modelOverride(ctx, model), alias, minted });
    if (body.stream) return streamTurn(reply, turn, 0);

    await turn.done;
    const last = turn.last as (Frame & { response?: Record<string, unknown>; error?: string }) | undefined;
    if (last?.type !== 'response.completed') throw new HttpError(500, last?.error ?? 'An unexpected error occurred');
    return { ...last.response, conversation_id: conversationId };
  });

  app.post('/v1/responses/cancel', { schema: { tags: ['chat'], body: z.object({ conversation_id: z.string() }) } }, async (req) => ({
    cancelled: turns.cancel(req.body.conversation_id),
    conversation_id: req.body.conversation_id,
  }));

  app.get('/v1/responses/in-flight-list', { schema: { tags: ['chat'] } }, async () => ({
    in_flight: turns.list().map((t) => ({ conversation_id: t.conversationId, turn_id: t.turnId, latest_seq: t.latestSeq })),
  }));

  app.get('/v1/responses/in-flight', { schema: { tags: ['chat'], querystring: z.object({ conversation_id: z.string() }) } }, async (req) => {
    const known = turns.lookup(req.query.conversation_id);
    if (known) return { in_flight: !known.finished, has_buffer: true, latest_seq: known.latestSeq, turn_id: known.turnId, conversation_id: known.conversationId };
    if (req.query.conversation_id.startsWith('tmp-')) return { in_flight: false, has_buffer: false, latest_seq: 0, turn_id: null };
    const last = conversations.latestTurn(req.query.conversation_id);
    return last ? { in_flight: false, has_buffer: true, latest_seq: last.latest_seq, turn_id: last.id } : { in_flight: false, has_buffer: false, latest_seq: 0, turn_id: null };
  });

  app.get(
    '/v1/responses/tail',
    {
      schema: {
        tags: ['chat'],
        querystring: z.object({ conversation_id: z.string(), from_seq: z.coerce.number().int().min(0).default(0), model: z.string().default('anton') }),
      },
    },
    async (req, reply) => {
      const { conversation_id, from_seq } = req.query;
      // Running, or finished within the replay window (also by the tmp- id of a new task): replay, then follow.
      const known = turns.lookup(conversation_id);
      if (known) return streamTurn(reply, known, from_seq);
      // Older finished (or interrupted by a restart) turns: replay what was recorded, then end.
      const last = conversation_id.startsWith('tmp-') ? null : conversations.latestTurn(conversation_id);
      if (!last) throw notFound('No in-flight buffer for this conversation.');
      const sse = openSse(reply);
      for (const f of conversations.frames(last.id, from_seq)) sse.send(f as { type: string });
      sse.end();
      return reply;
    },
  );
});
