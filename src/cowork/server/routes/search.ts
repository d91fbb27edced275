import { z } from 'zod';
import { search } from '../services/search.js';
import { routeGroup } from './types.js';

export const searchRoutes = routeGroup(['searchSources'], (app, ctx) => {
  app.get(
    '/v1/search',
    { schema: { tags: ['search'], querystring: z.object({ q: z.string().default(''), limit: z.coerce.number().int().min(1).max(200).default(25) }) } },
    async (req) => ({ results: search(ctx.searchSources, req.query.q, req.query.limit) }),
  );
});
