import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION } from '../../../core/version.js';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import { routeGroup } from './types.js';
import { SPA_ENTRY } from '../spa.js';
import { API_SCOPE } from '../services/scratchpads.js';

export const healthRoutes = routeGroup((app, ctx) => {
  // Read-only: computing this never writes to disk (the reference migrated keys here).
  app.get('/health', { schema: { tags: ['health'] } }, async () => {
    const cfg = getConfigStatus(ctx.env);
    return {
      status: 'ok',
      anton_version: COWORK_SERVER_VERSION,
      cowork_server_version: COWORK_SERVER_VERSION,
      cowork_server_protocol_version: COWORK_SERVER_PROTOCOL_VERSION,
      anton_available: true,
      mode: 'anton',
      config_ready: cfg.config_ready,
      config_error: cfg.config_error,
      provider: cfg.provider,
      model: cfg.model,
      provider_label: cfg.provider_label,
      live_conversations: ctx.turns.list().map((t) => t.conversationId),
      live_pads: ctx.pads.list(API_SCOPE).map((p) => p.name),
    };
  });

  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    const spa = ctx.spa;
    if (spa) return reply.header('cache-control', 'no-cache').sendFile(SPA_ENTRY, spa.dir);
    return { message: 'Anton CoWork API', anton_available: true };
  });
});
