import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAppWithStub, startTestApp, type TestApp } from '../../../testing/test-app.js';
import { MARIA, PG, PROBE_PASSWORD, PROBE_USER, ensureMariaUser, ensurePgPasswordRole } from '../../../testing/databases.js';
import { postJson, readSse } from '../../../testing/sse-client.js';

async function call(ta: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}

test('connectors: list, get, match, save into the encrypted vault (no plaintext on disk), datasources view and delete', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const list = (await call(ta, 'GET', '/v1/connectors')).body.connectors;
  assert.ok(list.length >= 150);
  for (const k of ['id', 'label', 'description', 'category', 'logo', 'logo_color', 'logo_url', 'aliases', 'featured']) assert.ok(k in list[0], k);
  assert.equal((await call(ta, 'GET', '/v1/connectors/postgres')).body.form.methods[0].id, 'host-port');
  assert.deepEqual((await call(ta, 'GET', '/v1/connectors/nope')).body, { detail: 'Connector not found' });
  const match = (await call(ta, 'POST', '/v1/connectors/match', { query: 'my crm' })).body;
  assert.equal(match.needs_clarification, true);
  assert.equal(match.question, 'Which one did you mean?');
  assert.equal((await call(ta, 'POST', '/v1/connectors/match', { query: 'x', max_candidates: 9 })).status, 422);

  assert.deepEqual((await call(ta, 'POST', '/v1/connectors/postgres/save', { values: {} })).body, { detail: 'method is required for this connector' });
  assert.deepEqual((await call(ta, 'POST', '/v1/connectors/postgres/save', { method: 'host-port', values: { host: 'h' } })).body, { detail: 'Missing required fields: database, user' });
  const saved = await call(ta, 'POST', '/v1/connectors/postgres/save', { method: 'host-port', name: 'prod', values: { host: 'db.internal', database: 'app', user: 'svc', password: 'Sup3r-Secret-pw' } });
  assert.deepEqual(saved.body, { status: 'ok', engine: 'postgres', name: 'prod', method: 'host-port', label: 'PostgreSQL' });
  const vaultDir = join(ta.ctx.paths.coworkStateDir, 'vault');
  for (const f of readdirSync(vaultDir)) assert.ok(!readFileSync(join(vaultDir, f), 'utf8').includes('Sup3r-Secret-pw'), 'grep finds no secret');
  const ds = (await call(ta, 'GET', '/v1/datasources')).body;
  assert.deepEqual(ds.connections.map((c: { engine: string; name: string }) => [c.engine, c.name]), [['postgres', 'prod']]);
  assert.ok(ds.engines.length >= 150);
  const rec = (await call(ta, 'GET', '/v1/datasources/postgres/prod')).body;
  assert.equal(rec.fields.password, '__anton_vault_keep__');
  assert.equal(rec.fields.host, 'db.internal');
  assert.ok(rec.secureKeys.includes('password'));
  // modify flow: the sentinel keeps the stored secret
  await call(ta, 'POST', '/v1/datasources', { engine: 'postgres', name: 'prod', credentials: { ...rec.fields, host: 'db2.internal' } });
  assert.equal(ta.ctx.vault.get('postgres', 'prod')!.fields.password, 'Sup3r-Secret-pw');
  assert.equal(ta.ctx.vault.get('postgres', 'prod')!.fields.host, 'db2.internal');
  const v = (await call(ta, 'POST', '/v1/datasources/validate', { engine: 'postgres', credentials: { host: 'x' } })).body;
  assert.equal(v.status, 'missing_fields');
  assert.deepEqual(v.missingFields, ['database', 'user']);
  assert.equal((await call(ta, 'POST', '/v1/datasources/validate', { engine: 'nope' })).body.detail, 'Unknown datasource engine: nope');
  assert.deepEqual((await call(ta, 'DELETE', '/v1/datasources/postgres/prod')).body, { status: 'ok', deleted: { engine: 'postgres', name: 'prod' } });
  assert.equal((await call(ta, 'DELETE', '/v1/datasources/postgres/prod')).status, 404);
});

test('live probe of the local PostgreSQL: right password succeeds, wrong password fails naming the field', async (t) => {
  await ensurePgPasswordRole();
  const ta = await startTestApp();
  t.after(() => ta.close());
  const base = { host: PG.host, port: String(PG.port), database: PG.database, user: PROBE_USER };
  const good = (await call(ta, 'POST', '/v1/connectors/postgres/test', { method: 'host-port', values: { ...base, password: PROBE_PASSWORD } })).body;
  assert.equal(good.ok, true, good.message);
  assert.match(good.message, /Connected to test/);
  const bad = (await call(ta, 'POST', '/v1/connectors/postgres/test', { method: 'host-port', values: { ...base, password: 'wrong' } })).body;
  assert.deepEqual([bad.ok, bad.field], [false, 'password']);
  const noDb = (await call(ta, 'POST', '/v1/connectors/postgres/test', { method: 'host-port', values: { ...base, password: PROBE_PASSWORD, database: 'missing_db_xyz' } })).body;
  assert.deepEqual([noDb.ok, noDb.field], [false, 'database']);
  const down = (await call(ta, 'POST', '/v1/connectors/postgres/test', { method: 'host-port', values: { ...base, port: '9', password: 'x' } })).body;
  assert.deepEqual([down.ok, down.field], [false, 'host']);
  const uri = (await call(ta, 'POST', '/v1/connectors/postgres/test', { method: 'connection-string', values: { connection_string: `postgresql://${PROBE_USER}:${PROBE_PASSWORD}@${PG.host}:${PG.port}/test` } })).body;
  assert.equal(uri.ok, true, uri.message);
  const live = (await call(ta, 'POST', '/v1/datasources/validate', { engine: 'postgres', credentials: { ...base, password: 'wrong' }, live: true })).body;
  assert.deepEqual([live.status, live.liveTest, live.field], ['failed', 'failed', 'password']);
});

