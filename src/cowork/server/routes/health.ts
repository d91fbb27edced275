import { healthPayload } from '../health-payload.js';
import { routeGroup } from './types.js';
import { SPA_ENTRY } from '../spa.js';
import { API_SCOPE } from '../services/scratchpads.js';

export const healthRoutes = routeGroup(['env', 'pads', 'spa', 'turns'], (app, ctx) => {
  // Read-only: computing this never writes to disk (the reference migrated keys here).
  // HEAD too, as the early listener answers it before the app is ready: a probe's answer does not change at ready.
  app.get('/health', { exposeHeadRoute: true, schema: { tags: ['health'] } }, async () =>
    healthPayload(ctx.env, ctx.turns.list().map((t) => t.conversationId), ctx.pads.list(API_SCOPE).map((p) => p.name)),
  );

  app.get('/', { schema: { tags: ['health'] } }, async (_req, reply) => {
    const spa = ctx.spa;
    if (spa) return reply.header('cache-control', 'no-cache').sendFile(SPA_ENTRY, spa.dir);
    return { message: 'Anton CoWork API', anton_available: true };
  });
});
