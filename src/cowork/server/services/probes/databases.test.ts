import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PROBE_PASSWORD, PROBE_USER, freePort, startMariadb, startPostgres, startRedis } from '../../../../testing/databases.js';
import { startTestApp } from '../../../../testing/test-app.js';
import { connectors } from '../connectors.js';
import { runProbe } from '../probes.js';

const probeOf = (id: string, method: string) => connectors().get(id)!.form.methods.find((m) => m.id === method)!.probe!;
const short = (r: { ok: boolean; field?: string }) => [r.ok, r.field];

test('PostgreSQL over TLS (self-signed certificate): sslmode disable / prefer / require / verify-ca / verify-full, and the password really checked', async (t) => {
  const pg = await startPostgres({ tls: true });
  t.after(() => pg.stop());
  const base = { host: 'localhost', port: String(pg.port), database: 'test', username: PROBE_USER, password: PROBE_PASSWORD };
  const probe = probeOf('postgres', 'host-port');
  const run = (extra: Record<string, string>) => runProbe(probe, { ...base, ...extra });

  const disable = await run({ ssl_mode: 'disable' });
  assert.equal(disable.ok, true, disable.message);
  assert.match(disable.message, /Connected to test as anton_probe .*no TLS/);
  assert.match((await run({ ssl_mode: 'prefer' })).message, /, TLS\)/, 'prefer tries TLS first');
  assert.match((await run({ ssl_enabled: 'true' })).message, /, TLS\)/, 'the reference form\'s "Require SSL" toggle means require');
  assert.match((await run({ ssl_mode: 'require' })).message, /, TLS\)/, 'require encrypts without verifying');
  const noCa = await run({ ssl_mode: 'verify-full' });
  assert.deepEqual(short(noCa), [false, 'ssl_mode'], noCa.message);
  assert.match(noCa.message, /TLS verification failed \(verify-full\)/);
  const full = await run({ ssl_mode: 'verify-full', ssl_root_cert: pg.cert! });
  assert.equal(full.ok, true, full.message);
  assert.equal((await run({ ssl_mode: 'verify-ca', ssl_root_cert: pg.cert!, host: '127.0.0.1' })).ok, true);
  assert.deepEqual(short(await run({ ssl_mode: 'require', password: 'wrong' })), [false, 'password']);
  assert.deepEqual(short(await run({ ssl_mode: 'require', database: 'missing_db_xyz' })), [false, 'database']);

  // The connection-string method: the URI's sslmode and sslrootcert (a file) are honoured the same way.
  const dir = mkdtempSync(join(tmpdir(), 'anton-ca-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'root.crt'), pg.cert!);
  const uri = (q: string) => ({ connection_uri: `postgresql://${PROBE_USER}:${PROBE_PASSWORD}@localhost:${pg.port}/test?${q}` });
  const viaUri = await runProbe(probeOf('postgres', 'connection-string'), uri(`sslmode=verify-full&sslrootcert=${join(dir, 'root.crt')}`));
  assert.equal(viaUri.ok, true, viaUri.message);
  const badUri = await runProbe(probeOf('postgres', 'connection-string'), { connection_uri: `postgresql://${PROBE_USER}:nope@localhost:${pg.port}/test?sslmode=require` });
  assert.deepEqual(short(badUri), [false, 'connection_uri']);
  assert.doesNotMatch(badUri.message, /nope/);
});

