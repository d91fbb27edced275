import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import type { EnvStore } from '../../core/settings/env-store.js';

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1', '[::1]'];

/** Host names we answer to: loopback, the bind address, and ANTON_ALLOWED_HOSTS (for a LAN/Docker web build). */
export function allowedHosts(env: EnvStore): Set<string> {
  const hosts = new Set(LOOPBACK_HOSTS);
  const bind = env.get('ANTON_SERVER_HOST');
  if (bind && !['0.0.0.0', '::', '[::]'].includes(bind)) hosts.add(bind.toLowerCase());
  for (const h of (env.get('ANTON_ALLOWED_HOSTS') ?? '').split(',')) if (h.trim()) hosts.add(h.trim().toLowerCase());
  return hosts;
}

export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0];
}

function bearer(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined; // downloads and new tabs cannot set headers
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Routes an iframe or a new tab loads by URL: their path carries an unguessable capability instead. */
const CAPABILITY_PATHS = /^\/v1\/(projects|artifacts)\/preview-asset\//;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Localhost hardening: DNS rebinding (Host allow-list), cross-site writes (Origin must be ours or allow-listed;
 * `null` never is), and an optional per-launch bearer token on every /v1 route.
 */
export function installSecurity(app: FastifyInstance, ctx: AppContext, corsOrigins: string[]): void {
  const hosts = allowedHosts(ctx.env);
  const token = ctx.env.get('ANTON_SERVER_TOKEN');
  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host;
    if (!host || !hosts.has(hostName(host))) return reply.code(403).send({ detail: 'Host not allowed' });
    const path = req.url.split('?')[0];
    const origin = req.headers.origin;
    if (origin !== undefined && MUTATING.has(req.method)) {
      let sameOrigin = false;
      try {
        // URL drops default ports, so compare both sides through it.
        sameOrigin = new URL(origin).host === new URL(`${new URL(origin).protocol}//${host}`).host;
      } catch {
        sameOrigin = false;
      }
      if (!sameOrigin && !corsOrigins.includes(origin)) return reply.code(403).send({ detail: 'Origin not allowed' });
    }
    if (token && path.startsWith('/v1/') && req.method !== 'OPTIONS' && !CAPABILITY_PATHS.test(path)) {
      const given = bearer(req);
      if (!given || !sameSecret(given, token)) return reply.code(401).header('www-authenticate', 'Bearer').send({ detail: 'Not authenticated' });
    }
  });
}
