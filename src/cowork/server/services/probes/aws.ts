import { createHash, createHmac } from 'node:crypto';
import { fail, fieldOf, ok, pick, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';
import { reachFailure } from './jwt.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();

/** AWS Signature Version 4 headers for one request (node:crypto; no SDK needed for a single call). */
export function signV4(o: { method: string; url: URL; headers: Record<string, string>; body: string; region: string; service: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string; now?: Date }) {
  const amzDate = (o.now ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...o.headers, host: o.url.host, 'x-amz-date': amzDate, ...(o.sessionToken ? { 'x-amz-security-token': o.sessionToken } : {}) };
  const names = Object.keys(headers).map((k) => k.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [o.method, o.url.pathname || '/', o.url.search.slice(1), names.map((k) => `${k}:${lower[k]}\n`).join(''), names.join(';'), sha256(o.body)].join('\n');
  const scope = `${day}/${o.region}/${o.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secretAccessKey}`, day), o.region), o.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${o.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/**
 * "Who am I" for AWS keys: STS GetCallerIdentity (works for any valid key, whatever its policies).
 * With a custom DynamoDB endpoint (DynamoDB Local, a VPC endpoint), ListTables against that endpoint instead.
 */
export async function probeAws(v: Record<string, string>): Promise<ProbeResult> {
  const accessKeyId = pick(v, 'access_key_id', 'aws_access_key_id') ?? '';
  const secretAccessKey = pick(v, 'secret_access_key', 'aws_secret_access_key') ?? '';
  const sessionToken = pick(v, 'session_token');
  const region = pick(v, 'region', 'aws_region', 'default_region') ?? 'us-east-1';
  const secretField = fieldOf(v, 'secret_access_key', 'aws_secret_access_key');
  const keyField = fieldOf(v, 'access_key_id', 'aws_access_key_id');
  const dynamo = v.endpoint_url;
  let url: URL;
  try {
    url = new URL(dynamo ? dynamo : `https://sts.${region}.amazonaws.com/`);
  } catch {
    return fail('The endpoint URL is not valid.', 'endpoint_url');
  }
  const body = dynamo ? '{"Limit":1}' : 'Action=GetCallerIdentity&Version=2011-06-15';
  const base: Record<string, string> = dynamo ? { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' } : { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const headers = signV4({ method: 'POST', url, headers: base, body, region, service: dynamo ? 'dynamodb' : 'sts', accessKeyId, secretAccessKey, sessionToken });
  delete (headers as Record<string, string>).host;
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const text = await res.text();
    if (res.ok) {
      const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
      return ok(dynamo ? `DynamoDB at ${url.host} accepted the keys.` : `AWS knows these keys: ${arn ?? 'caller identity confirmed'}.`);
    }
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? /"__type":"(?:[^"#]*#)?([^"]+)"/.exec(text)?.[1] ?? `HTTP ${res.status}`;
    if (/InvalidClientTokenId|UnrecognizedClient/.test(code)) return fail(`AWS does not know this access key ID (${code}).`, keyField);
    if (/SignatureDoesNotMatch|InvalidSignature/.test(code)) return fail(`The secret access key does not match the key ID (${code}).`, secretField);
    if (/ExpiredToken|TokenRefreshRequired/.test(code)) return fail(`The session token has expired (${code}).`, 'session_token');
    return fail(`AWS refused the request (${code}).`, res.status === 403 ? secretField : undefined);
  } catch (e) {
    return reachFailure(e, url.host, dynamo ? 'endpoint_url' : undefined);
  }
}
