import { fail, isNetworkError, ok, PROBE_TIMEOUT_MS, scrub, unreachable, withTimeout, type ProbeResult } from './result.js';

interface OracleConnection {
  execute(sql: string): Promise<{ rows?: unknown[][] }>;
  close(): Promise<void>;
}
interface OracleDb {
  getConnection(o: Record<string, unknown>): Promise<OracleConnection>;
}

/** The Easy Connect or descriptor string for the three reference forms (service name, SID, TNS). */
export function oracleConnectString(v: Record<string, string>): string {
  if (v.tns_connection_string) return v.tns_connection_string.trim();
  const port = Number(v.port || 1521);
  // A full descriptor rather than Easy Connect: the driver's Easy Connect parser rejects some valid service names.
  const target = v.sid ? `(SID=${v.sid})` : `(SERVICE_NAME=${v.service_name ?? ''})`;
  return `(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=${v.host})(PORT=${port}))(CONNECT_DATA=${target}))`;
}

/** Thin mode: pure JavaScript, no Oracle Instant Client needed. */
export async function probeOracle(v: Record<string, string>): Promise<ProbeResult> {
  const driver = 'oracledb'; // no bundled types; the shape used is declared above
  const mod = (await import(driver)) as unknown as { default?: OracleDb } & OracleDb;
  const oracledb = mod.default ?? mod;
  const where = v.tns_connection_string ? 'the TNS address' : `${v.host}:${v.port || 1521}`;
  let conn: OracleConnection | undefined;
  try {
    conn = await withTimeout(
      oracledb.getConnection({ user: v.username, password: v.password, connectString: oracleConnectString(v), connectTimeout: Math.ceil(PROBE_TIMEOUT_MS / 1000), transportConnectTimeout: Math.ceil(PROBE_TIMEOUT_MS / 1000) }),
      'Connecting',
    );
    const r = await withTimeout(conn.execute("SELECT sys_context('USERENV','DB_NAME'), user FROM dual"), 'The test query');
    const [db, who] = (r.rows?.[0] ?? []) as string[];
    return ok(`Connected to ${db} as ${who} (Oracle Database).`);
  } catch (e) {
    const x = e as { code?: string; errorNum?: number; message: string };
    const msg = scrub(x.message, v);
    if (x.errorNum === 1017 || /ORA-01017/.test(x.message)) return fail('Invalid username or password.', 'password');
    if (/NJS-515|NJS-516/.test(x.message)) return fail(`The connect string is not valid: ${msg}`, v.tns_connection_string ? 'tns_connection_string' : 'host');
    if (/ORA-12514|NJS-518|ORA-12505|NJS-519/.test(x.message)) return fail(`The listener does not know this service or SID: ${msg}`, v.sid ? 'sid' : v.tns_connection_string ? 'tns_connection_string' : 'service_name');
    if (/NJS-(500|501|503|510|511|512|521)|ECONNREFUSED|ENOTFOUND|timed out|EHOSTUNREACH/.test(x.message) || isNetworkError(x)) return unreachable(x, where, v.tns_connection_string ? 'tns_connection_string' : 'host');
    return fail(`Oracle error: ${msg}`);
  } finally {
    await conn?.close().catch(() => {});
  }
}
