import { fail, fieldOf, isNetworkError, ok, pick, PROBE_TIMEOUT_MS, scrub, truthy, unreachable, withTimeout, type ProbeResult } from './result.js';

/** `Server=tcp:host,1433;Database=db;User Id=u;Password=p;Encrypt=true` (ADO.NET style) → values. */
export function parseAdoString(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim().toLowerCase().replace(/\s+/g, ' ');
    const val = part.slice(i + 1).trim().replace(/^\{(.*)\}$/, '$1');
    if (['server', 'data source', 'address', 'addr'].includes(k)) {
      const [host, port] = val.replace(/^tcp:/i, '').split(',');
      out.host = host.split('\\')[0];
      if (port) out.port = port;
    } else if (['database', 'initial catalog'].includes(k)) out.database = val;
    else if (['user id', 'uid', 'user'].includes(k)) out.username = val;
    else if (['password', 'pwd'].includes(k)) out.password = val;
    else if (k === 'encrypt') out.encrypt = /^(true|yes|mandatory|strict)$/i.test(val) ? 'true' : 'false';
    else if (k === 'trustservercertificate') out.trust_server_certificate = /^(true|yes)$/i.test(val) ? 'true' : 'false';
  }
  return out;
}

type TediousModule = typeof import('tedious');

/** `auth`: the login kind of the method (SQL login by default; a client secret means a service principal). */
export async function probeMssql(raw: Record<string, string>, auth?: string): Promise<ProbeResult> {
  const v = raw.connection_string ? { ...parseAdoString(raw.connection_string), ...raw } : raw;
  const f = (name: string) => (raw.connection_string ? 'connection_string' : name);
  if (!v.host) return fail('No server in the connection string (Server=host,1433).', 'connection_string');
  const tedious: TediousModule = await import('tedious');
  const authentication = v.client_secret
    ? { type: 'azure-active-directory-service-principal-secret' as const, options: { clientId: v.client_id, clientSecret: v.client_secret, tenantId: v.tenant_id } }
    : auth === 'azure-ad-password'
      ? { type: 'azure-active-directory-password' as const, options: { userName: v.username, password: v.password ?? '', clientId: '', tenantId: v.tenant_id ?? '' } }
      : auth === 'ntlm'
        ? { type: 'ntlm' as const, options: { userName: v.username, password: v.password ?? '', domain: v.domain ?? '' } }
        : { type: 'default' as const, options: { userName: pick(v, 'username', 'user'), password: v.password ?? '' } };
  const encrypt = v.encrypt === undefined && v.ssl_enabled === undefined ? true : truthy(pick(v, 'encrypt', 'ssl_enabled'));
  const conn = new tedious.Connection({
    server: v.host,
    authentication: authentication as never,
    options: {
      port: Number(v.port || 1433),
      database: v.database || undefined,
      encrypt,
      trustServerCertificate: truthy(v.trust_server_certificate),
      connectTimeout: PROBE_TIMEOUT_MS,
      requestTimeout: PROBE_TIMEOUT_MS,
    },
  });
  conn.on('error', () => {});
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        conn.on('connect', (err) => (err ? reject(err) : resolve()));
        conn.connect();
      }),
      'Connecting',
    );
    const row = await withTimeout(
      new Promise<string[]>((resolve, reject) => {
        const cells: string[] = [];
        const req = new tedious.Request('SELECT DB_NAME(), SUSER_SNAME(), CAST(SERVERPROPERTY(\'ProductVersion\') AS nvarchar(64))', (err) => (err ? reject(err) : resolve(cells)));
        req.on('row', (cols: { value: unknown }[]) => cells.push(...cols.map((c) => String(c.value))));
        conn.execSql(req);
      }),
      'The test query',
    );
    return ok(`Connected to ${row[0]} as ${row[1]} (SQL Server ${row[2]}).`);
  } catch (e) {
    const x = e as { code?: string; message: string; cause?: { code?: string; message?: string } };
    const msg = scrub(x.message, v);
    if (x.code === 'ELOGIN') {
      if (/database/i.test(x.message)) return fail(`The server refused the database: ${msg}`, f('database'));
      return fail(`Login failed: ${msg}`, f(fieldOf(v, 'password', 'client_secret')));
    }
    if (/certificate|self[- ]signed/i.test(x.message)) return fail(`TLS verification failed: ${msg}. Switch on "Trust server certificate" only for a server you control.`, f('trust_server_certificate'));
    if (x.code === 'ESOCKET' || x.code === 'ETIMEOUT' || isNetworkError(x) || isNetworkError(x.cause ?? {})) return unreachable({ code: x.cause?.code ?? x.code, message: x.message }, `${v.host}:${v.port || 1433}`, f('host'));
    return fail(`SQL Server error: ${msg}`, raw.connection_string ? 'connection_string' : undefined);
  } finally {
    conn.close();
  }
}
