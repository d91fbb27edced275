import { rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { HttpError, badRequest, notFound } from '../errors.js';
import { artifactCards, resolveArtifactPath } from '../services/artifacts.js';
import { buildBundle, readPublishMap, unpublish, upload, writePublishMap } from '../services/publish.js';
import type { AppContext } from '../context.js';
import { routeGroup } from './types.js';
import { SETTINGS } from '../../../core/settings/settings-registry.js';

export const DEFAULT_PUBLISH_URL = SETTINGS.ANTON_PUBLISH_URL.default;

export function publishConfig(ctx: AppContext) {
  return { url: ctx.env.setting('ANTON_PUBLISH_URL'), key: ctx.env.get('ANTON_MINDS_API_KEY') };
}

/** Every secret the server knows: provider keys and vault secrets never leave in a published page. */
export function knownSecrets(ctx: AppContext): string[] {
  const keys = ['ANTON_ANTHROPIC_API_KEY', 'ANTON_OPENAI_API_KEY', 'ANTON_MINDS_API_KEY', 'ANTON_GEMINI_API_KEY', 'ANTON_COMPATIBLE_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'].flatMap((k) => ctx.env.get(k) ?? []);
  const vault = ctx.vault.list().flatMap((r) => r.secure_keys.flatMap((k) => r.fields[k] ?? []));
  return [...keys, ...vault];
}

interface HistoryEntry {
  artifact: string;
  artifactName: string;
  url: string;
  reportId: string;
  publishedAt: string;
}

/** Publish an HTML artifact (shared by the route and the agent's publish_or_preview tool). */
export async function publishArtifact(ctx: AppContext, file: string): Promise<{ url: string; result: Record<string, unknown> }> {
  const { url, key } = publishConfig(ctx);
  if (!key) throw badRequest('Configure ANTON_MINDS_API_KEY before publishing');
  if (!/\.html?$/i.test(file)) throw new HttpError(415, 'Only HTML artifacts can be published');
  const dir = dirname(file);
  const map = readPublishMap(dir);
  let result;
  try {
    result = await upload(url, key, buildBundle(file, knownSecrets(ctx)), map[basename(file)]?.report_id);
  } catch {
    throw new HttpError(502, 'Publishing failed. Check your Minds credentials and try again.');
  }
  map[basename(file)] = { report_id: String(result.report_id), url: String(result.view_url), last_md5: String(result.md5 ?? '') };
  writePublishMap(dir, map);
  ctx.kv.update<HistoryEntry[]>('publishHistory', [], (h) =>
    [{ artifact: file, artifactName: basename(file), url: String(result.view_url), reportId: String(result.report_id), publishedAt: new Date().toISOString() }, ...h].slice(0, 100),
  );
  const { file_payload: _omit, ...shown } = result as Record<string, unknown>;
  return { url: String(result.view_url), result: shown };
}

/** Take a published artifact down (shared by the route and the terminal's /unpublish). */
export async function unpublishArtifact(ctx: AppContext, file: string): Promise<void> {
  const { url, key } = publishConfig(ctx);
  if (!key) throw badRequest('Configure ANTON_MINDS_API_KEY before publishing');
  const dir = dirname(file);
  const map = readPublishMap(dir);
  const rec = map[basename(file)];
  if (!rec) throw notFound('Artifact has no publish record');
  try {
    await unpublish(url, key, rec.report_id || rec.last_md5);
  } catch (e) {
    throw new HttpError(502, `Unpublishing failed: ${(e as Error).message}`);
  }
  delete map[basename(file)];
  if (Object.keys(map).length) writePublishMap(dir, map);
  else rmSync(join(dir, '.published.json'), { force: true });
}

export const publishRoutes = routeGroup((app, ctx) => {
  app.get('/v1/publish', { schema: { tags: ['publish'] } }, async () => {
    const { url, key } = publishConfig(ctx);
    const html = artifactCards(ctx.projects.list(), 500)
      .filter((a) => /\.html?$/i.test(a.path))
      .slice(0, 40)
      .map((a) => ({ title: a.title, path: a.path, bytes: statSync(a.path).size, publishedUrl: a.publishedUrl }));
    return { artifacts: html, publishReady: !!key, publishUrl: url, history: ctx.kv.get<HistoryEntry[]>('publishHistory', []).slice(0, 40) };
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
