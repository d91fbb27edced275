import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { HttpError, badRequest, notFound } from '../errors.js';
import { decodeCursor, type ConversationMeta, type DisabledConnection } from '../stores/conversations.js';
import { DisabledConnectionSchema } from './responses.js';
import { routeGroup } from './types.js';
import { recordTombstone } from '../services/import-ledger.js';
import { VersionedCache } from '../services/versioned-cache.js';

const IdParams = z.object({ id: z.string() });
// `cursor` is optional: without it the answer is today's first page; `next_cursor` (null on the last page) fetches the next.
const Limit = z.object({ limit: z.coerce.number().int().min(1).max(100_000).default(200), cursor: z.string().max(1000).nullish() });

export const conversationRoutes = routeGroup(['db', 'pads', 'conversations', 'projects', 'turns'], (app, ctx) => {
  const { conversations, projects, turns } = ctx;
  const withPath = (m: ConversationMeta) => ({ ...m, project_path: `${projects.dir}/${m.project}` });

  const mustGet = (id: string) => {
    const meta = conversations.get(id);
    if (!meta) throw notFound('Conversation not found');
    return meta;
  };

  /** A page as JSON text (the metas' text comes from SQLite: listPageJson). */
  const page = (project: string, q: z.infer<typeof Limit>): string => {
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (after === null) throw badRequest('Invalid cursor: pass the next_cursor of a previous page, or none for the first page.');
    const { items, next_cursor } = conversations.listPageJson(project, q.limit, after, `${projects.dir}/`);
    // next_cursor only when there is a next page: the default answer stays what the client has always read.
    return `{"project":${JSON.stringify(project)},"conversations":${items}${next_cursor ? `,"next_cursor":${JSON.stringify(next_cursor)}` : ''}}`;
  };
  // The list is asked for often and, when no turn is running, changes far less often: an answer is kept until the
  // conversations table changes. Kept as bytes: a string body is joined to the headers and copied into one new
  // string on every send (a page of 200 is ~60 KB of young garbage a request); a Buffer is written as it is.
  const pages = new VersionedCache<Buffer>();
  const sendPage = (reply: FastifyReply, project: string, q: z.infer<typeof Limit>) =>
    reply
      .type('application/json; charset=utf-8')
      .send(pages.get(`${project}\n${q.limit}\n${q.cursor ?? ''}`, conversations.changeCount(), () => Buffer.from(page(project, q))));

  app.get('/v1/conversations', { schema: { tags: ['conversations'], querystring: Limit.extend({ project: z.string().nullish() }) } }, async (req, reply) =>
    sendPage(reply, req.query.project ?? projects.getActive(), req.query),
  );

  app.get('/v1/projects/:name/conversations', { schema: { tags: ['conversations'], params: z.object({ name: z.string() }), querystring: Limit } }, async (req, reply) =>
    sendPage(reply, req.params.name, req.query),
  );

  app.get('/v1/conversations/:id', { schema: { tags: ['conversations'], params: IdParams } }, async (req) => withPath(mustGet(req.params.id)));

  app.get('/v1/conversations/:id/messages', { schema: { tags: ['conversations'], params: IdParams } }, async (req) => {
    mustGet(req.params.id);
    return { id: req.params.id, messages: conversations.displayMessages(req.params.id) };
  });

  app.patch(
    '/v1/conversations/:id',
    {
      schema: {
        tags: ['conversations'],
        params: IdParams,
        body: z.object({ title: z.string().nullish(), project: z.string().nullish(), disabled_connections: z.array(DisabledConnectionSchema).nullish() }),
      },
    },
    async (req) => {
      const { id } = req.params;
      const { title, project, disabled_connections } = req.body;
      if (title == null && project == null && disabled_connections == null) throw badRequest('No valid fields to update');
      mustGet(id);
      if (project != null) {
        if (!projects.exists(project)) throw notFound(`Project not found: ${project}`);
        conversations.setProject(id, project);
      }
      if (title != null) {
        const clean = title.replace(/\s+/g, ' ').trim().slice(0, 160);
        if (clean) conversations.setTitle(id, clean);
      }
      if (disabled_connections != null) conversations.setDisabledConnections(id, disabled_connections as DisabledConnection[]);
      return withPath(mustGet(id));
    },
  );

  app.delete('/v1/conversations/:id', { schema: { tags: ['conversations'], params: IdParams } }, async (req) => {
    const { id } = req.params;
    mustGet(id);
    const running = turns.get(id);
    if (running) {
      turns.cancel(id);
      await running.done;
    }
    conversations.delete(id);
    recordTombstone(ctx.db, 'conversation', id); // an imported conversation stays deleted
    await ctx.pads.closeScope(id);
    return { status: 'deleted', id };
  });

  app.delete(
    '/v1/conversations/:id/turns/:turn_index',
    { schema: { tags: ['conversations'], params: z.object({ id: z.string(), turn_index: z.coerce.number().int() }) } },
    async (req) => {
      const { id, turn_index } = req.params;
      if (turn_index < 0) throw badRequest('turn_index must be non-negative');
      if (!conversations.get(id)) throw notFound('Turn not found');
      if (turns.get(id)) throw new HttpError(409, 'A turn is running for this conversation; cancel it first.');
      const r = conversations.deleteTurn(id, turn_index);
      if (!r) throw notFound('Turn not found');
      return { conversation_id: id, turn_index, removed_count: r.removed, remaining_messages: r.remaining };
    },
  );
});