test('live probes of the local MariaDB (MySQL protocol), a SQLite file, and an HTTP API key check', async (t) => {
  await ensureMariaUser();
  const ta = await startTestApp();
  t.after(() => ta.close());
  const base = { host: MARIA.host, port: String(MARIA.port), database: 'test', user: PROBE_USER };
  const good = (await call(ta, 'POST', '/v1/connectors/mariadb/test', { method: 'host-port', values: { ...base, password: PROBE_PASSWORD } })).body;
  assert.equal(good.ok, true, good.message);
  const bad = (await call(ta, 'POST', '/v1/connectors/mysql/test', { method: 'host-port', values: { ...base, password: 'nope' } })).body;
  assert.deepEqual([bad.ok, bad.field], [false, 'password']);

  mkdirSync(join(ta.home, 'data'));
  const file = join(ta.home, 'data', 'sales.db');
  const db = new Database(file);
  db.exec('CREATE TABLE sales (region TEXT, amount REAL)');
  db.close();
  assert.match((await call(ta, 'POST', '/v1/connectors/sqlite/test', { method: 'file', values: { path: file } })).body.message, /1 tables/);
  writeFileSync(join(ta.home, 'data', 'not.db'), 'garbage that is not sqlite at all.......');
  assert.equal((await call(ta, 'POST', '/v1/connectors/sqlite/test', { method: 'file', values: { path: join(ta.home, 'data', 'not.db') } })).body.field, 'path');

  const api = createServer((req, res) => res.writeHead(req.headers.authorization === 'Bearer good-token' ? 200 : 401).end('{}'));
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  t.after(() => api.close());
  const url = `http://127.0.0.1:${(api.address() as { port: number }).port}/me`;
  assert.equal((await call(ta, 'POST', '/v1/connectors/custom_rest_api/test', { method: 'bearer', values: { base_url: url, api_key: 'good-token' } })).body.ok, true);
  const denied = (await call(ta, 'POST', '/v1/connectors/custom_rest_api/test', { method: 'bearer', values: { base_url: url, api_key: 'bad' } })).body;
  assert.deepEqual([denied.ok, denied.field], [false, 'api_key']);
  assert.equal((await call(ta, 'POST', '/v1/connectors/jira/test', { method: 'api-token', values: {} })).status, 422, 'no live test declared');
});

test('credentials reach only their own conversation kernel as DS_* variables (muted ones never) and are scrubbed from tool output', async (t) => {
  const { ta, stub } = await startAppWithStub(t);
  ta.ctx.vault.save('postgres', 'prod', { host: 'h', password: 'pw-prod-123456' }, ['password']);
  ta.ctx.vault.save('mysql', 'muted', { host: 'h', password: 'pw-muted-123456' }, ['password']);
  const code = 'import os\nprint(sorted(k for k in os.environ if k.startswith("DS_")))\nprint(os.environ.get("DS_POSTGRES_PROD__PASSWORD"))';
  stub.enqueue({ toolCalls: [{ name: 'scratchpad', input: { action: 'exec', name: 'main', code } }] }, { text: 'done' });
  await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'show env', disabled_connections: [{ engine: 'mysql', name: 'muted' }] }));
  const toolResult = JSON.stringify((stub.requests[1].body.messages as unknown[])[2]);
  assert.match(toolResult, /DS_POSTGRES_PROD__HOST/);
  assert.doesNotMatch(toolResult, /DS_MYSQL_MUTED/, 'a muted connection is not injected');
  assert.doesNotMatch(toolResult, /pw-prod-123456/, 'secret values are scrubbed before the model sees them');
  assert.match(toolResult, /\[DS_POSTGRES_PROD__PASSWORD\]/);
});

test('first boot imports the reference plaintext vault, leaving the source files untouched; a second boot changes nothing', async (t) => {
  const { makeTempHome } = await import('../../../testing/temp-home.js');
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  mkdirSync(join(home, '.anton', 'data_vault'), { recursive: true });
  const src = join(home, '.anton', 'data_vault', 'postgres-legacy');
  const original = JSON.stringify({ engine: 'postgres', name: 'legacy', created_at: 'x', updated_at: 'x', fields: { host: 'old-host', password: 'old-pw-secret' }, secure_keys: ['password'] });
  writeFileSync(src, original);
  writeFileSync(join(home, '.anton', 'data_vault', 'broken'), 'not json');
  const first = await startTestApp({ home });
  assert.equal(first.ctx.vault.get('postgres', 'legacy')!.fields.password, 'old-pw-secret');
  await first.app.close();
  assert.equal(readFileSync(src, 'utf8'), original, 'source file untouched');
  const second = await startTestApp({ home });
  assert.equal(second.ctx.vault.list().length, 1);
  await second.app.close();
});
