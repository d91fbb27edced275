import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { mimeFor } from '../mime.js';
import { previewAssetHeaders } from '../stores/preview-mounts.js';
import { artifactCards, kindByExt, publishedUrl, resolveArtifactPath } from '../services/artifacts.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import { routeGroup } from './types.js';

const PREVIEWABLE = new Set(['.html', '.md', '.txt', '.csv', '.json', '.py', '.js', '.ts', '.tsx', '.css', '.log']);
const PREVIEW_CAP = 200_000;
const PathBody = z.object({ path: z.string().min(1) });

/** Open with the desktop's handler: argument arrays only, never a shell, so a path cannot inject commands. */
function openWith(env: EnvStore, target: string): Promise<void> {
  const custom = env.get('ANTON_OPEN_COMMAND');
  const [cmd, args] = custom
    ? [custom, [target]]
    : process.platform === 'darwin'
      ? ['open', [target]]
      : process.platform === 'win32'
        ? ['explorer', [target]]
        : ['xdg-open', [target]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, shell: false });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

export const artifactRoutes = routeGroup(['env', 'previews', 'projects'], (app, ctx) => {
  const projects = ctx.projects;

  app.get('/v1/artifacts', { schema: { tags: ['artifacts'], querystring: z.object({ project_path: z.string().optional() }) } }, async (req) => {
    const all = projects.list();
    // Only registered project folders may be listed; anything else is simply empty.
    return artifactCards(req.query.project_path !== undefined ? all.filter((p) => p.path === req.query.project_path) : all);
  });

  app.get('/v1/artifacts/preview', { schema: { tags: ['artifacts'], querystring: PathBody } }, async (req) => {
    const file = resolveArtifactPath(projects, req.query.path);
    const ext = extname(file).toLowerCase();
    if (!PREVIEWABLE.has(ext)) throw new HttpError(415, 'This file type cannot be previewed as text');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new HttpError(500, 'Could not read artifact');
    }
    return { path: file, title: basename(file), kind: kindByExt(ext), mime: mimeFor(file).split(';')[0], content: text.slice(0, PREVIEW_CAP), truncated: text.length > PREVIEW_CAP };
  });

  app.post('/v1/artifacts/preview-mount', { schema: { tags: ['artifacts'], body: PathBody } }, async (req) => {
    const file = resolveArtifactPath(projects, req.body.path);
    if (!/\.html?$/i.test(file)) throw new HttpError(415, 'Only HTML artifacts can be previewed');
    const token = ctx.previews.mount(dirname(file));
    const entry = basename(file);
    // The client prepends /v1 to relUrl (§2.8), so it is left without it.
    return { token, entry, relUrl: `/artifacts/preview-asset/${token}/${encodeURIComponent(entry)}`, publishedUrl: publishedUrl(dirname(file), entry) };
  });

  app.get('/v1/artifacts/preview-asset/:token/*', { schema: { tags: ['artifacts'], params: z.object({ token: z.string(), '*': z.string() }) } }, async (req, reply) => {
    const file = ctx.previews.resolve(req.params.token, req.params['*']);
    return reply.headers(previewAssetHeaders(ctx.env)).type(mimeFor(file)).send(createReadStream(file));
  });

  for (const [route, target] of [
    ['open', (f: string) => f],
    ['reveal', (f: string) => dirname(f)],
  ] as const) {
    app.post(`/v1/artifacts/${route}`, { schema: { tags: ['artifacts'], body: PathBody } }, async (req) => {
      const file = resolveArtifactPath(projects, req.body.path);
      try {
        await openWith(ctx.env, target(file));
      } catch {
        throw new HttpError(500, route === 'open' ? 'Could not open artifact' : 'Could not reveal artifact');
      }
      return { status: 'ok', path: file };
    });
  }
});
