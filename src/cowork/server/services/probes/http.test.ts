import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connectors, type ProbeSpec } from '../connectors.js';
import { runProbe } from '../probes.js';
import { freePort } from '../../../../testing/databases.js';

/**
 * Loopback stand-ins for vendor APIs, each checking the credential the way the vendor does (bearer tokens, basic
 * auth, GraphQL over POST, SigV4 signatures, signed JWTs). The probes run from the shipped connector JSON; probes
 * with a fixed vendor host are pointed at the loopback origin, everything else (method, headers, body, checks) is
 * exactly what ships.
 */
const probeOf = (id: string, method: string) => connectors().get(id)!.form.methods.find((m) => m.id === method)!.probe!;
const atLoopback = (p: ProbeSpec, origin: string): ProbeSpec => ({ ...p, url: String(p.url).replace(/^https:\/\/[^/]+/, origin) });
const short = (r: { ok: boolean; field?: string }) => [r.ok, r.field];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** The server side of SigV4, written independently of the probe's signer: recompute and compare the signature. */
function sigV4Valid(req: IncomingMessage, body: string): boolean {
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m || m[1] !== 'AKIDEXAMPLE') return false;
  const [, , day, region, service, signed, signature] = m;
  const canonHeaders = signed.split(';').map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join('');
  const canonical = ['POST', req.url!.split('?')[0], '', canonHeaders, signed, sha256(body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date']), `${day}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${AWS_SECRET}`, day), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

function verifyJwt(jwt: string, publicKeyPem: string): Record<string, unknown> | null {
  const [h, p, s] = jwt.split('.');
  if (!s) return null;
  const good = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKeyPem, Buffer.from(s, 'base64url'));
  return good ? (JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>) : null;
}

const { privateKey: SF_KEY, publicKey: SF_PUB } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const SF_FP = `SHA256:${createHash('sha256').update(createPublicKey(SF_PUB).export({ type: 'spki', format: 'der' })).digest('base64')}`;

async function vendor() {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const json = (status: number, obj: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
      const auth = req.headers.authorization ?? '';
      const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
      seen.push(`${req.method} ${url.pathname}`);
      switch (url.pathname) {
        case '/graphql': // Linear: POST only; the API key goes in Authorization without "Bearer"
          if (req.method !== 'POST') return json(400, { errors: [{ message: 'GET query not supported' }] });
          if (auth !== 'lin_api_good') return json(400, { errors: [{ message: 'Authentication required, not authenticated' }] });
          return json(200, JSON.parse(body).query.includes('viewer') ? { data: { viewer: { id: 'u1', name: 'Ada' } } } : { errors: [{ message: 'bad query' }] });
        case '/api/auth.test': // Slack: always 200, ok:false for a bad token
          return json(200, auth === 'Bearer xoxb-good' ? { ok: true, user: 'anton' } : { ok: false, error: 'invalid_auth' });
        case '/v1/balance': // Stripe
          return json(auth === 'Bearer rk_test_good' ? 200 : 401, {});
        case '/api/v3/user': // GitHub Enterprise Server's API under the base URL; GitHub wants a User-Agent
          return json(auth === 'Bearer ghp_good' && req.headers['user-agent'] ? 200 : 401, { login: 'ada' });
        case '/api/v2/users/me.json': // Zendesk: "email/token:api_token"
          return basic === 'me@acme.com/token:zd-good' ? json(200, { user: { id: 7 } }) : json(401, { error: "Couldn't authenticate you" });
        case '/v2/getAccountDetails': // UptimeRobot: form body, 200 with stat fail
          return json(200, new URLSearchParams(body).get('api_key') === 'ur-good' ? { stat: 'ok' } : { stat: 'fail' });
        case '/v1/models': // OpenAI-compatible under a base URL
        case '/openai/v1/models':
          return json(auth === 'Bearer sk-good' ? 200 : 401, { data: [] });
        case '/': // ClickHouse over HTTP: 516 for a bad password; DynamoDB (SigV4) at an endpoint URL
          if (req.headers['x-amz-target']) return sigV4Valid(req, body) ? json(200, { TableNames: [] }) : json(400, { __type: 'com.amazon.coral.service#InvalidSignatureException', message: 'bad signature' });
          if (url.searchParams.get('query') !== 'SELECT 1') return json(400, {});
          return req.headers['x-clickhouse-user'] === 'default' && req.headers['x-clickhouse-key'] === 'ch-good' ? res.writeHead(200).end('1\n') : res.writeHead(516).end('Code: 516. DB::Exception: default: Authentication failed');
        case '/session/v1/login-request': { // Snowflake: password or a key-pair JWT signed with the registered key
          const d = JSON.parse(body).data as Record<string, string>;
          const jwtOk = d.AUTHENTICATOR === 'SNOWFLAKE_JWT' && verifyJwt(d.TOKEN, SF_PUB)?.iss === `${d.ACCOUNT_NAME}.ANALYST.${SF_FP}`;
          if (d.LOGIN_NAME === 'analyst' && (d.PASSWORD === 'sf-good' || jwtOk)) return json(200, { success: true, data: { token: 'session-token' } });
          return json(200, { success: false, code: d.AUTHENTICATOR ? '390144' : '390100', message: d.AUTHENTICATOR ? 'JWT token is invalid.' : 'Incorrect username or password was specified.' });
        }
        case '/session':
          return json(200, { success: true });
        case '/db/neo4j/query/v2': // Neo4j Query API: basic auth, POST a statement
          return basic === 'neo4j:neo-good' && req.method === 'POST' && JSON.parse(body).statement ? json(202, { data: { fields: ['ok'], values: [[1]] } }) : json(401, { errors: [{ code: 'Neo.ClientError.Security.Unauthorized' }] });
        default:
          return json(404, { error: 'not found' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { origin, seen, close: () => new Promise((r) => server.close(r)) };
}

test('HTTP probes against loopback vendors: the right credential passes, a wrong one fails naming the secret field', async (t) => {
  const v = await vendor();
  t.after(() => v.close());
  const cases: [string, string, Record<string, string>, Record<string, string>, string][] = [
    ['linear', 'personal-api-key', { api_key: 'lin_api_good' }, { api_key: 'lin_api_bad' }, 'api_key'],
    ['slack', 'bot-token', { bot_token: 'xoxb-good' }, { bot_token: 'xoxb-bad' }, 'bot_token'],
    ['stripe', 'restricted-key', { restricted_key: 'rk_test_good', mode: 'test' }, { restricted_key: 'rk_test_bad', mode: 'test' }, 'restricted_key'],
    ['zendesk', 'api-token', { subdomain: 'acme', email: 'me@acme.com', api_token: 'zd-good' }, { subdomain: 'acme', email: 'me@acme.com', api_token: 'zd-bad' }, 'api_token'],
    ['uptimerobot', 'main-api-key', { api_key: 'ur-good' }, { api_key: 'ur-bad' }, 'api_key'],
  ];
  for (const [id, method, good, bad, field] of cases) {
    const p = atLoopback(probeOf(id, method), v.origin);
    const yes = await runProbe(p, good);
    assert.equal(yes.ok, true, `${id}: ${yes.message}`);
    const no = await runProbe(p, bad);
    assert.deepEqual(short(no), [false, field], `${id}: ${no.message}`);
    assert.ok(!no.message.includes(Object.values(bad).find((x) => x.includes('bad'))!), `${id}: the message never echoes the secret`);
  }
  assert.ok(v.seen.includes('POST /graphql') && !v.seen.includes('GET /graphql'), "Linear's GraphQL endpoint gets a POST");
});

test('probes under a user-given address: OpenAI-compatible base URL, ClickHouse HTTP (516), DynamoDB endpoint with a real SigV4 check', async (t) => {
  const v = await vendor();
  t.after(() => v.close());
  const port = new URL(v.origin).port;
  assert.equal((await runProbe(probeOf('github', 'classic-pat'), { access_token: 'ghp_good', base_url: v.origin })).ok, true);
  assert.deepEqual(short(await runProbe(probeOf('github', 'fine-grained-pat'), { access_token: 'ghp_bad', base_url: v.origin })), [false, 'access_token']);
  assert.equal((await runProbe(probeOf('openai', 'api-key'), { api_key: 'sk-good', base_url: `${v.origin}/openai/v1/` })).ok, true);
  assert.deepEqual(short(await runProbe(probeOf('openai', 'api-key'), { api_key: 'sk-bad', base_url: `${v.origin}/openai/v1` })), [false, 'api_key']);
  const ch = { host: '127.0.0.1', port, database: 'default', username: 'default', use_https: 'false' };
  assert.equal((await runProbe(probeOf('clickhouse', 'self-hosted'), { ...ch, password: 'ch-good' })).ok, true);
  assert.deepEqual(short(await runProbe(probeOf('clickhouse', 'self-hosted'), { ...ch, password: 'ch-bad' })), [false, 'password']);
  const aws = { access_key_id: 'AKIDEXAMPLE', region: 'eu-west-1', endpoint_url: v.origin };
  const signed = await runProbe(probeOf('dynamodb', 'access-key'), { ...aws, secret_access_key: AWS_SECRET });
  assert.equal(signed.ok, true, signed.message);
  const wrong = await runProbe(probeOf('dynamodb', 'access-key'), { ...aws, secret_access_key: 'not-the-secret' });
  assert.deepEqual(short(wrong), [false, 'secret_access_key']);
  assert.match(wrong.message, /does not match the key ID/);
  const closed = await freePort();
  const down = await runProbe(probeOf('openai', 'api-key'), { api_key: 'sk-good', base_url: `http://127.0.0.1:${closed}/v1` });
  assert.deepEqual(short(down), [false, 'base_url']);
  assert.match(down.message, /Could not reach 127\.0\.0\.1:\d+: ECONNREFUSED/);
});

test('Snowflake sign-in the way its drivers do: password and key-pair JWT checked by the loopback account', async (t) => {
  const v = await vendor();
  t.after(() => v.close());
  const base = { account_identifier: v.origin, username: 'analyst' };
  assert.equal((await runProbe(probeOf('snowflake', 'user-password'), { ...base, password: 'sf-good' })).ok, true);
  const bad = await runProbe(probeOf('snowflake', 'user-password'), { ...base, password: 'sf-bad' });
  assert.deepEqual(short(bad), [false, 'password']);
  assert.match(bad.message, /Incorrect username or password/);
  const kp = await runProbe(probeOf('snowflake', 'key-pair'), { ...base, private_key: SF_KEY });
  assert.equal(kp.ok, true, kp.message);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  assert.deepEqual(short(await runProbe(probeOf('snowflake', 'key-pair'), { ...base, private_key: other.privateKey })), [false, 'private_key']);
  assert.ok(v.seen.includes('POST /session'), 'the probe logs its session out');
});

test('Neo4j over its HTTP Query API, derived from the bolt URI', async (t) => {
  const v = await vendor();
  t.after(() => v.close());
  assert.equal((await runProbe(probeOf('neo4j', 'connection-uri'), { connection_uri: v.origin, username: 'neo4j', password: 'neo-good' })).ok, true);
  assert.deepEqual(short(await runProbe(probeOf('neo4j', 'connection-uri'), { connection_uri: v.origin, username: 'neo4j', password: 'neo-bad' })), [false, 'password']);
  const { neo4jHttpBase } = await import('./neo4j.js');
  assert.equal(neo4jHttpBase('neo4j+s://abc.databases.neo4j.io'), 'https://abc.databases.neo4j.io');
  assert.equal(neo4jHttpBase('bolt://db.internal:7687'), 'http://db.internal:7474');
});

test('Azure Cosmos DB master-key signature and NetSuite OAuth 1.0a signature, verified by loopback servers', async (t) => {
  const COSMOS_KEY = Buffer.from('cosmos-primary-key-bytes').toString('base64');
  const server = createServer((req, res) => {
    if (req.url === '/dbs') {
      const sig = decodeURIComponent(String(req.headers.authorization)).replace('type=master&ver=1.0&sig=', '');
      const expected = createHmac('sha256', Buffer.from(COSMOS_KEY, 'base64')).update(`get\ndbs\n\n${String(req.headers['x-ms-date']).toLowerCase()}\n\n`).digest('base64');
      return res.writeHead(sig === expected ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ Databases: [], _count: 0 }));
    }
    // NetSuite-style OAuth 1.0a: rebuild the signature base string from the header and compare.
    const h = String(req.headers.authorization);
    const params = Object.fromEntries([...h.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2])]));
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const pairs = Object.entries(params).filter(([k]) => k.startsWith('oauth_') && k !== 'oauth_signature').concat([...url.searchParams.entries()]).map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]).sort();
    const base = ['GET', encodeURIComponent(`${url.origin}${url.pathname}`), encodeURIComponent(pairs.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
    const expected = createHmac('sha256', 'csecret&tsecret').update(base).digest('base64');
    res.writeHead(params.oauth_signature === expected && params.realm === '1234567_SB1' ? 200 : 401).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  assert.equal((await runProbe(probeOf('azure_cosmos_db', 'account-key'), { account_endpoint: origin, primary_key: COSMOS_KEY })).ok, true);
  assert.deepEqual(short(await runProbe(probeOf('azure_cosmos_db', 'account-key'), { account_endpoint: origin, primary_key: Buffer.from('other').toString('base64') })), [false, 'primary_key']);
  const { oauth1Header } = await import('./netsuite.js');
  const sign = (secret: string) => oauth1Header({ method: 'GET', url: new URL(`${origin}/services/rest/record/v1/metadata-catalog?select=a b`), realm: '1234567_SB1', consumerKey: 'ck', consumerSecret: 'csecret', token: 'tk', tokenSecret: secret });
  assert.equal((await fetch(`${origin}/services/rest/record/v1/metadata-catalog?select=a%20b`, { headers: { Authorization: sign('tsecret') } })).status, 200);
  assert.equal((await fetch(`${origin}/services/rest/record/v1/metadata-catalog?select=a%20b`, { headers: { Authorization: sign('wrong') } })).status, 401);
});

test('custom REST API: bearer token and a named API-key header', async (t) => {
  const server = createServer((req, res) => res.writeHead(req.headers.authorization === 'Bearer good-token' || req.headers['x-team-key'] === 'good-key' ? 200 : 401).end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/me`;
  assert.equal((await runProbe(probeOf('custom_rest_api', 'bearer'), { base_url: url, api_key: 'good-token' })).ok, true);
  assert.deepEqual(short(await runProbe(probeOf('custom_rest_api', 'bearer'), { base_url: url, api_key: 'bad' })), [false, 'api_key']);
  assert.equal((await runProbe(probeOf('custom_rest_api', 'api-key-header'), { base_url: url, header_name: 'X-Team-Key', api_key: 'good-key' })).ok, true);
});

test('URL templates: a base URL goes in as is, form values are encoded (a subdomain cannot redirect the credential elsewhere)', async () => {
  const { fillUrl } = await import('./http.js');
  const zendesk = probeOf('zendesk', 'api-token') as never;
  assert.equal(fillUrl(zendesk, { subdomain: 'evil.com/steal?x=' }), 'https://evil.com%2Fsteal%3Fx%3D.zendesk.com/api/v2/users/me.json');
  assert.equal(fillUrl(probeOf('gitlab', 'personal-access-token') as never, { instance_url: 'https://git.example.com/' }), 'https://git.example.com/api/v4/user');
  assert.equal(fillUrl(probeOf('opsgenie', 'api-key') as never, { region: 'eu', api: 'api.eu.opsgenie.com' }), 'https://api.eu.opsgenie.com/v2/account');
});
