import { fail, fieldOf, isNetworkError, ok, pick, PROBE_TIMEOUT_MS, scrub, truthy, unreachable, withTimeout, type ProbeResult } from './result.js';

interface MyTarget {
  host: string;
  port: number;
  database?: string;
  user?: string;
  password?: string;
  /** off: plaintext; on: TLS with the certificate verified (against the given CA, else the system's). */
  tls: boolean;
  ca?: string;
}

function myTarget(v: Record<string, string>): MyTarget | ProbeResult {
  const ca = pick(v, 'ssl_ca_cert', 'ssl_ca', 'ca_cert');
  const uri = pick(v, 'connection_string', 'connection_url');
  if (uri) {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      return fail('The connection string is not a valid mysql:// URI.', fieldOf(v, 'connection_string', 'connection_url'));
    }
    if (!/^(mysql|mariadb):$/.test(u.protocol)) return fail('The connection string must start with mysql://.', fieldOf(v, 'connection_string', 'connection_url'));
    const sslParam = u.searchParams.get('ssl-mode') ?? u.searchParams.get('sslmode') ?? u.searchParams.get('ssl');
    const tls = sslParam ? !/^(disabled?|false|0)$/i.test(sslParam) : !!ca || /psdb\.cloud|planetscale/i.test(u.hostname);
    return { host: u.hostname, port: Number(u.port || 3306), database: decodeURIComponent(u.pathname.slice(1)) || undefined, user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), tls, ca };
  }
  const toggle = pick(v, 'use_ssl', 'ssl_enabled', 'ssl');
  return { host: v.host ?? 'localhost', port: Number(v.port || 3306), database: v.database, user: pick(v, 'username', 'user', 'db_username'), password: v.password, tls: truthy(toggle) || !!ca, ca };
}

export async function probeMysql(v: Record<string, string>): Promise<ProbeResult> {
  const t = myTarget(v);
  if ('ok' in t) return t;
  const uriField = pick(v, 'connection_string', 'connection_url') ? fieldOf(v, 'connection_string', 'connection_url') : undefined;
  const f = (name: string) => uriField ?? name;
  const mysql = await import('mysql2/promise');
  let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
  try {
    conn = await withTimeout(
      mysql.createConnection({
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password ?? '',
        database: t.database || undefined,
        connectTimeout: PROBE_TIMEOUT_MS,
        ...(t.tls ? { ssl: { rejectUnauthorized: true, ...(t.ca ? { ca: t.ca } : {}) } } : {}),
      }),
      'Connecting',
    );
    const [rows] = await withTimeout(conn.query("SELECT DATABASE() AS db, CURRENT_USER() AS who, VERSION() AS version, @@have_ssl AS have_ssl"), 'The test query');
    const r = (rows as { db: string | null; who: string; version: string }[])[0];
    return ok(`Connected to ${r.db ?? '(no default database)'} as ${r.who} (${r.version}, ${t.tls ? 'TLS' : 'no TLS'}).`);
  } catch (e) {
    const x = e as { code?: string; message: string };
    if (x.code === 'ER_ACCESS_DENIED_ERROR' || x.code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') return fail('Access denied for this user and password.', f('password'));
    if (x.code === 'ER_BAD_DB_ERROR' || x.code === 'ER_DBACCESS_DENIED_ERROR') return fail(`The database is not available: ${scrub(x.message, v)}`, f('database'));
    if (/does not support secure connection|SSL connection error|server does not support/i.test(x.message) || x.code === 'HANDSHAKE_NO_SSL_SUPPORT') {
      return fail('TLS is switched on but the server does not offer it. Turn TLS off for this server, or enable TLS on it.', f(fieldOf(v, 'use_ssl', 'ssl_enabled', 'ssl')));
    }
    if (/self[- ]signed|unable to verify|certificate|altnames/i.test(x.message)) return fail(`TLS verification failed: ${x.message}. Paste the server's CA certificate.`, f(fieldOf(v, 'ssl_ca_cert', 'ssl_ca', 'use_ssl', 'ssl_enabled', 'ssl')));
    if (/secure transport|require_secure_transport|--require-secure/i.test(x.message)) return fail('The server requires TLS: switch TLS on.', f(fieldOf(v, 'use_ssl', 'ssl_enabled', 'ssl')));
    if (isNetworkError(x)) return unreachable(x, `${t.host}:${t.port}`, f('host'));
    return fail(`MySQL error: ${scrub(x.message, v)}`, uriField);
  } finally {
    await conn?.end().catch(() => {});
  }
}
