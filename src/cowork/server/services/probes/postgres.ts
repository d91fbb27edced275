import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { fail, fieldOf, isNetworkError, ok, pick, PROBE_TIMEOUT_MS, scrub, truthy, unreachable, type ProbeResult } from './result.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const MODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

interface PgTarget {
  host: string;
  port: number;
  database?: string;
  user?: string;
  password?: string;
  sslmode: SslMode;
  rootCert?: string;
}

/** The form's values (any of the PostgreSQL-family forms) or its connection URI → one target. */
export function pgTarget(v: Record<string, string>): PgTarget | ProbeResult {
  const uri = pick(v, 'connection_uri', 'connection_string', 'database_url', 'connection_url');
  const rootCert = pick(v, 'ssl_root_cert', 'ssl_ca_cert', 'ssl_ca');
  if (uri) {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      return fail('The connection string is not a valid postgres:// URI.', fieldOf(v, 'connection_uri', 'connection_string', 'database_url', 'connection_url'));
    }
    if (!/^postgres(ql)?:$/.test(u.protocol)) return fail('The connection string must start with postgres:// or postgresql://.', fieldOf(v, 'connection_uri', 'connection_string', 'database_url'));
    const mode = (u.searchParams.get('sslmode') ?? pick(v, 'ssl_mode', 'sslmode') ?? 'prefer') as SslMode;
    if (!MODES.includes(mode)) return fail(`Unknown sslmode "${mode}"; use disable, prefer, require, verify-ca or verify-full.`);
    return {
      host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')) || 'localhost',
      port: Number(u.port || 5432),
      database: decodeURIComponent(u.pathname.slice(1)) || undefined,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      sslmode: mode,
      rootCert: rootCert ?? readRootCert(u.searchParams.get('sslrootcert')),
    };
  }
  // An explicit mode wins; the boolean toggles of the hosted forms mean require / disable; nothing means libpq's prefer.
  const explicit = pick(v, 'ssl_mode', 'sslmode');
  const toggle = pick(v, 'ssl_enabled', 'ssl', 'use_ssl');
  const sslmode = (explicit ?? (toggle === undefined ? 'prefer' : truthy(toggle) ? 'require' : 'disable')) as SslMode;
  if (!MODES.includes(sslmode)) return fail(`Unknown SSL mode "${sslmode}".`, 'ssl_mode');
  return { host: v.host ?? 'localhost', port: Number(v.port || 5432), database: v.database, user: pick(v, 'username', 'user', 'db_username'), password: v.password, sslmode, rootCert };
}

/** libpq's sslrootcert parameter names a PEM file; 'system' (or nothing) means the system's trust store. */
function readRootCert(path: string | null): string | undefined {
  if (!path || path === 'system') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** libpq's sslmode as node TLS options: which checks apply, and whether plaintext is allowed at all. */
export function tlsFor(t: PgTarget): ConnectionOptions | false {
  if (t.sslmode === 'disable') return false;
  const ca = t.rootCert ? { ca: t.rootCert } : {};
  if (t.sslmode === 'verify-full') return { rejectUnauthorized: true, servername: t.host, ...ca };
  // verify-ca: the chain must be trusted, the name is not checked.
  if (t.sslmode === 'verify-ca') return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...ca };
  return { rejectUnauthorized: false };
}

const NO_SSL = /does not support SSL/i;

async function attempt(t: PgTarget, ssl: ConnectionOptions | false) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: t.password ?? '',
    ssl,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
    statement_timeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    // Plain SQL every PostgreSQL-compatible engine answers (Redshift, CockroachDB, Aurora…).
    const r = await client.query('SELECT current_database() AS db, current_user AS who, version() AS version');
    const row = r.rows[0] as { db: string; who: string; version: string };
    const tls = (client as unknown as { connection?: { stream?: { encrypted?: boolean } } }).connection?.stream?.encrypted === true;
    return { ...row, version: String(row.version).split(' ').slice(0, 2).join(' '), tls };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function probePostgres(v: Record<string, string>): Promise<ProbeResult> {
  const t = pgTarget(v);
  if ('ok' in t) return t;
  const uriField = pick(v, 'connection_uri', 'connection_string', 'database_url', 'connection_url') ? fieldOf(v, 'connection_uri', 'connection_string', 'database_url', 'connection_url') : undefined;
  try {
    let row;
    try {
      row = await attempt(t, tlsFor(t));
    } catch (e) {
      // prefer / allow: a server without TLS is still fine, in plaintext.
      if ((t.sslmode === 'prefer' || t.sslmode === 'allow') && NO_SSL.test((e as Error).message)) row = await attempt(t, false);
      else throw e;
    }
    return ok(`Connected to ${row.db} as ${row.who} (${row.version}, ${row.tls ? 'TLS' : 'no TLS'}).`);
  } catch (e) {
    return explain(e as { code?: string; message: string }, t, v, uriField);
  }
}

function explain(x: { code?: string; message: string }, t: PgTarget, v: Record<string, string>, uriField?: string): ProbeResult {
  const f = (name: string) => uriField ?? name;
  if (x.code === '28P01') return fail('Password authentication failed for this user.', f('password'));
  if (x.code === '28000') return fail(`The server refused this user: ${scrub(x.message, v)}`, f(fieldOf(v, 'username', 'user', 'db_username')));
  if (x.code === '3D000') return fail(`The database does not exist: ${scrub(x.message, v)}`, f('database'));
  if (NO_SSL.test(x.message)) return fail(`The server does not offer TLS, but SSL mode "${t.sslmode}" requires it. Use sslmode=prefer or disable for this server.`, f(fieldOf(v, 'ssl_mode', 'ssl_enabled', 'ssl')));
  if (/self[- ]signed|unable to verify|certificate|altnames|UNABLE_TO_GET_ISSUER/i.test(x.message) || /CERT|SELF_SIGNED/.test(x.code ?? '')) {
    return fail(`TLS verification failed (${t.sslmode}): ${x.message}. Provide the server's root certificate, or use sslmode=require to encrypt without verifying.`, f(fieldOf(v, 'ssl_root_cert', 'ssl_mode')));
  }
  if (/pg_hba\.conf.*no encryption|no pg_hba\.conf entry/i.test(x.message)) return fail(`The server refused this connection: ${scrub(x.message, v)}`, f(fieldOf(v, 'ssl_mode', 'ssl_enabled', 'host')));
  if (isNetworkError(x)) return unreachable(x, `${t.host}:${t.port}`, f('host'));
  return fail(`PostgreSQL error: ${scrub(x.message, v)}`, uriField);
}
