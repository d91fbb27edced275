import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { generateKeyPairSync, createVerify } from 'node:crypto';
import { freePort } from '../../../../testing/databases.js';

// Short probe timeout for this file (read when the probe modules load, hence the dynamic imports below).
process.env.ANTON_PROBE_TIMEOUT_MS = '2500';
const { runProbe } = await import('../probes.js');
const { connectors } = await import('../connectors.js');
const probeOf = (id: string, method: string) => connectors().get(id)!.form.methods.find((m) => m.id === method)!.probe!;

/** A TCP server that answers anything with bytes no database would send. */
async function garbageServer() {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.write('\x00\xffNOT A DATABASE\r\n');
    s.on('data', () => s.write('\x16\x03\x01garbage\xff\xfe\r\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

/** Engines that cannot run here (SQL Server, Oracle, MongoDB, Cassandra, Neo4j, IMAP) still get a real attempt and a clear, timely answer. */
const ENGINES: [string, string, (port: number) => Record<string, string>][] = [
  ['mssql', 'sql-auth', (port) => ({ host: '127.0.0.1', port: String(port), database: 'master', username: 'sa', password: 'Secret-pw-1', encrypt: 'false' })],
  ['azure_sql', 'sql-auth', (port) => ({ host: '127.0.0.1', port: String(port), database: 'db', username: 'sa', password: 'Secret-pw-1' })],
  ['oracle', 'service-name', (port) => ({ host: '127.0.0.1', port: String(port), service_name: 'FREEPDB1', username: 'system', password: 'Secret-pw-1' })],
  ['mongodb', 'host-credentials', (port) => ({ host: '127.0.0.1', port: String(port), database: 'test', username: 'u', password: 'Secret-pw-1' })],
  ['cassandra', 'credentials', (port) => ({ contact_points: `127.0.0.1:${port}`, keyspace: 'ks', username: 'cassandra', password: 'Secret-pw-1' })],
  ['neo4j', 'connection-uri', (port) => ({ connection_uri: `http://127.0.0.1:${port}`, username: 'neo4j', password: 'Secret-pw-1' })],
  ['outlook', 'imap-app-password', (port) => ({ email: 'me@example.com', app_password: 'Secret-pw-1', imap_host: '127.0.0.1', imap_port: String(port) })],
];

test('a refused port: SQL Server, Oracle, MongoDB and IMAP probes say they could not reach the server, within the timeout', async () => {
  const port = await freePort();
  for (const [id, method, values] of ENGINES) {
    const t0 = Date.now();
    const r = await runProbe(probeOf(id, method), values(port));
    const took = Date.now() - t0;
    assert.equal(r.ok, false, id);
    assert.match(r.message, /Could not reach|No answer within/, `${id}: ${r.message}`);
    assert.ok(!r.message.includes('Secret-pw-1'), `${id}: no secret in the message`);
    assert.ok(took < 5000, `${id} answered in ${took} ms`);
  }
});

test('a port that speaks garbage: every driver probe fails with a clear message within its timeout', async (t) => {
  const g = await garbageServer();
  t.after(() => g.close());
  for (const [id, method, values] of [...ENGINES, ['postgres', 'host-port', (p: number) => ({ host: '127.0.0.1', port: String(p), database: 'x', username: 'u', password: 'Secret-pw-1', ssl_mode: 'disable' })], ['mysql', 'host-password', (p: number) => ({ host: '127.0.0.1', port: String(p), database: 'x', username: 'u', password: 'Secret-pw-1' })], ['redis', 'manual', (p: number) => ({ host: '127.0.0.1', port: String(p), password: 'Secret-pw-1' })]] as typeof ENGINES) {
    const t0 = Date.now();
    const r = await runProbe(probeOf(id, method), values(g.port));
    const took = Date.now() - t0;
    assert.equal(r.ok, false, id);
    assert.match(r.message, /No valid answer from 127\.0\.0\.1:\d+ within 3 s|Could not reach|MongoDB server|did not answer like/, `${id}: ${r.message}`);
    assert.ok(!r.message.includes('Secret-pw-1'), `${id}: no secret in the message`);
    assert.ok(took < 5500, `${id} answered in ${took} ms: ${r.message}`);
  }
});

test('Google service account: the key signs a JWT that the (loopback) token endpoint verifies; an unknown key is rejected', async (t) => {
  const good = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const assertion = new URLSearchParams(body).get('assertion') ?? '';
      const [h, p, s] = assertion.split('.');
      const valid = !!s && createVerify('RSA-SHA256').update(`${h}.${p}`).verify(good.publicKey, Buffer.from(s, 'base64url'));
      res.writeHead(valid ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(valid ? { access_token: 'ya29.x', expires_in: 3600 } : { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const tokenUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
  const key = (pem: string) => JSON.stringify({ type: 'service_account', client_email: 'anton@proj.iam.gserviceaccount.com', private_key: pem, token_uri: tokenUri });
  const rejected = await runProbe(probeOf('bigquery', 'service-account'), { service_account_json: key(other.privateKey), project_id: 'proj' });
  assert.deepEqual([rejected.ok, rejected.field], [false, 'service_account_json']);
  assert.match(rejected.message, /Invalid JWT Signature/);
  // With the right key the token is issued; the following BigQuery call then needs the internet (absent in CI),
  // so only "not rejected" is checked here.
  const accepted = await runProbe(probeOf('bigquery', 'service-account'), { service_account_json: key(good.privateKey), project_id: 'proj' });
  assert.doesNotMatch(accepted.message, /rejected the service account key/);
  assert.deepEqual((await runProbe(probeOf('gcp', 'service-account'), { service_account_json: '{"type":"authorized_user"}', project_id: 'p' })).field, 'service_account_json');
});
