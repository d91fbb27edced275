import { routeGroup } from './types.js';
import { searchConfig } from '../services/agent-features.js';

export const browseRoutes = routeGroup(['env'], (app, ctx) => {
  app.get('/v1/browse/status', { schema: { tags: ['browse'] } }, async () => {
    const search = searchConfig(ctx.env);
    return {
      supported: true,
      mode: search ? 'anton_browse' : 'url_context_only',
      reason: search
        ? `Web search through ${search.provider} and page fetching are available to the agent.`
        : 'The agent can fetch public pages (web_fetch). Set ANTON_WEB_SEARCH_PROVIDER (brave, tavily or searxng) with ANTON_WEB_SEARCH_API_KEY or ANTON_WEB_SEARCH_URL to enable web search.',
      evidence: ['web_fetch', ...(search ? ['web_search', `provider:${search.provider}`] : [])].sort(),
    };
  });
});
