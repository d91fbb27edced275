import { createHmac, createSign } from 'node:crypto';
import { fail, fetchFailureReason, ok, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A compact JWT signed RS256 with a PEM private key (node:crypto; no JWT library needed). */
export function signRs256(claims: object, privateKeyPem: string, header: object = {}): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(claims));
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKeyPem);
  return `${head}.${body}.${b64url(sig)}`;
}
export function signHs256(claims: object, secret: Buffer, header: object = {}): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${b64url(createHmac('sha256', secret).update(`${head}.${body}`).digest())}`;
}

/** POST a form to a token endpoint; the OAuth error code (if any) comes back for the caller to explain. */
export async function tokenRequest(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers }, body: new URLSearchParams(form).toString(), signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, json };
}

export const reachFailure = (e: unknown, host: string, field?: string): ProbeResult => fail(`Could not reach ${host}: ${fetchFailureReason(e)}.`, field);

/** DocuSign JWT grant: the RSA key, integration key and user id must all match for a token to be issued. */
export async function probeDocusign(v: Record<string, string>): Promise<ProbeResult> {
  const host = /demo|sandbox|developer/i.test(v.environment ?? '') ? 'account-d.docusign.com' : 'account.docusign.com';
  const now = Math.floor(Date.now() / 1000);
  let assertion: string;
  try {
    assertion = signRs256({ iss: v.integration_key, sub: v.user_id, aud: host, iat: now, exp: now + 600, scope: 'signature impersonation' }, v.private_key_pem);
  } catch {
    return fail('The private key is not a valid PEM RSA key.', 'private_key_pem');
  }
  try {
    const r = await tokenRequest(`https://${host}/oauth/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    if (r.status === 200 && r.json.access_token) return ok(`${host} issued a token for this user.`);
    const code = String(r.json.error ?? `HTTP ${r.status}`);
    if (code === 'consent_required') return fail('The user has not granted consent to this integration key yet (open the consent URL once).', 'user_id');
    if (code === 'invalid_grant') return fail('DocuSign rejected the grant: check the user ID, the integration key and that the key pair belongs to it.', 'private_key_pem');
    return fail(`DocuSign refused the token request (${code}).`, 'integration_key');
  } catch (e) {
    return reachFailure(e, host);
  }
}

/** DoorDash Drive: a DD-JWT-V1 token signed with the signing secret; an authenticated lookup of a missing delivery answers 404. */
export async function probeDoordash(v: Record<string, string>): Promise<ProbeResult> {
  const now = Math.floor(Date.now() / 1000);
  const token = signHs256({ aud: 'doordash', iss: v.developer_id, kid: v.key_id, iat: now, exp: now + 300 }, Buffer.from(v.signing_secret ?? '', 'base64url'), { 'dd-ver': 'DD-JWT-V1' });
  try {
    const res = await fetch('https://openapi.doordash.com/drive/v2/deliveries/anton-connection-test', { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.text();
    if (res.status === 404 || res.ok) return ok('DoorDash accepted the signed token.');
    if (res.status === 401 || res.status === 403) return fail(`DoorDash rejected the token (HTTP ${res.status}): check the developer ID, key ID and signing secret.`, 'signing_secret');
    return fail(`DoorDash answered HTTP ${res.status}.`);
  } catch (e) {
    return reachFailure(e, 'openapi.doordash.com');
  }
}
