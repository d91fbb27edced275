import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorSchema, engineRuleErrors } from './connector-schema.js';
import { CONNECTORS_DIR, connectors, matchConnectors } from './connectors.js';

/** Reference catalogue A: every connector id, its method ids and their required field names (facts, extracted once). */
const REFERENCE_A = JSON.parse(readFileSync(new URL('./connectors.reference-a.json', import.meta.url), 'utf8')) as Record<string, Record<string, string[]>>;

test('every connector file satisfies the catalogue schema and the per-engine rules (default ports, essentials)', () => {
  const files = readdirSync(CONNECTORS_DIR).filter((f) => f.endsWith('.json'));
  const errors: string[] = [];
  for (const f of files) {
    const raw = JSON.parse(readFileSync(join(CONNECTORS_DIR, f), 'utf8'));
    const r = ConnectorSchema.safeParse(raw);
    if (!r.success) errors.push(...r.error.issues.slice(0, 3).map((i) => `${f}: ${i.path.join('.')} ${i.message}`));
    else errors.push(...engineRuleErrors(r.data));
    if (raw.id !== f.slice(0, -5)) errors.push(`${f}: id ${raw.id} differs from the file name`);
  }
  assert.deepEqual(errors, []);
  assert.equal(connectors().size, files.length);
});

test('the per-engine rules catch a wrong default port and a missing essential', () => {
  const redshift = JSON.parse(readFileSync(join(CONNECTORS_DIR, 'redshift.json'), 'utf8'));
  redshift.form.methods[0].fields.find((f: { name: string }) => f.name === 'port').default = '5432';
  assert.deepEqual(engineRuleErrors(redshift), ['redshift/cluster-credentials: port default 5432 should be 5439']);
  const cassandra = JSON.parse(readFileSync(join(CONNECTORS_DIR, 'cassandra.json'), 'utf8'));
  for (const m of cassandra.form.methods) m.fields = m.fields.filter((f: { name: string }) => f.name !== 'keyspace');
  assert.deepEqual(engineRuleErrors(cassandra), ['cassandra: the form must ask for contact points and keyspace']);
  const pg = JSON.parse(readFileSync(join(CONNECTORS_DIR, 'postgres.json'), 'utf8'));
  pg.form.methods[1].fields.find((f: { name: string }) => f.name === 'password').required = false;
  assert.deepEqual(engineRuleErrors(pg), ['postgres/host-port: password must be required']);
});

test("the catalogue holds every id of the reference (A), with the reference's method ids and required field names", () => {
  const all = connectors();
  const missing = Object.keys(REFERENCE_A).filter((id) => !all.has(id));
  assert.deepEqual(missing, [], 'ids of A missing from the catalogue');
  assert.ok(Object.keys(REFERENCE_A).length === 238);
  const diffs: string[] = [];
  for (const [id, methods] of Object.entries(REFERENCE_A)) {
    const ours = all.get(id)!.form.methods;
    for (const [mid, required] of Object.entries(methods)) {
      const m = ours.find((x) => x.id === mid);
      if (!m) diffs.push(`${id}: no method ${mid}`);
      else {
        const req = m.fields.filter((f) => f.required).map((f) => f.name);
        if (req.join() !== required.join()) diffs.push(`${id}/${mid}: required ${req.join()} vs ${required.join()}`);
      }
    }
  }
  assert.deepEqual(diffs, []);
});

test('presentation: a brand colour per connector, the 12 featured ones, logo_url only for logos the client ships', () => {
  const all = [...connectors().values()];
  assert.equal(all.filter((c) => c.featured).length, 12);
  assert.equal(connectors().get('gmail')!.logo_color, '#EA4335');
  assert.notEqual(connectors().get('gmail')!.logo_color, connectors().get('slack')!.logo_color);
  for (const id of ['sqlite', 'custom_rest_api', 'bigcommerce', 'shopify', 'woocommerce']) assert.equal(connectors().get(id)!.logo_url, null, id);
  assert.equal(connectors().get('airtable')!.logo_url, 'logos/airtable.svg');
  const colours = new Set(all.map((c) => c.logo_color));
  assert.ok(colours.size > all.length * 0.7, `${colours.size} distinct colours for ${all.length} connectors`);
});

test('the wrong forms of old are fixed: Redshift 5439, CockroachDB 26257, Cassandra, Sage Intacct, Google Ads, InfluxDB', () => {
  const field = (id: string, mid: string, name: string) => connectors().get(id)!.form.methods.find((m) => m.id === mid)!.fields.find((f) => f.name === name);
  assert.equal(field('redshift', 'cluster-credentials', 'port')!.default, '5439');
  assert.equal(field('cockroachdb', 'host-port-credentials', 'port')!.default, '26257');
  assert.ok(field('cassandra', 'credentials', 'contact_points')!.required && field('cassandra', 'credentials', 'keyspace')!.required);
  assert.ok(field('sage_intacct', 'xml-web-services-credentials', 'sender_id') && field('sage_intacct', 'xml-web-services-credentials', 'company_id'));
  assert.ok(field('google_ads', 'oauth-byok', 'developer_token')!.secret && field('google_ads', 'oauth-byok', 'login_customer_id'));
  assert.ok(field('influxdb', 'api-token', 'organization') && field('influxdb', 'api-token', 'bucket'));
  assert.equal(field('postgres', 'host-port', 'password')!.required, true);
});

test('matching: exact ids and aliases, ranked natural-language lookups, no match', () => {
  assert.deepEqual(matchConnectors('postgresql'), { stage: 'exact', candidates: [{ id: 'postgres', confidence: 1 }] });
  assert.deepEqual(matchConnectors('Google Mail').candidates[0].id, 'gmail');
  assert.equal(matchConnectors('pipedrive deals please').candidates[0].id, 'pipedrive');
  const crm = matchConnectors('my crm', 3);
  assert.equal(crm.stage, 'scored-multi');
  assert.equal(crm.candidates.length, 3);
  assert.deepEqual(matchConnectors('zzzz qqqq'), { stage: 'no-match', candidates: [] });
});

test('connectors/ is exactly what scripts/generate-connectors.mjs produces from its sources (no hand edits)', () => {
  const r = spawnSync(process.execPath, [join(CONNECTORS_DIR, '..', 'scripts', 'generate-connectors.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
