import { statSync } from 'node:fs';
import { z } from 'zod';
import { artifactCards, resolveArtifactPath } from '../services/artifacts.js';
import { publishArtifact, publishConfig, publishHistory, unpublishArtifact } from '../services/publish.js';
import { routeGroup } from './types.js';

export const publishRoutes = routeGroup(['env', 'kv', 'projects', 'vault'], (app, ctx) => {
  app.get('/v1/publish', { schema: { tags: ['publish'] } }, async () => {
    const { url, key } = publishConfig(ctx);
    const html = artifactCards(ctx.projects.list(), 500)
      .filter((a) => /\.html?$/i.test(a.path))
      .slice(0, 40)
      .map((a) => ({ title: a.title, path: a.path, bytes: statSync(a.path).size, publishedUrl: a.publishedUrl }));
    return { artifacts: html, publishReady: !!key, publishUrl: url, history: publishHistory(ctx).slice(0, 40) };
  });

  app.post('/v1/publish', { schema: { tags: ['publish'], body: z.object({ path: z.string().min(1) }) } }, async (req) => {
    const r = await publishArtifact(ctx, resolveArtifactPath(ctx.projects, req.body.path));
    return { status: 'ok', ...r };
  });

  app.delete('/v1/publish', { schema: { tags: ['publish'], querystring: z.object({ path: z.string().min(1) }) } }, async (req) => {
    await unpublishArtifact(ctx, resolveArtifactPath(ctx.projects, req.query.path));
    return { status: 'ok' };
  });
});
