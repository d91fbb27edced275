import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerServices } from '../server-services.js';

/** What this module needs of the server's context (and nothing more). */
export type OAuthDeps = Pick<ServerServices, 'env' | 'kv' | 'log' | 'vault'>;

export const GOOGLE_INTEGRATIONS = {
  'google-drive': { engine: 'google_drive', title: 'Google Drive', scope: 'https://www.googleapis.com/auth/drive', description: 'Search and read files in your Google Drive.' },
  'google-calendar': { engine: 'google_calendar', title: 'Google Calendar', scope: 'https://www.googleapis.com/auth/calendar', description: 'Read and manage your calendar events.' },
  gmail: { engine: 'gmail', title: 'Gmail', scope: 'https://www.googleapis.com/auth/gmail.modify', description: 'Read, search and send email.' },
} as const;
export type IntegrationSlug = keyof typeof GOOGLE_INTEGRATIONS;
export const GOOGLE_ENGINES: string[] = Object.values(GOOGLE_INTEGRATIONS).map((i) => i.engine);

export interface OAuthState {
  pending: { state: string; verifier: string; redirectUri: string; startedAt: string } | null;
  lastError: string;
  lastErrorAt: string;
  lastSuccessAt: string;
}

const PLACEHOLDERS = new Set(['', 'YOUR_CLIENT_ID_HERE', 'YOUR_CLIENT_SECRET_HERE']);

export function googleConfig(ctx: OAuthDeps) {
  const clientId = ctx.env.get('GOOGLE_CLIENT_ID') ?? '';
  const clientSecret = ctx.env.get('GOOGLE_CLIENT_SECRET') ?? '';
  return {
    clientId,
    clientSecret,
    ready: !PLACEHOLDERS.has(clientId) && !PLACEHOLDERS.has(clientSecret),
    authUrl: ctx.env.setting('ANTON_GOOGLE_AUTH_URL'),
    tokenUrl: ctx.env.setting('ANTON_GOOGLE_TOKEN_URL'),
    userinfoUrl: ctx.env.setting('ANTON_GOOGLE_USERINFO_URL'),
    revokeUrl: ctx.env.setting('ANTON_GOOGLE_REVOKE_URL'),
  };
}

const stateKey = (slug: IntegrationSlug) => `oauth:${slug}`;
export function readState(ctx: OAuthDeps, slug: IntegrationSlug): OAuthState {
  return ctx.kv.get<OAuthState>(stateKey(slug), { pending: null, lastError: '', lastErrorAt: '', lastSuccessAt: '' });
}
export function writeState(ctx: OAuthDeps, slug: IntegrationSlug, patch: Partial<OAuthState>): void {
  ctx.kv.update<OAuthState>(stateKey(slug), readState(ctx, slug), (s) => ({ ...s, ...patch }));
}

const b64url = (b: Buffer) => b.toString('base64url');

function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** PKCE (S256) authorisation URL; the verifier and state stay server-side. */
export function startAuth(ctx: OAuthDeps, slug: IntegrationSlug, redirectUri: string) {
  const g = googleConfig(ctx);
  const verifier = b64url(randomBytes(48));
  const state = b64url(randomBytes(24));
  const startedAt = new Date().toISOString();
  writeState(ctx, slug, { pending: { state, verifier, redirectUri, startedAt }, lastError: '' });
  const q = new URLSearchParams({
    client_id: g.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    access_type: 'offline',
    include_granted_scopes: 'true',
    prompt: 'consent',
    scope: `openid email profile ${GOOGLE_INTEGRATIONS[slug].scope}`,
    state,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  return { status: 'ok', authUrl: `${g.authUrl}?${q}`, redirectUri, startedAt };
}

async function tokenRequest(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form), signal: AbortSignal.timeout(20_000) });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(String(body.error_description ?? body.error ?? `HTTP ${res.status}`));
  return body;
}

