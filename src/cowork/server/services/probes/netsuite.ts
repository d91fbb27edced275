import { createHmac, randomBytes } from 'node:crypto';
import { fail, fetchFailureReason, ok, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** OAuth 1.0a (HMAC-SHA256) Authorization header, as NetSuite's token-based authentication wants it. */
export function oauth1Header(o: { method: string; url: URL; realm: string; consumerKey: string; consumerSecret: string; token: string; tokenSecret: string; nonce?: string; timestamp?: string }): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: o.consumerKey,
    oauth_nonce: o.nonce ?? randomBytes(12).toString('hex'),
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: o.timestamp ?? String(Math.floor(Date.now() / 1000)),
    oauth_token: o.token,
    oauth_version: '1.0',
  };
  const params = [...Object.entries(oauth), ...o.url.searchParams.entries()].map(([k, v]) => [enc(k), enc(v)]).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  const base = [o.method.toUpperCase(), enc(`${o.url.origin}${o.url.pathname}`), enc(params.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
  const signature = createHmac('sha256', `${enc(o.consumerSecret)}&${enc(o.tokenSecret)}`).update(base).digest('base64');
  return `OAuth realm="${o.realm}", ${Object.entries({ ...oauth, oauth_signature: signature }).map(([k, v]) => `${k}="${enc(v)}"`).join(', ')}`;
}

/** NetSuite token-based authentication: one signed read of the REST record service's metadata catalogue. */
export async function probeNetsuite(v: Record<string, string>): Promise<ProbeResult> {
  const account = (v.account_id ?? '').trim();
  if (!/^[A-Za-z0-9_-]+$/.test(account)) return fail('The account ID looks like 1234567 or 1234567_SB1.', 'account_id');
  const url = new URL(`https://${account.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com/services/rest/record/v1/metadata-catalog`);
  const header = oauth1Header({ method: 'GET', url, realm: account.toUpperCase().replace(/-/g, '_'), consumerKey: v.consumer_key ?? '', consumerSecret: v.consumer_secret ?? '', token: v.token_id ?? '', tokenSecret: v.token_secret ?? '' });
  try {
    const res = await fetch(url, { headers: { Authorization: header, Accept: 'application/json' }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.text();
    if (res.ok) return ok('NetSuite accepted the token-based credentials.');
    if (res.status === 401) return fail('NetSuite rejected the credentials (HTTP 401): check the consumer key/secret, the token ID/secret and the account ID.', 'token_secret');
    if (res.status === 403) return fail('NetSuite signed you in but refused the REST web services (HTTP 403): the role needs the "REST Web Services" permission.', 'token_id');
    return fail(`NetSuite answered HTTP ${res.status}.`);
  } catch (e) {
    return fail(`Could not reach ${url.host}: ${fetchFailureReason(e)}.`, 'account_id');
  }
}
