import { fail, isNetworkError, ok, PROBE_TIMEOUT_MS, scrub, truthy, unreachable, withTimeout, type ProbeResult } from './result.js';

/** Cassandra / DataStax Astra over the native protocol (cassandra-driver): sign in, open the keyspace, read the release. */
export async function probeCassandra(v: Record<string, string>): Promise<ProbeResult> {
  const mod = (await import('cassandra-driver')) as unknown as { default?: typeof import('cassandra-driver') } & typeof import('cassandra-driver');
  const cassandra = mod.default ?? mod;
  const bundle = v.secure_connect_bundle_path;
  const points = (v.contact_points ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const where = bundle ? 'the Astra database' : points.join(', ');
  const client = new cassandra.Client({
    ...(bundle ? { cloud: { secureConnectBundle: bundle } } : { contactPoints: points, localDataCenter: v.datacenter || 'datacenter1' }),
    keyspace: v.keyspace || undefined,
    credentials: { username: v.username ?? v.client_id ?? '', password: v.password ?? v.client_secret ?? '' },
    ...(truthy(v.use_tls) && !bundle ? { sslOptions: { rejectUnauthorized: true } } : {}),
    socketOptions: { connectTimeout: PROBE_TIMEOUT_MS, readTimeout: PROBE_TIMEOUT_MS },
  });
  try {
    await withTimeout(client.connect(), 'Connecting');
    const r = await withTimeout(client.execute('SELECT release_version FROM system.local'), 'The test query');
    return ok(`Connected to keyspace ${v.keyspace} (Cassandra ${String(r.first()?.get('release_version') ?? '?')}).`);
  } catch (e) {
    const x = e as { code?: string | number; message: string; name?: string; innerErrors?: Record<string, { message?: string; code?: string }> };
    const inner = Object.values(x.innerErrors ?? {}).map((i) => i.message ?? '').join(' ');
    const text = `${x.message} ${inner}`;
    if (/AuthenticationException|Provided username .* incorrect|bad credentials|Authentication/i.test(text)) return fail('Cassandra refused the username and password.', bundle ? 'client_secret' : 'password');
    if (/Keyspace .* does not exist/i.test(text)) return fail(`The keyspace does not exist: ${scrub(x.message, v)}`, 'keyspace');
    if (/localDataCenter|datacenter/i.test(text) && !/ECONNREFUSED|timed out/i.test(text)) return fail(`Check the local datacenter name: ${scrub(x.message, v)}`, 'datacenter');
    if (bundle && /ENOENT|bundle|zip/i.test(text)) return fail(`Cannot read the secure connect bundle: ${scrub(x.message, v)}`, 'secure_connect_bundle_path');
    if (x.name === 'NoHostAvailableError' || isNetworkError({ code: x.code as string, message: text })) return unreachable({ code: /ECONNREFUSED/.test(text) ? 'ECONNREFUSED' : /timed? ?out|ETIMEDOUT/i.test(text) ? 'ETIMEDOUT' : 'no host available', message: text }, where, bundle ? 'secure_connect_bundle_path' : 'contact_points');
    return fail(`Cassandra error: ${scrub(x.message, v)}`);
  } finally {
    await client.shutdown().catch(() => {});
  }
}