test('PostgreSQL without TLS: prefer falls back to plaintext, require says the server offers no TLS; through the HTTP API', async (t) => {
  const pg = await startPostgres({ tls: false });
  t.after(() => pg.stop());
  const ta = await startTestApp();
  t.after(() => ta.close());
  const values = { host: pg.host, port: String(pg.port), database: 'test', username: PROBE_USER, password: PROBE_PASSWORD };
  const test_ = async (id: string, method: string, v: Record<string, string>) => (await ta.app.inject({ method: 'POST', url: `/v1/connectors/${id}/test`, payload: { method, values: v } })).json();
  const prefer = await test_('postgres', 'host-port', { ...values, ssl_mode: 'prefer' });
  assert.equal(prefer.ok, true, prefer.message);
  assert.match(prefer.message, /no TLS/);
  const require_ = await test_('postgres', 'host-port', { ...values, ssl_mode: 'require' });
  assert.deepEqual([require_.ok, require_.field], [false, 'ssl_mode']);
  assert.match(require_.message, /does not offer TLS/);
  // The PostgreSQL-compatible family shares the probe: CockroachDB's and Redshift's forms reach the same server.
  assert.equal((await test_('cockroachdb', 'host-port-credentials', { ...values, ssl_mode: 'disable' })).ok, true);
  assert.equal((await test_('redshift', 'cluster-credentials', { ...values, ssl: 'false' })).ok, true);
  assert.equal((await test_('neon', 'connection-string', { connection_string: `postgres://${PROBE_USER}:${PROBE_PASSWORD}@127.0.0.1:${pg.port}/test?sslmode=prefer` })).ok, true);
  const port = await freePort();
  const down = await test_('postgres', 'host-port', { ...values, port: String(port), ssl_mode: 'disable' });
  assert.deepEqual([down.ok, down.field], [false, 'host']);
  assert.match(down.message, /Could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  const live = (await ta.app.inject({ method: 'POST', url: '/v1/datasources/validate', payload: { engine: 'postgres', authMethod: 'host-port', credentials: { ...values, password: 'wrong', ssl_mode: 'disable' }, live: true } })).json();
  assert.deepEqual([live.status, live.liveTest, live.field], ['failed', 'failed', 'password']);
});

test('MariaDB with TLS: plaintext, TLS verified against the given CA, an untrusted certificate refused, wrong password, connection URL', async (t) => {
  const maria = await startMariadb({ tls: true });
  t.after(() => maria.stop());
  const base = { host: 'localhost', port: String(maria.port), database: 'test', username: PROBE_USER, password: PROBE_PASSWORD };
  const probe = probeOf('mariadb', 'host-password');
  const plain = await runProbe(probe, { ...base, use_ssl: 'false' });
  assert.equal(plain.ok, true, plain.message);
  assert.match(plain.message, /no TLS/);
  const tls = await runProbe(probeOf('mysql', 'host-password'), { ...base, use_ssl: 'true', ssl_ca_cert: maria.cert! });
  assert.equal(tls.ok, true, tls.message);
  assert.match(tls.message, /, TLS\)/);
  const onlyTls = await runProbe(probe, { ...base, username: 'anton_tls', use_ssl: 'true', ssl_ca_cert: maria.cert! });
  assert.equal(onlyTls.ok, true, onlyTls.message);
  assert.deepEqual(short(await runProbe(probe, { ...base, username: 'anton_tls', use_ssl: 'false' })), [false, 'password'], 'a REQUIRE SSL account is refused in plaintext');
  const untrusted = await runProbe(probeOf('planetscale', 'connection-credentials'), { ...base, ssl_enabled: 'true' });
  assert.deepEqual(short(untrusted), [false, 'ssl_enabled']);
  assert.match(untrusted.message, /TLS verification failed/);
  assert.deepEqual(short(await runProbe(probe, { ...base, use_ssl: 'false', password: 'nope' })), [false, 'password']);
  const url = await runProbe(probeOf('mysql', 'connection-string'), { connection_string: `mysql://${PROBE_USER}:${PROBE_PASSWORD}@127.0.0.1:${maria.port}/test` });
  assert.equal(url.ok, true, url.message);
});

test('Redis (redis-server with requirepass): right password, wrong one, none, and a redis:// URL', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const probe = probeOf('redis', 'manual');
  const good = await runProbe(probe, { host: redis.host, port: String(redis.port), password: PROBE_PASSWORD, database: '0' });
  assert.equal(good.ok, true, good.message);
  assert.match(good.message, /PONG, Redis \d/);
  assert.deepEqual(short(await runProbe(probe, { host: redis.host, port: String(redis.port), password: 'wrong' })), [false, 'password']);
  const none = await runProbe(probe, { host: redis.host, port: String(redis.port) });
  assert.deepEqual(short(none), [false, 'password']);
  assert.match(none.message, /needs a password/);
  const url = await runProbe(probeOf('redis', 'connection-string'), { connection_string: `redis://:${PROBE_PASSWORD}@127.0.0.1:${redis.port}/0` });
  assert.equal(url.ok, true, url.message);
  const badUrl = await runProbe(probeOf('upstash', 'redis-connection-string'), { connection_string: `redis://:bad-pass@127.0.0.1:${redis.port}` });
  assert.deepEqual(short(badUrl), [false, 'connection_string']);
  assert.doesNotMatch(badUrl.message, /bad-pass/);
});

test('SQLite: a real file opens read-only and counts its tables; garbage names the path field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'anton-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sales.db');
  const db = new Database(file);
  db.exec('CREATE TABLE sales (region TEXT, amount REAL)');
  db.close();
  assert.match((await runProbe(probeOf('sqlite', 'file'), { path: file })).message, /1 tables/);
  writeFileSync(join(dir, 'not.db'), 'garbage that is not sqlite at all.......');
  assert.deepEqual(short(await runProbe(probeOf('sqlite', 'file'), { path: join(dir, 'not.db') })), [false, 'path']);
});
