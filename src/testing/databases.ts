import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { waitFor } from './wait.js';

/**
 * Throwaway database servers for the probe tests: each test starts its own PostgreSQL cluster, MariaDB or Redis
 * in a temporary directory, on a free loopback port, with real password checks (and TLS with a certificate made
 * for the test), and stops it afterwards. The machine's own servers and their configuration are never touched.
 * The binaries come from Debian's packages (scripts/ci-services.sh installs them); a missing binary fails the test.
 */
export const PROBE_USER = 'anton_probe';
export const PROBE_PASSWORD = 'probe-pass-123';

export interface Throwaway {
  host: string;
  port: number;
  /** The PEM certificate the server presents (self-signed, CN=localhost, SAN localhost + 127.0.0.1), when TLS is on. */
  cert?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The OS account a server runs as: PostgreSQL and MariaDB refuse to run as root. */
function serviceUser(name: string): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the '${name}' OS user is missing (install the server package: scripts/ci-services.sh)`);
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function chownTree(dir: string, who: { uid: number; gid: number } | null) {
  if (!who) return;
  chownSync(dir, who.uid, who.gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, who);
    else chownSync(p, who.uid, who.gid);
  }
}

/** A self-signed certificate for localhost / 127.0.0.1 (openssl from Debian). */
export function makeCert(dir: string): { certFile: string; keyFile: string; cert: string } {
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}

function run(cmd: string, args: string[], who: { uid: number; gid: number } | null, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, ...(who ? { uid: who.uid, gid: who.gid } : {}) });
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (install it: scripts/ci-services.sh)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

function stopper(child: ChildProcess, dir: string) {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

async function waitForPort(port: number, child: ChildProcess, what: string, log: () => string) {
  const { connect } = await import('node:net');
  await waitFor(async () => {
    if (child.exitCode !== null || child.pid === undefined) throw new Error(`${what} did not start: ${log()}`);
    return new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  }, 30_000);
}

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const v = versions.find((x) => existsSync(join(root, x, 'bin', 'initdb')));
  if (!v) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (install postgresql: scripts/ci-services.sh)');
  return join(root, v, 'bin');
}

/**
 * A private PostgreSQL cluster: `anton_probe` / PROBE_PASSWORD with scram-sha-256 over TCP, database `test`,
 * TLS on (with our certificate) or off.
 */
export async function startPostgres(o: { tls: boolean }): Promise<Throwaway> {
  const bin = pgBinDir();
  const who = serviceUser('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'anton-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'pw'), PROBE_PASSWORD);
  const cert = o.tls ? makeCert(dir) : undefined;
  chownTree(dir, who);
  run(join(bin, 'initdb'), ['-D', data, '-U', PROBE_USER, '--pwfile', join(dir, 'pw'), '--auth-host=scram-sha-256', '--auth-local=scram-sha-256', '-E', 'UTF8', '--no-sync'], who, { ...process.env, LC_ALL: 'C' });
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=20', '-c', 'shared_buffers=16MB'];
  if (cert) args.push('-c', 'ssl=on', '-c', `ssl_cert_file=${cert.certFile}`, '-c', `ssl_key_file=${cert.keyFile}`);
  let log = '';
  const child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...(who ? { uid: who.uid, gid: who.gid } : {}) });
  child.stderr!.on('data', (d) => (log += d));
  await waitForPort(port, child, 'postgres', () => log);
  const { default: pg } = await import('pg');
  await waitFor(async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: PROBE_USER, password: PROBE_PASSWORD, database: 'postgres', ssl: false });
    try {
      await c.connect();
      await c.query('CREATE DATABASE test');
      return true;
    } catch (e) {
      if (/already exists/.test((e as Error).message)) return true;
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  }, 20_000);
  return { host: '127.0.0.1', port, cert: cert?.cert, stop: stopper(child, dir) };
}

/**
 * A private MariaDB server: `anton_probe` / PROBE_PASSWORD (any host), database `test`, TLS offered with our
 * certificate when asked; `anton_tls` / PROBE_PASSWORD may only sign in over TLS.
 */
export async function startMariadb(o: { tls: boolean }): Promise<Throwaway> {
  const who = serviceUser('mysql');
  const dir = mkdtempSync(join(tmpdir(), 'anton-maria-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const cert = o.tls ? makeCert(dir) : undefined;
  chownTree(dir, who);
  const user = who ? ['--user=mysql'] : [];
  run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...user], null);
  chownTree(dir, who);
  const port = await freePort();
  const socket = join(dir, 'mysqld.sock');
  const args = ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socket}`, `--pid-file=${join(dir, 'mysqld.pid')}`, '--skip-name-resolve', '--innodb-buffer-pool-size=16M', '--skip-log-bin', ...user];
  if (cert) args.push(`--ssl-cert=${cert.certFile}`, `--ssl-key=${cert.keyFile}`);
  let log = '';
  const child = spawn('/usr/sbin/mariadbd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => (log += d));
  await waitForPort(port, child, 'mariadbd', () => log);
  // The TCP port can open a moment before the socket accepts: retry until the server is really ready.
  let root!: Awaited<ReturnType<typeof mysql.createConnection>>;
  await waitFor(async () => {
    try {
      root = await mysql.createConnection({ socketPath: socket, user: 'root', password: '' });
      return true;
    } catch {
      if (child.exitCode !== null) throw new Error(`mariadbd exited: ${log}`);
      return false;
    }
  }, 30_000);
  try {
    await root.query('CREATE DATABASE IF NOT EXISTS test');
    await root.query(`CREATE USER '${PROBE_USER}'@'%' IDENTIFIED BY '${PROBE_PASSWORD}'`);
    await root.query(`GRANT ALL ON test.* TO '${PROBE_USER}'@'%'`);
    if (cert) {
      await root.query(`CREATE USER 'anton_tls'@'%' IDENTIFIED BY '${PROBE_PASSWORD}' REQUIRE SSL`);
      await root.query(`GRANT ALL ON test.* TO 'anton_tls'@'%'`);
    }
  } finally {
    await root.end();
  }
  return { host: '127.0.0.1', port, cert: cert?.cert, stop: stopper(child, dir) };
}

/** A private redis-server with `requirepass PROBE_PASSWORD`, no persistence. */
export async function startRedis(): Promise<Throwaway> {
  const dir = mkdtempSync(join(tmpdir(), 'anton-redis-'));
  const port = await freePort();
  let log = '';
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', PROBE_PASSWORD, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', (e) => (log += `${e.message} (install redis-server: scripts/ci-services.sh)`));
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await waitForPort(port, child, 'redis-server', () => log);
  return { host: '127.0.0.1', port, stop: stopper(child, dir) };
}
