import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { EnvStore } from '../../core/settings/env-store.js';

/** What finding the web UI needs: its settings, and a log for a misconfigured folder. */
export interface SpaDeps {
  env: EnvStore;
  log: Logger;
}

export const SPA_SUBDIRS = ['assets', 'fonts', 'gravity-field', 'logos'];
export const SPA_ENTRY = 'index-web.html';

export interface Spa {
  dir: string;
  /** Top-level files, fixed at startup: the request path is only ever a key into this map. */
  files: Map<string, string>;
}

/** The SPA folder when ANTON_SERVE_SPA is on and the folder holds the shell; null otherwise. */
export function resolveSpa(ctx: SpaDeps): Spa | null {
  if (!ctx.env.setting('ANTON_SERVE_SPA')) return null;
  const dir = resolve(ctx.env.setting('ANTON_SPA_DIR'));
  if (!existsSync(join(dir, SPA_ENTRY))) {
    ctx.log.warn({ dir }, `ANTON_SERVE_SPA is on but ${SPA_ENTRY} is missing; SPA serving is off`);
    return null;
  }
  const files = new Map(
    readdirSync(dir)
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, join(dir, f)]),
  );
  return { dir, files };
}

export async function registerSpa(app: FastifyInstance, spa: Spa): Promise<void> {
  const { default: fastifyStatic } = await import('@fastify/static'); // only web builds need it
  let first = true;
  for (const sub of SPA_SUBDIRS) {
    const root = join(spa.dir, sub);
    if (!existsSync(root)) continue;
    await app.register(fastifyStatic, {
      root,
      prefix: `/${sub}/`,
      decorateReply: first,
      index: false,
      // Vite's assets are content-hashed: cache them for good; the rest revalidates.
      cacheControl: false,
      setHeaders: (res) => void res.header('cache-control', sub === 'assets' ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    first = false;
  }
  if (first) await app.register(fastifyStatic, { root: spa.dir, serve: false });
}

/** The client-side-route fallback: top-level files by exact name, else the shell. API paths never fall back. */
export function spaFallback(spa: Spa) {
  return (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = req.url.split('?')[0];
    if (/^\/(health|v1)(\/|$)/.test(path)) return false;
    if (SPA_SUBDIRS.includes(path.split('/')[1])) return false; // a missing asset is a 404, not the shell
    const name = decodeURIComponent(path.slice(1));
    const file = spa.files.has(name) ? name : SPA_ENTRY;
    void reply.header('cache-control', 'no-cache').sendFile(file, spa.dir);
    return true;
  };
}
