import { fail, isNetworkError, ok, pick, PROBE_TIMEOUT_MS, scrub, truthy, unreachable, withTimeout, type ProbeResult } from './result.js';

export async function probeRedis(v: Record<string, string>): Promise<ProbeResult> {
  const uriField = v.connection_string ? 'connection_string' : undefined;
  const { Redis } = await import('ioredis');
  const common = { lazyConnect: true, enableReadyCheck: false, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, commandTimeout: PROBE_TIMEOUT_MS };
  let client: InstanceType<typeof Redis>;
  let where: string;
  if (uriField) {
    let u: URL;
    try {
      u = new URL(v.connection_string);
    } catch {
      return fail('The connection string is not a valid redis:// or rediss:// URL.', uriField);
    }
    if (!/^rediss?:$/.test(u.protocol)) return fail('The connection string must start with redis:// or rediss://.', uriField);
    where = `${u.hostname}:${u.port || 6379}`;
    client = new Redis(v.connection_string, { ...common, ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}) });
  } else {
    where = `${v.host}:${v.port || 6379}`;
    client = new Redis({ ...common, host: v.host, port: Number(v.port || 6379), username: pick(v, 'username'), password: pick(v, 'password'), db: Number(v.database || 0), ...(truthy(v.use_tls) ? { tls: { servername: v.host } } : {}) });
  }
  // ioredis reports an AUTH failure as an 'error' event and then only "Connection is closed" to the caller.
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await withTimeout(client.connect(), 'Connecting');
    const pong = await withTimeout(client.ping(), 'PING');
    const info = await withTimeout(client.info('server'), 'INFO');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? /valkey_version:([^\r\n]+)/.exec(info)?.[1] ?? '?';
    return ok(`Connected (${pong}, Redis ${version}).`);
  } catch (e) {
    const x = (/Connection is closed/.test((e as Error).message) && lastError ? lastError : e) as { code?: string; message: string };
    if (/WRONGPASS|invalid password|invalid username-password/i.test(x.message)) return fail('The server rejected this username/password.', uriField ?? 'password');
    if (/NOAUTH/i.test(x.message)) return fail('The server needs a password.', uriField ?? 'password');
    if (/DB index is out of range|invalid DB index/i.test(x.message)) return fail('That database number does not exist on this server.', uriField ?? 'database');
    if (isNetworkError(x) || /Connection is closed|connect ETIMEDOUT|Stream isn't writeable/i.test(x.message)) return unreachable(x, where, uriField ?? 'host');
    if (/RESP|protocol error|unexpected/i.test(x.message)) return fail(`${where} did not answer like a Redis server (is this the right port?).`, uriField ?? 'host');
    return fail(`Redis error: ${scrub(x.message, v)}`, uriField);
  } finally {
    client.disconnect();
  }
}
