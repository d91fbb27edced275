import { createHmac } from 'node:crypto';
import { fail, fetchFailureReason, ok, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';

/** Azure Cosmos DB with an account key: list databases, signed with the master-key HMAC scheme of its REST API. */
export async function probeCosmosKey(v: Record<string, string>): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL('/dbs', v.account_endpoint);
  } catch {
    return fail('The account endpoint is not a valid URL.', 'account_endpoint');
  }
  const date = new Date().toUTCString();
  let key: Buffer;
  try {
    key = Buffer.from(v.primary_key ?? '', 'base64');
    if (!key.length) throw new Error('empty');
  } catch {
    return fail('The key is not valid base64.', 'primary_key');
  }
  const sig = createHmac('sha256', key).update(`get\ndbs\n\n${date.toLowerCase()}\n\n`).digest('base64');
  try {
    const res = await fetch(url, {
      headers: { authorization: encodeURIComponent(`type=master&ver=1.0&sig=${sig}`), 'x-ms-date': date, 'x-ms-version': '2018-12-31', accept: 'application/json' },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as { _count?: number };
    if (res.ok) return ok(`Cosmos DB at ${url.host} accepted the key (${body._count ?? 0} databases).`);
    if (res.status === 401 || res.status === 403) return fail(`Cosmos DB rejected the key (HTTP ${res.status}).`, 'primary_key');
    return fail(`Cosmos DB answered HTTP ${res.status}.`, 'account_endpoint');
  } catch (e) {
    return fail(`Could not reach ${url.host}: ${fetchFailureReason(e)}.`, 'account_endpoint');
  }
}
