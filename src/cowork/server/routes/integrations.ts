import { z } from 'zod';
import { badRequest } from '../errors.js';
import { GOOGLE_INTEGRATIONS, finishAuth, googleConfig, readState, startAuth, type IntegrationSlug } from '../services/google-oauth.js';
import type { ServerServices } from '../server-services.js';
import { routeGroup } from './types.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, message: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;background:#f6f6f4;display:grid;place-items:center;height:100vh;margin:0}main{background:#fff;border-radius:14px;padding:32px 40px;max-width:440px;box-shadow:0 4px 24px #0001}h1{font-size:20px}</style></head><body><main><h1>${esc(title)}</h1><p>${esc(message)}</p></main></body></html>`;
}

function redirectBase(ctx: Pick<ServerServices, 'env'>, host: string | undefined): string {
  // The server's real origin (the reference defaulted to port 8765 while listening on 26866).
  return (ctx.env.get('ANTON_GOOGLE_OAUTH_REDIRECT_BASE') ?? `http://${host ?? '127.0.0.1:26866'}`).replace(/\/+$/, '');
}

export const integrationRoutes = routeGroup(['env', 'vault', 'kv', 'log'], (app, ctx) => {
  app.get('/v1/integrations', { schema: { tags: ['integrations'] } }, async (req) => {
    const g = googleConfig(ctx);
    return {
      items: (Object.keys(GOOGLE_INTEGRATIONS) as IntegrationSlug[]).map((slug) => {
        const info = GOOGLE_INTEGRATIONS[slug];
        const st = readState(ctx, slug);
        const connections = ctx.vault
          .list()
          .filter((r) => r.engine === info.engine && r.fields.auth_type === 'oauth')
          .map((r) => ({
            engine: r.engine,
            name: r.name,
            slug: `${r.engine}-${r.name}`,
            label: r.fields.account_name || r.fields.account_email || r.name,
            subtitle: r.fields.account_email || r.name,
            connectedVia: 'browser_oauth',
            createdAt: r.created_at,
          }));
        return {
          id: info.engine,
          title: info.title,
          engine: info.engine,
          status: connections.length ? 'connected' : g.ready ? 'available' : 'needs_config',
          description: info.description,
          setupMode: 'browser_oauth',
          connections,
          connectionCount: connections.length,
          engineAvailable: true,
          oauth: {
            ready: g.ready,
            configError: g.ready ? '' : 'Set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET to connect Google services.',
            pending: !!st.pending,
            lastSuccessAt: st.lastSuccessAt,
            lastError: st.lastError,
            lastErrorAt: st.lastErrorAt,
            launchLabel: `Connect ${info.title}`,
            redirectUri: `${redirectBase(ctx, req.headers.host)}/v1/integrations/${slug}/oauth/callback`,
          },
          ...(slug === 'google-drive'
            ? { notes: ['Anton reads files you point it to; nothing is uploaded anywhere.', 'Tokens are kept in the encrypted local vault.', 'Disconnect any time from Connections.'] }
            : {}),
        };
      }),
    };
  });

  for (const slug of Object.keys(GOOGLE_INTEGRATIONS) as IntegrationSlug[]) {
    app.post(`/v1/integrations/${slug}/oauth/start`, { schema: { tags: ['integrations'] } }, async (req) => {
      if (!googleConfig(ctx).ready) throw badRequest('Google OAuth credentials are not configured.');
      return startAuth(ctx, slug, `${redirectBase(ctx, req.headers.host)}/v1/integrations/${slug}/oauth/callback`);
    });
    app.get(
      `/v1/integrations/${slug}/oauth/callback`,
      { schema: { tags: ['integrations'], querystring: z.object({ code: z.string().optional(), state: z.string().optional(), error: z.string().optional() }) } },
      async (req, reply) => {
        const r = await finishAuth(ctx, slug, req.query);
        return reply.type('text/html; charset=utf-8').send(page(r.ok ? 'Connected' : 'Could not connect', r.message));
      },
    );
  }
});
