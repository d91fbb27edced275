import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { fail, ok, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';
import { reachFailure, signRs256 } from './jwt.js';

/** Account identifier → the account's base URL (an explicit https:// URL is used as is: proxies, private links). */
export function snowflakeBase(account: string): { base: string; accountName: string } {
  const a = account.trim();
  if (/^https?:\/\//i.test(a)) {
    const u = new URL(a);
    return { base: u.origin, accountName: u.hostname.split('.')[0].toUpperCase() };
  }
  const host = a.replace(/\.snowflakecomputing\.com$/i, '');
  return { base: `https://${host}.snowflakecomputing.com`, accountName: host.split('.')[0].toUpperCase() };
}

/**
 * Sign in the way Snowflake's drivers do (session login-request) with a password or a key-pair JWT, then log out.
 * Snowflake answers 200 with success:false and a message for bad credentials.
 */
export async function probeSnowflake(v: Record<string, string>): Promise<ProbeResult> {
  let base: string;
  let accountName: string;
  try {
    ({ base, accountName } = snowflakeBase(v.account_identifier ?? ''));
  } catch {
    return fail('The account identifier is not valid.', 'account_identifier');
  }
  const user = (v.username ?? '').toUpperCase();
  const data: Record<string, string> = { CLIENT_APP_ID: 'JavaScript', CLIENT_APP_VERSION: '2.0.0', ACCOUNT_NAME: accountName, LOGIN_NAME: v.username ?? '' };
  if (v.private_key) {
    try {
      const key = createPrivateKey(v.private_key);
      const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
      const fp = createHash('sha256').update(der).digest('base64');
      const now = Math.floor(Date.now() / 1000);
      data.AUTHENTICATOR = 'SNOWFLAKE_JWT';
      data.TOKEN = signRs256({ iss: `${accountName}.${user}.SHA256:${fp}`, sub: `${accountName}.${user}`, iat: now, exp: now + 120 }, v.private_key);
    } catch {
      return fail('The private key is not a valid unencrypted PEM key.', 'private_key');
    }
  } else data.PASSWORD = v.password ?? '';
  const q = new URLSearchParams({ ...(v.warehouse ? { warehouse: v.warehouse } : {}), ...(v.database ? { databaseName: v.database } : {}), ...(v.schema ? { schemaName: v.schema } : {}), ...(v.role ? { roleName: v.role } : {}) });
  const host = new URL(base).host;
  try {
    const res = await fetch(`${base}/session/v1/login-request?${q}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ data }), signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
    const text = await res.text();
    let json: { success?: boolean; message?: string; code?: string; data?: { token?: string } };
    try {
      json = JSON.parse(text);
    } catch {
      return fail(`${host} did not answer like Snowflake (HTTP ${res.status}); check the account identifier.`, 'account_identifier');
    }
    if (json.success && json.data?.token) {
      await fetch(`${base}/session?delete=true`, { method: 'POST', headers: { Authorization: `Snowflake Token="${json.data.token}"`, Accept: 'application/json' }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then((r) => r.text()).catch(() => {});
      return ok(`Signed in to Snowflake account ${accountName} as ${user}.`);
    }
    const msg = json.message ?? `HTTP ${res.status}`;
    if (json.code === '390100' || /incorrect username or password/i.test(msg)) return fail('Incorrect username or password.', v.private_key ? 'private_key' : 'password');
    if (json.code === '390144' || /JWT/i.test(msg)) return fail(`Snowflake rejected the key-pair token: ${msg}`, 'private_key');
    if (/role|warehouse|database|schema/i.test(msg)) return fail(`Signed in, but: ${msg}`, /role/i.test(msg) ? 'role' : /warehouse/i.test(msg) ? 'warehouse' : 'database');
    return fail(`Snowflake refused the sign-in: ${msg}`, 'account_identifier');
  } catch (e) {
    return reachFailure(e, host, 'account_identifier');
  }
}
