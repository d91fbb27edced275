import type { ProbeSpec } from './connectors.js';

export interface ProbeResult {
  ok: boolean;
  message: string;
  /** The form field the failure points at, so the UI can mark it. */
  field?: string;
}

const TIMEOUT_MS = 8000;
const err = (message: string, field?: string): ProbeResult => ({ ok: false, message, ...(field ? { field } : {}) });

async function probePostgres(v: Record<string, string>): Promise<ProbeResult> {
  const { default: pg } = await import('pg');
  const ssl = v.sslmode === 'require' || v.sslmode === 'verify-full' ? { rejectUnauthorized: v.sslmode === 'verify-full' } : undefined;
  const client = new pg.Client(
    v.connection_string
      ? { connectionString: v.connection_string, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS }
      : { host: v.host, port: Number(v.port || 5432), database: v.database, user: v.user, password: v.password ?? '', ssl, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS },
  );
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query('SELECT current_database() AS db, version() AS version');
    return { ok: true, message: `Connected to ${String(r.rows[0].db)} (${String(r.rows[0].version).split(' ').slice(0, 2).join(' ')}).` };
  } catch (e) {
    const x = e as { code?: string; message: string };
    if (x.code === '28P01') return err('Password authentication failed.', 'password');
    if (x.code === '28000') return err(`The server refused this user: ${x.message}`, 'user');
    if (x.code === '3D000') return err(`Database does not exist: ${x.message}`, 'database');
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(x.code ?? '') || /timeout/i.test(x.message)) {
      return err(`Could not reach the server (${x.code ?? 'timeout'}).`, v.connection_string ? 'connection_string' : 'host');
    }
    return err(x.message, v.connection_string ? 'connection_string' : undefined);
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeMysql(v: Record<string, string>): Promise<ProbeResult> {
  const mysql = await import('mysql2/promise');
  let conn;
  try {
    conn = await mysql.createConnection({ host: v.host, port: Number(v.port || 3306), user: v.user, password: v.password ?? '', database: v.database || undefined, connectTimeout: TIMEOUT_MS });
    const [rows] = await conn.query('SELECT DATABASE() AS db, VERSION() AS version');
    const r = (rows as { db: string; version: string }[])[0];
    return { ok: true, message: `Connected to ${r.db ?? '(no database)'} (${r.version}).` };
  } catch (e) {
    const x = e as { code?: string; message: string };
    if (x.code === 'ER_ACCESS_DENIED_ERROR') return err('Access denied for this user and password.', 'password');
    if (x.code === 'ER_BAD_DB_ERROR' || x.code === 'ER_DBACCESS_DENIED_ERROR') return err(`Database not available: ${x.message}`, 'database');
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(x.code ?? '')) return err(`Could not reach the server (${x.code}).`, 'host');
    return err(x.message);
  } finally {
    await conn?.end().catch(() => {});
  }
}

async function probeSqlite(v: Record<string, string>): Promise<ProbeResult> {
  const { default: Database } = await import('better-sqlite3');
  try {
    const db = new Database(v.path, { readonly: true, fileMustExist: true });
    try {
      const n = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      return { ok: true, message: `Opened the database (${n.n} tables).` };
    } finally {
      db.close();
    }
  } catch (e) {
    return err(`Cannot open it as SQLite: ${(e as Error).message}`, 'path');
  }
}

const fill = (tpl: string, v: Record<string, string>) => tpl.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => v[k] ?? '');

/** "GET an endpoint with the auth header" probes declared in the connector JSON. */
async function probeHttp(p: ProbeSpec, v: Record<string, string>): Promise<ProbeResult> {
  const url = fill(p.url ?? '', v);
  const secretField = Object.values({ ...p.headers, url: p.url ?? '' })
    .join(' ')
    .match(/\{\{(\w*(key|token|secret|password)\w*)\}\}/)?.[1];
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return err('The URL is not valid.', 'base_url');
  }
  const headers = Object.fromEntries(Object.entries(p.headers ?? {}).map(([k, val]) => [fill(k, v), fill(val, v)]).filter(([k]) => k));
  try {
    const res = await fetch(target, { method: p.method ?? 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    if (res.status === 401 || res.status === 403) return err(`The service rejected the credentials (HTTP ${res.status}).`, secretField);
    if (!res.ok) return err(`The service answered HTTP ${res.status}.`);
    if (p.okField) {
      try {
        if ((JSON.parse(body) as Record<string, unknown>)[p.okField] !== true) return err('The service rejected the credentials.', secretField);
      } catch {
        return err('Unexpected answer from the service.');
      }
    }
    return { ok: true, message: `The service accepted the credentials (HTTP ${res.status}).` };
  } catch (e) {
    return err(`Could not reach ${target.host}: ${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}`, p.url?.includes('{{base_url}}') ? 'base_url' : undefined);
  }
}

export function canProbe(p: ProbeSpec | undefined): boolean {
  return !!p && ['postgres', 'mysql', 'sqlite', 'http'].includes(p.type);
}

/** Really connect with the given values, with a timeout, and say which field is wrong when it fails. */
export async function runProbe(p: ProbeSpec, values: Record<string, string>): Promise<ProbeResult> {
  switch (p.type) {
    case 'postgres':
      return probePostgres(values);
    case 'mysql':
      return probeMysql(values);
    case 'sqlite':
      return probeSqlite(values);
    case 'http':
      return probeHttp(p, values);
  }
}
