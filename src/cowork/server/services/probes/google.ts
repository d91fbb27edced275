import { fail, ok, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';
import { reachFailure, signRs256, tokenRequest } from './jwt.js';

interface ServiceAccountKey {
  type?: string;
  client_email?: string;
  private_key?: string;
  token_uri?: string;
}

/**
 * Google service account: sign a JWT with the key, exchange it at the key's token endpoint (Google checks the
 * signature against the account's public keys), then make one read call with the token.
 */
export async function probeGoogleServiceAccount(spec: { scope: string; url: string }, v: Record<string, string>): Promise<ProbeResult> {
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(v.service_account_json ?? '') as ServiceAccountKey;
  } catch {
    return fail('The service account key is not valid JSON; paste the whole downloaded file.', 'service_account_json');
  }
  if (key.type !== 'service_account' || !key.client_email || !key.private_key) return fail('This JSON is not a service account key (it needs type "service_account", client_email and private_key).', 'service_account_json');
  const tokenUri = key.token_uri || 'https://oauth2.googleapis.com/token';
  const now = Math.floor(Date.now() / 1000);
  let assertion: string;
  try {
    assertion = signRs256({ iss: key.client_email, scope: spec.scope, aud: tokenUri, iat: now, exp: now + 600, ...(v.impersonate_email ? { sub: v.impersonate_email } : {}) }, key.private_key);
  } catch {
    return fail('The private_key in the JSON is not a valid PEM key.', 'service_account_json');
  }
  let token: string;
  try {
    const r = await tokenRequest(tokenUri, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    if (r.status !== 200 || typeof r.json.access_token !== 'string') {
      const desc = String(r.json.error_description ?? r.json.error ?? `HTTP ${r.status}`);
      if (/unauthorized_client|delegation/i.test(String(r.json.error) + desc) && v.impersonate_email) return fail(`Google refused to act as ${v.impersonate_email}: enable domain-wide delegation for this service account (${desc}).`, 'impersonate_email');
      return fail(`Google rejected the service account key (${desc}). The key may have been deleted or disabled.`, 'service_account_json');
    }
    token = r.json.access_token;
  } catch (e) {
    return reachFailure(e, new URL(tokenUri).host, 'service_account_json');
  }
  const url = spec.url.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => encodeURIComponent(v[k] ?? ''));
  try {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = await res.text();
    if (res.ok) return ok(`Signed in as ${key.client_email}; ${new URL(url).host} answered.`);
    const reason = (/"message":\s*"([^"]{1,200})"/.exec(body)?.[1] ?? `HTTP ${res.status}`).replace(/\\n/g, ' ');
    if (res.status === 404) return fail(`The key works, but the resource was not found: ${reason}`, v.project_id !== undefined ? 'project_id' : undefined);
    return fail(`The key works (${key.client_email}), but the call was refused: ${reason}`, v.project_id !== undefined && res.status === 403 ? 'project_id' : undefined);
  } catch (e) {
    return reachFailure(e, new URL(url).host);
  }
}
