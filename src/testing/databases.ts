import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import mysql from 'mysql2/promise';

/** The machine's databases (CI installs and starts them when absent; tests never skip on them). */
export const PG = { host: process.env.ANTON_TEST_PG_HOST ?? '127.0.0.1', port: Number(process.env.ANTON_TEST_PG_PORT ?? 5432), database: 'test' };
export const MARIA = { host: process.env.ANTON_TEST_MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.ANTON_TEST_MYSQL_PORT ?? 3306), database: 'test' };
export const PROBE_USER = 'anton_probe';
export const PROBE_PASSWORD = 'probe-pass-123';

/**
 * A PostgreSQL role whose password is really checked: the local server trusts loopback, so a
 * scram-sha-256 line for this one role goes first in pg_hba.conf (idempotent).
 */
export async function ensurePgPasswordRole(): Promise<void> {
  const admin = new pg.Client({ ...PG, user: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PROBE_USER}') THEN CREATE ROLE ${PROBE_USER} LOGIN; END IF;
    END $$;`);
    await admin.query(`ALTER ROLE ${PROBE_USER} WITH LOGIN PASSWORD '${PROBE_PASSWORD}'`);
    const hba = (await admin.query('SHOW hba_file')).rows[0].hba_file as string;
    const text = readFileSync(hba, 'utf8');
    if (!text.includes(`all ${PROBE_USER} `)) {
      writeFileSync(hba, `host all ${PROBE_USER} 127.0.0.1/32 scram-sha-256\nhost all ${PROBE_USER} ::1/128 scram-sha-256\n${text}`);
      await admin.query('SELECT pg_reload_conf()');
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await admin.end();
  }
}

export async function ensureMariaUser(): Promise<void> {
  const root = await mysql.createConnection({ host: MARIA.host, port: MARIA.port, user: 'root', password: '' });
  try {
    for (const host of ['127.0.0.1', 'localhost', '%']) {
      await root.query(`CREATE USER IF NOT EXISTS '${PROBE_USER}'@'${host}' IDENTIFIED BY '${PROBE_PASSWORD}'`);
      await root.query(`ALTER USER '${PROBE_USER}'@'${host}' IDENTIFIED BY '${PROBE_PASSWORD}'`);
      await root.query(`GRANT ALL PRIVILEGES ON test.* TO '${PROBE_USER}'@'${host}'`);
    }
    await root.query('CREATE DATABASE IF NOT EXISTS test');
  } finally {
    await root.end();
  }
}
