import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { startTestApp } from '../../../testing/test-app.js';
import { refreshGoogleTokens } from '../services/google-oauth.js';

test('Google OAuth: PKCE start on the real port, callback stores tokens in the vault, refresh, revoke on delete', async (t) => {
  const seen: { path: string; form: URLSearchParams }[] = [];
  const google = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      seen.push({ path, form: new URLSearchParams(path === '/revoke' ? (req.url ?? '').split('?')[1] : body) });
      if (path === '/token') {
        const form = new URLSearchParams(body);
        const refreshing = form.get('grant_type') === 'refresh_token';
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ access_token: refreshing ? 'access-2' : 'access-1', refresh_token: refreshing ? undefined : 'refresh-1', expires_in: refreshing ? 3600 : 1, token_type: 'Bearer', scope: 'drive' }),
        );
      } else if (path === '/userinfo') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ email: 'ada@example.com', name: 'Ada' }));
      else res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => google.listen(0, '127.0.0.1', r));
  t.after(() => google.close());
  const g = `http://127.0.0.1:${(google.address() as { port: number }).port}`;
  const ta = await startTestApp({
    listen: true,
    env: { GOOGLE_CLIENT_ID: 'cid', GOOGLE_CLIENT_SECRET: 'csecret', ANTON_GOOGLE_TOKEN_URL: `${g}/token`, ANTON_GOOGLE_USERINFO_URL: `${g}/userinfo`, ANTON_GOOGLE_REVOKE_URL: `${g}/revoke` },
  });
  t.after(() => ta.close());
  const items = ((await (await fetch(`${ta.url}/v1/integrations`)).json()) as { items: { id: string; status: string; oauth: { redirectUri: string } }[] }).items;
  assert.deepEqual(items.map((i) => [i.id, i.status]), [['google_drive', 'available'], ['google_calendar', 'available'], ['gmail', 'available']]);
  assert.equal(items[0].oauth.redirectUri, `${ta.url}/v1/integrations/google-drive/oauth/callback`, 'redirect on the port we really listen on');

  const start = (await (await fetch(`${ta.url}/v1/integrations/google-drive/oauth/start`, { method: 'POST' })).json()) as { authUrl: string };
  const auth = new URL(start.authUrl);
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  const state = auth.searchParams.get('state')!;
  const bad = await (await fetch(`${ta.url}/v1/integrations/google-drive/oauth/callback?code=c&state=wrong`)).text();
  assert.match(bad, /expired or was not started here/);
  const again = (await (await fetch(`${ta.url}/v1/integrations/google-drive/oauth/start`, { method: 'POST' })).json()) as { authUrl: string };
  const state2 = new URL(again.authUrl).searchParams.get('state')!;
  const challenge = new URL(again.authUrl).searchParams.get('code_challenge')!;
  assert.notEqual(state, state2);
  const ok = await fetch(`${ta.url}/v1/integrations/google-drive/oauth/callback?code=the-code&state=${state2}`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /Google Drive is now connected as ada@example.com/);
  const tokenReq = seen.find((s) => s.path === '/token')!.form;
  assert.equal(createHash('sha256').update(tokenReq.get('code_verifier')!).digest('base64url'), challenge, 'the PKCE verifier matches');
  const rec = ta.ctx.vault.get('google_drive', 'ada@example.com')!;
  assert.deepEqual([rec.fields.auth_type, rec.fields.access_token, rec.fields.refresh_token], ['oauth', 'access-1', 'refresh-1']);
  const after = ((await (await fetch(`${ta.url}/v1/integrations`)).json()) as { items: { status: string; connections: { label: string }[] }[] }).items[0];
  assert.equal(after.status, 'connected');
  assert.equal(after.connections[0].label, 'Ada');

  assert.equal(await refreshGoogleTokens(ta.ctx), 1, 'a token expiring within 10 minutes is refreshed');
  assert.equal(ta.ctx.vault.get('google_drive', 'ada@example.com')!.fields.access_token, 'access-2');
  assert.equal(ta.ctx.vault.get('google_drive', 'ada@example.com')!.fields.refresh_token, 'refresh-1', 'the refresh token is kept when not rotated');
  assert.equal(await refreshGoogleTokens(ta.ctx), 0);

  await fetch(`${ta.url}/v1/datasources/google_drive/ada@example.com`, { method: 'DELETE' });
  assert.equal(seen.at(-1)!.path, '/revoke');
  assert.equal(seen.at(-1)!.form.get('token'), 'refresh-1');
});

