import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EnvStore } from '../../core/settings/env-store.js';
import { SPA_SUBDIRS } from './spa.js';
import { errorBody } from './error-body.js';

/**
 * Origins allowed to call the API cross-origin (and to frame previews). Never `null`: sandboxed frames and file://
 * pages stay out. Vite's dev origins (port 5173) only in development (ANTON_DEV_ORIGINS=true): any dev server on that
 * port could otherwise read keys and run code. VITE_RENDERER_URL names one dev renderer explicitly.
 */
export function allowedOrigins(env: EnvStore): string[] {
  const extra = env.get('VITE_RENDERER_URL')?.replace(/\/+$/, '');
  const dev = env.setting('ANTON_DEV_ORIGINS') ? ['http://localhost:5173', 'http://127.0.0.1:5173'] : [];
  return [...dev, 'app://-', ...(extra ? [extra] : [])];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1', '[::1]'];

/** Host names we answer to: loopback, the bind address, and ANTON_ALLOWED_HOSTS (for a LAN/Docker web build). */
export function allowedHosts(env: EnvStore): Set<string> {
  const hosts = new Set(LOOPBACK_HOSTS);
  const bind = env.setting('ANTON_SERVER_HOST');
  if (bind && !['0.0.0.0', '::', '[::]'].includes(bind)) hosts.add(bind.toLowerCase());
  for (const h of extraHosts(env)) hosts.add(h);
  return hosts;
}

function extraHosts(env: EnvStore): string[] {
  return (env.get('ANTON_ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The host name of a Host header (or an absolute-form authority), or null when it is not exactly one
 * `name[:port]` ('' then, which no allow-list holds): a comma-joined, spaced or user-info value is refused
 * rather than guessed at.
 */
export function hostName(hostHeader: string): string {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1] : '';
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

/**
 * Routes that need no token, by the pattern the router matched (never by the raw URL, which may be
 * percent-encoded or absolute-form). Preview assets carry an unguessable capability in their path; the
 * OAuth callback is authorised by its one-time `state`; the rest serve nothing private.
 */
const OPEN_ROUTES = new Set([
  '/health',
  '/',
  '/openapi.json',
  '/docs', // the API reference page over /openapi.json (a browser tab cannot send the token)
  '/docs/*',
  '/v1/projects/preview-asset/:token/*',
  '/v1/artifacts/preview-asset/:token/*',
  '/v1/integrations/google-drive/oauth/callback',
  '/v1/integrations/google-calendar/oauth/callback',
  '/v1/integrations/gmail/oauth/callback',
  ...SPA_SUBDIRS.map((d) => `/${d}/*`),
]);

/** Does this request need the launch token? Unmatched requests (404/405 and the SPA shell) serve nothing private. */
export function needsToken(req: FastifyRequest): boolean {
  if (req.method === 'OPTIONS') return false; // CORS preflights cannot carry credentials
  const route = req.routeOptions.url;
  if (route === undefined) return false;
  return !OPEN_ROUTES.has(route);
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Is `origin` this server itself, as the browser sees it? Scheme, name and port must all match: we speak
 * plain HTTP, except behind a TLS proxy for an ANTON_ALLOWED_HOSTS name.
 */
function isSameOrigin(origin: string, host: string, tlsHosts: string[]): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  const name = hostName(host);
  if (!name) return false;
  const schemes = tlsHosts.includes(name) ? ['http:', 'https:'] : ['http:'];
  if (!schemes.includes(o.protocol)) return false;
  try {
    return o.host === new URL(`${o.protocol}//${host}`).host; // URL drops default ports on both sides
  } catch {
    return false;
  }
}

/**
 * Localhost hardening: DNS rebinding (Host allow-list, also for an absolute-form request target), cross-site
 * writes (Origin must be ours or allow-listed; `null` never is), and an optional per-launch bearer token on
 * every route but the few in OPEN_ROUTES.
 */
export function installSecurity(app: FastifyInstance, env: EnvStore, corsOrigins: string[]): void {
  const hosts = allowedHosts(env);
  const tlsHosts = extraHosts(env);
  const token = env.get('ANTON_SERVER_TOKEN');
  // Every request asks about the same one or two Host values: remember the verdicts (a bounded few).
  const verdicts = new Map<string, boolean>();
  const hostOk = (h: string | undefined) => {
    if (h === undefined) return false;
    let ok = verdicts.get(h);
    if (ok === undefined) {
      const name = hostName(h);
      ok = name !== '' && hosts.has(name);
      if (verdicts.size < 64) verdicts.set(h, ok);
    }
    return ok;
  };
  /** Why a request may not proceed, or null when it may. */
  const refusal = (req: FastifyRequest): { status: number; detail: string; code: 'forbidden' | 'unauthorized'; challenge?: boolean } | null => {
    const host = req.headers.host;
    if (!hostOk(host)) return { status: 403, detail: 'Host not allowed', code: 'forbidden' };
    // Absolute-form (`GET http://name/…`): the authority in the target is the host too.
    if (!req.raw.url?.startsWith('/') && req.raw.url !== '*') {
      let authority: string | undefined;
      try {
        authority = new URL(req.raw.url ?? '').host;
      } catch {
        authority = undefined;
      }
      if (!hostOk(authority)) return { status: 403, detail: 'Host not allowed', code: 'forbidden' };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && MUTATING.has(req.method)) {
      if (!isSameOrigin(origin, host!, tlsHosts) && !corsOrigins.includes(origin)) return { status: 403, detail: 'Origin not allowed', code: 'forbidden' };
    }
    if (token && needsToken(req)) {
      const given = bearer(req);
      if (!given || !sameSecret(given, token)) return { status: 401, detail: 'Not authenticated', code: 'unauthorized', challenge: true };
    }
    return null;
  };
  // A callback hook, not an async one: this runs on every request, and a promise per request is measurable.
  app.addHook('onRequest', (req, reply, done) => {
    const refused = refusal(req);
    if (!refused) return done();
    if (refused.challenge) reply.header('www-authenticate', 'Bearer');
    reply.code(refused.status).send(errorBody(refused.detail, refused.code));
  });
}

/** A request URL fit for the log: the `token` query parameter (a credential) is masked. */
export function redactUrl(url: string): string {
  return url.replace(/([?&;]token=)[^&;#]*/gi, '$1[redacted]');
}
