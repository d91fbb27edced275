import { fail, fieldOf, isNetworkError, ok, pick, PROBE_TIMEOUT_MS, scrub, truthy, unreachable, withTimeout, type ProbeResult } from './result.js';

/** The connection string of either reference form (URI, or host + credentials). */
export function mongoUri(v: Record<string, string>): string {
  const uri = pick(v, 'connection_string');
  if (uri) return uri;
  const srv = truthy(v.use_srv) || (v.port === undefined && /mongodb\.net$/i.test(v.host ?? ''));
  const auth = v.username ? `${encodeURIComponent(v.username)}:${encodeURIComponent(v.password ?? '')}@` : '';
  const params = new URLSearchParams();
  if (v.auth_source) params.set('authSource', v.auth_source);
  if (truthy(pick(v, 'tls', 'tls_enabled')) || srv) params.set('tls', 'true');
  const hostPort = srv ? v.host : `${v.host}:${v.port || 27017}`;
  return `mongodb${srv ? '+srv' : ''}://${auth}${hostPort}/${encodeURIComponent(pick(v, 'database', 'database_name') ?? '')}${params.size ? `?${params}` : ''}`;
}

export async function probeMongo(v: Record<string, string>): Promise<ProbeResult> {
  const uriField = v.connection_string ? 'connection_string' : undefined;
  const { MongoClient } = await import('mongodb');
  let client: InstanceType<typeof MongoClient> | undefined;
  try {
    client = new MongoClient(mongoUri(v), { serverSelectionTimeoutMS: PROBE_TIMEOUT_MS, connectTimeoutMS: PROBE_TIMEOUT_MS, ...(v.tls_enabled !== undefined && uriField ? { tls: truthy(v.tls_enabled) } : {}) });
    await withTimeout(client.connect(), 'Connecting');
    const db = client.db(pick(v, 'database', 'database_name') || undefined);
    const status = (await withTimeout(db.command({ connectionStatus: 1 }), 'The test command')) as { authInfo?: { authenticatedUsers?: { user: string }[] } };
    const who = status.authInfo?.authenticatedUsers?.[0]?.user;
    return ok(`Connected to ${db.databaseName}${who ? ` as ${who}` : ''} (MongoDB).`);
  } catch (e) {
    const x = e as { code?: number | string; codeName?: string; message: string; name?: string };
    if (x.code === 18 || x.codeName === 'AuthenticationFailed' || /auth(entication)? failed/i.test(x.message)) return fail('Authentication failed for this user and password.', uriField ?? 'password');
    if (/Invalid scheme|Invalid connection string|URI/i.test(x.message) && x.name === 'MongoParseError') return fail(`The connection string is not valid: ${scrub(x.message, v)}`, uriField ?? fieldOf(v, 'host'));
    if (x.name === 'MongoServerSelectionError' || isNetworkError(x)) return unreachable({ code: 'server selection failed', message: x.message }, 'the MongoDB server', uriField ?? 'host');
    return fail(`MongoDB error: ${scrub(x.message, v)}`, uriField);
  } finally {
    await client?.close().catch(() => {});
  }
}