test('OAuth start without Google credentials is a 400; callbacks without a pending sign-in say so', async (t) => {
  const ta = await startTestApp({ listen: true, env: { GOOGLE_CLIENT_ID: 'YOUR_CLIENT_ID_HERE' } });
  t.after(() => ta.close());
  const res = await fetch(`${ta.url}/v1/integrations/gmail/oauth/start`, { method: 'POST' });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { detail: 'Google OAuth credentials are not configured.', code: 'bad_input' });
  assert.match(await (await fetch(`${ta.url}/v1/integrations/gmail/oauth/callback?code=x&state=y`)).text(), /expired/);
  const items = ((await (await fetch(`${ta.url}/v1/integrations`)).json()) as { items: { status: string }[] }).items;
  assert.ok(items.every((i) => i.status === 'needs_config'));
});

test('token mode: the OAuth callback is authorised by its one-time state; a callback without the pending state changes nothing', async (t) => {
  const google = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    req.resume();
    req.on('end', () => {
      if (path === '/token') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'a', refresh_token: 'r', expires_in: 3600 }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ email: 'bob@example.com' }));
    });
  });
  await new Promise<void>((r) => google.listen(0, '127.0.0.1', r));
  t.after(() => google.close());
  const g = `http://127.0.0.1:${(google.address() as { port: number }).port}`;
  const ta = await startTestApp({
    listen: true,
    env: { ANTON_SERVER_TOKEN: 'tok-123', GOOGLE_CLIENT_ID: 'cid', GOOGLE_CLIENT_SECRET: 'cs', ANTON_GOOGLE_TOKEN_URL: `${g}/token`, ANTON_GOOGLE_USERINFO_URL: `${g}/userinfo` },
  });
  t.after(() => ta.close());
  const auth = { authorization: 'Bearer tok-123' };
  const status = async () =>
    ((await (await fetch(`${ta.url}/v1/integrations`, { headers: auth })).json()) as { items: { oauth: { pending: boolean; lastError: string } }[] }).items[2].oauth;
  const start = (await (await fetch(`${ta.url}/v1/integrations/gmail/oauth/start`, { method: 'POST', headers: auth })).json()) as { authUrl: string };
  const state = new URL(start.authUrl).searchParams.get('state')!;
  // Any page can make the browser load these (an <img>): none of them may cancel or touch the pending sign-in.
  for (const q of ['error=access_denied', 'error=x&state=forged', 'code=c&state=forged', 'code=c', '']) {
    const r = await fetch(`${ta.url}/v1/integrations/gmail/oauth/callback?${q}`);
    assert.notEqual(r.status, 500, q);
    assert.deepEqual(await status(), { ...(await status()), pending: true, lastError: '' }, `after ?${q}`);
  }
  // The provider's redirect carries no bearer token, only the state.
  const ok = await fetch(`${ta.url}/v1/integrations/gmail/oauth/callback?code=the-code&state=${state}`);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /Gmail is now connected as bob@example.com/);
  assert.equal((await status()).pending, false);
  // One-time: replaying the same state does nothing.
  assert.match(await (await fetch(`${ta.url}/v1/integrations/gmail/oauth/callback?code=again&state=${state}`)).text(), /expired|no sign-in/i);
  assert.equal((await status()).lastError, '');
  // A real cancel (with the pending state) is honoured.
  const s2 = new URL(((await (await fetch(`${ta.url}/v1/integrations/gmail/oauth/start`, { method: 'POST', headers: auth })).json()) as { authUrl: string }).authUrl).searchParams.get('state')!;
  assert.match(await (await fetch(`${ta.url}/v1/integrations/gmail/oauth/callback?error=access_denied&state=${s2}`)).text(), /cancelled/);
  assert.equal((await status()).pending, false);
  // Other routes still need the token.
  assert.equal((await fetch(`${ta.url}/v1/integrations`)).status, 401);
});