/** Exchange the code, read the account, store the tokens in the vault (named after the account). */
export async function finishAuth(ctx: OAuthDeps, slug: IntegrationSlug, q: { code?: string; state?: string; error?: string }): Promise<{ ok: boolean; message: string }> {
  const st = readState(ctx, slug);
  const fail = (message: string) => {
    writeState(ctx, slug, { pending: null, lastError: message, lastErrorAt: new Date().toISOString() });
    return { ok: false, message };
  };
  // The one-time state is the callback's only credential (the provider's redirect carries no token, and any page
  // can make a browser load this URL): without the pending state nothing changes, not even an error note.
  if (!st.pending || !q.state || !sameState(q.state, st.pending.state)) {
    return { ok: false, message: 'This sign-in has expired or was not started here. Start again from Anton.' };
  }
  if (q.error) return fail('Sign-in was cancelled.');
  if (!q.code) return fail('Google did not return an authorisation code.');
  const g = googleConfig(ctx);
  if (!g.ready) return fail('Google OAuth credentials are not configured.');
  if (Date.now() - Date.parse(st.pending.startedAt) > 20 * 60_000) return fail('This sign-in has expired. Start again from Anton.');
  try {
    const tok = await tokenRequest(g.tokenUrl, {
      code: q.code,
      client_id: g.clientId,
      client_secret: g.clientSecret,
      redirect_uri: st.pending.redirectUri,
      grant_type: 'authorization_code',
      code_verifier: st.pending.verifier,
    });
    const who = (await (await fetch(g.userinfoUrl, { headers: { authorization: `Bearer ${String(tok.access_token)}` }, signal: AbortSignal.timeout(20_000) })).json()) as { email?: string; name?: string };
    const { engine, title } = GOOGLE_INTEGRATIONS[slug];
    ctx.vault.save(
      engine,
      who.email ?? engine,
      {
        auth_type: 'oauth',
        access_token: String(tok.access_token ?? ''),
        refresh_token: String(tok.refresh_token ?? ''),
        token_type: String(tok.token_type ?? 'Bearer'),
        scope: String(tok.scope ?? ''),
        expires_at: new Date(Date.now() + Number(tok.expires_in ?? 3600) * 1000).toISOString(),
        account_email: who.email ?? '',
        account_name: who.name ?? '',
      },
      ['access_token', 'refresh_token'],
    );
    writeState(ctx, slug, { pending: null, lastSuccessAt: new Date().toISOString(), lastError: '' });
    return { ok: true, message: `${title} is now connected${who.email ? ` as ${who.email}` : ''}. You can close this tab and return to Anton.` };
  } catch (e) {
    return fail(`Google OAuth request failed: ${(e as Error).message}`);
  }
}

/** Refresh access tokens that expire within 10 minutes (run every 30 minutes, and at will). */
export async function refreshGoogleTokens(ctx: OAuthDeps): Promise<number> {
  const g = googleConfig(ctx);
  if (!g.ready) return 0;
  let refreshed = 0;
  for (const r of ctx.vault.list()) {
    if (!GOOGLE_ENGINES.includes(r.engine) || r.fields.auth_type !== 'oauth' || !r.fields.refresh_token) continue;
    const exp = Date.parse(r.fields.expires_at ?? '');
    if (Number.isFinite(exp) && exp - Date.now() > 10 * 60_000) continue;
    try {
      const tok = await tokenRequest(g.tokenUrl, { grant_type: 'refresh_token', refresh_token: r.fields.refresh_token, client_id: g.clientId, client_secret: g.clientSecret });
      ctx.vault.save(r.engine, r.name, {
        ...r.fields,
        access_token: String(tok.access_token),
        expires_at: new Date(Date.now() + Number(tok.expires_in ?? 3600) * 1000).toISOString(),
        ...(tok.refresh_token ? { refresh_token: String(tok.refresh_token) } : {}),
      });
      refreshed++;
    } catch (err) {
      ctx.log.warn({ engine: r.engine, name: r.name, err: (err as Error).message }, 'Google token refresh failed');
    }
  }
  return refreshed;
}

/** Best-effort revocation before a Google connection is deleted. */
export async function revokeGoogle(ctx: OAuthDeps, fields: Record<string, string>): Promise<void> {
  const token = fields.refresh_token || fields.access_token;
  if (fields.auth_type !== 'oauth' || !token) return;
  await fetch(`${googleConfig(ctx).revokeUrl}?token=${encodeURIComponent(token)}`, { method: 'POST', signal: AbortSignal.timeout(10_000) }).catch(() => {});
}
