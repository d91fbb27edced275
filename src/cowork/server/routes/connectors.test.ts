import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppWithStub, startTestApp, type TestApp } from '../../../testing/test-app.js';
import { postJson, readSse } from '../../../testing/sse-client.js';

async function call(ta: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}

const REFERENCE_A = JSON.parse(readFileSync(new URL('../services/connectors.reference-a.json', import.meta.url), 'utf8')) as Record<string, Record<string, string[]>>;

test('connectors: list, get, match, save into the encrypted vault (no plaintext on disk), datasources view and delete', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const list = (await call(ta, 'GET', '/v1/connectors')).body.connectors;
  assert.ok(list.length >= 243);
  for (const k of ['id', 'label', 'description', 'category', 'logo', 'logo_color', 'logo_url', 'aliases', 'featured']) assert.ok(k in list[0], k);
  assert.equal(list.find((c: { id: string }) => c.id === 'sqlite').logo_url, null, 'no logo shipped: the client falls back to the icon');
  assert.deepEqual((await call(ta, 'GET', '/v1/connectors/postgres')).body.form.methods.map((m: { id: string }) => m.id), ['connection-string', 'host-port']);
  assert.deepEqual((await call(ta, 'GET', '/v1/connectors/nope')).body, { detail: 'Connector not found', code: 'not_found' });
  const match = (await call(ta, 'POST', '/v1/connectors/match', { query: 'my crm' })).body;
  assert.equal(match.needs_clarification, true);
  assert.equal(match.question, 'Which one did you mean?');
  assert.equal((await call(ta, 'POST', '/v1/connectors/match', { query: 'x', max_candidates: 9 })).status, 422);

  assert.deepEqual((await call(ta, 'POST', '/v1/connectors/postgres/save', { values: {} })).body, { detail: 'method is required for this connector', code: 'bad_input' });
  assert.deepEqual((await call(ta, 'POST', '/v1/connectors/postgres/save', { method: 'host-port', values: { host: 'h' } })).body, { detail: 'Missing required fields: database, username, password', code: 'bad_input' });
  const saved = await call(ta, 'POST', '/v1/connectors/postgres/save', { method: 'host-port', name: 'prod', values: { host: 'db.internal', database: 'app', username: 'svc', password: 'Sup3r-Secret-pw' } });
  assert.deepEqual(saved.body, { status: 'ok', engine: 'postgres', name: 'prod', method: 'host-port', label: 'PostgreSQL' });
  const vaultDir = join(ta.ctx.paths.coworkStateDir, 'vault');
  for (const f of readdirSync(vaultDir)) assert.ok(!readFileSync(join(vaultDir, f), 'utf8').includes('Sup3r-Secret-pw'), 'grep finds no secret');
  const rec = (await call(ta, 'GET', '/v1/datasources/postgres/prod')).body;
  assert.equal(rec.fields.password, '__anton_vault_keep__');
  assert.equal(rec.fields.host, 'db.internal');
  assert.ok(rec.secureKeys.includes('password'));
  // modify flow: the sentinel keeps the stored secret
  await call(ta, 'POST', '/v1/datasources', { engine: 'postgres', name: 'prod', authMethod: 'host-port', credentials: { ...rec.fields, host: 'db2.internal' } });
  assert.equal(ta.ctx.vault.get('postgres', 'prod')!.fields.password, 'Sup3r-Secret-pw');
  assert.equal(ta.ctx.vault.get('postgres', 'prod')!.fields.host, 'db2.internal');
  assert.deepEqual((await call(ta, 'DELETE', '/v1/datasources/postgres/prod')).body, { status: 'ok', deleted: { engine: 'postgres', name: 'prod' } });
  assert.equal((await call(ta, 'DELETE', '/v1/datasources/postgres/prod')).status, 404);
});

test('datasources have the reference shapes: registry engines, nameFrom string or list, field objects, 400 for an unknown engine', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const ds = (await call(ta, 'GET', '/v1/datasources')).body;
  const engines = ds.engines.map((e: { engine: string }) => e.engine);
  assert.ok(engines.length >= 20 && engines.length < 40, `registry engines only, not the whole catalogue (${engines.length})`);
  for (const e of ['postgres', 'mysql', 'snowflake', 'bigquery', 'mssql', 'redshift', 'databricks', 'mariadb', 'oracle_database', 'salesforce', 'gmail']) assert.ok(engines.includes(e), e);
  const pg = ds.engines.find((e: { engine: string }) => e.engine === 'postgres');
  assert.deepEqual(pg.nameFrom, ['host', 'database']);
  assert.equal(ds.engines.find((e: { engine: string }) => e.engine === 'bigquery').nameFrom, 'project_id');
  assert.equal(pg.authMethodMode, 'choice');
  const hostPort = pg.authMethods.find((m: { name: string }) => m.name === 'host-port');
  assert.deepEqual(hostPort.fields.find((f: { name: string }) => f.name === 'password'), { name: 'password', required: true, secret: true, description: hostPort.fields.find((f: { name: string }) => f.name === 'password').description, default: '' });
  const v = (await call(ta, 'POST', '/v1/datasources/validate', { engine: 'postgres', authMethod: 'host-port', credentials: { host: 'x' } })).body;
  assert.equal(v.status, 'missing_fields');
  assert.deepEqual(v.missingFields, ['database', 'username', 'password']);
  assert.deepEqual(Object.keys(v.fields[0]).sort(), ['default', 'description', 'name', 'required', 'secret']);
  assert.deepEqual((await call(ta, 'POST', '/v1/datasources/validate', { engine: 'nope' })), { status: 400, body: { detail: 'Unknown datasource engine: nope', code: 'bad_input' } });
  assert.deepEqual((await call(ta, 'POST', '/v1/datasources', { engine: 'nope', credentials: { a: 'b' } })), { status: 400, body: { detail: 'Unknown datasource engine: nope', code: 'bad_input' } });
  assert.equal((await call(ta, 'POST', '/v1/datasources', { engine: 'postgres', authMethod: 'bogus', credentials: { a: 'b' } })).body.detail, 'Unknown auth method for postgres: bogus');
  // a default name derived from nameFrom; a registry alias engine keeps its own name in the vault
  const saved = (await call(ta, 'POST', '/v1/datasources', { engine: 'oracle_database', authMethod: 'service-name', credentials: { host: 'ora.internal', port: '1521', service_name: 'ORCLPDB1', username: 'u', password: 'p-secret-1' } })).body;
  assert.deepEqual(saved, { status: 'ok', slug: 'oracle_database-ora.internal_ORCLPDB1', engine: 'oracle_database', name: 'ora.internal_ORCLPDB1' });
  assert.equal((await call(ta, 'GET', '/v1/datasources')).body.connections[0].displayName, 'Oracle Database — ora.internal_ORCLPDB1');
});

test("saving a connection for every reference id, with the reference's method id and required field names, answers 200", async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const failures: string[] = [];
  let saved = 0;
  for (const [id, methods] of Object.entries(REFERENCE_A)) {
    for (const [method, required] of Object.entries(methods)) {
      const values = Object.fromEntries((required.length ? required : ['note']).map((n) => [n, `${n}-value`]));
      const r = await call(ta, 'POST', `/v1/connectors/${id}/save`, { method, name: `ref-${method}`, values });
      if (r.status !== 200) failures.push(`${id}/${method}: ${r.status} ${JSON.stringify(r.body)}`);
      else saved++;
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(saved, Object.values(REFERENCE_A).reduce((n, ms) => n + Object.keys(ms).length, 0));
  assert.equal(saved, 377);
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
