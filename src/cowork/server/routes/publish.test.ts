import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { startTestApp } from '../../../testing/test-app.js';
import { ArtifactStore } from '../../../core/artifacts/store.js';

test('publish: zips the page and its local files with secrets blanked, records it, re-publishes with the same report, unpublishes', async (t) => {
  const uploads: { auth: string; body: { file_payload: string; report_id?: string } }[] = [];
  const deleted: string[] = [];
  const stub = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/upload') {
        uploads.push({ auth: String(req.headers.authorization), body: JSON.parse(data) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ report_id: 'rep_1', view_url: 'https://pub.example/r/rep_1', md5: 'abc', user_prefix: 'u', version: uploads.length }));
      } else if (req.method === 'DELETE' && req.url?.startsWith('/delete/')) {
        deleted.push(req.url.slice(8));
        res.writeHead(200).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  t.after(() => stub.close());
  const ta = await startTestApp({ env: { ANTON_PUBLISH_URL: `http://127.0.0.1:${(stub.address() as { port: number }).port}`, ANTON_MINDS_API_KEY: 'mdb_key_1234567890', ANTON_ANTHROPIC_API_KEY: 'sk-ant-leakme-123' } });
  t.after(() => ta.close());
  ta.ctx.vault.save('postgres', 'prod', { password: 'vault-secret-999' }, ['password']);
  const store = new ArtifactStore(join(ta.ctx.paths.projectsDir, 'general', '.anton', 'artifacts'));
  const m = store.create('Sales', 'dash', 'html-app', 'index.html');
  const dir = store.dir(m.slug);
  writeFileSync(join(dir, 'index.html'), '<script src="app.js"></script><img src="https://cdn.example/x.png"><!-- sk-ant-leakme-123 -->');
  writeFileSync(join(dir, 'app.js'), 'const pw = "vault-secret-999";');
  writeFileSync(join(dir, 'unrelated.csv'), 'not referenced');

  const before = (await ta.app.inject('/v1/publish')).json();
  assert.equal(before.publishReady, true);
  assert.equal(before.artifacts[0].publishedUrl, '');
  const pub = await ta.app.inject({ method: 'POST', url: '/v1/publish', payload: { path: join(dir, 'index.html') } });
  assert.equal(pub.json().url, 'https://pub.example/r/rep_1');
  assert.equal(uploads[0].auth, 'Bearer mdb_key_1234567890');
  const files = unzipSync(Buffer.from(uploads[0].body.file_payload, 'base64'));
  assert.deepEqual(Object.keys(files).sort(), ['app.js', 'index.html']);
  const all = Object.values(files).map((f) => Buffer.from(f).toString()).join('\n');
  assert.ok(!all.includes('sk-ant-leakme-123') && !all.includes('vault-secret-999'), 'secrets are blanked');
  assert.equal(JSON.parse(readFileSync(join(dir, '.published.json'), 'utf8'))['index.html'].report_id, 'rep_1');
  await ta.app.inject({ method: 'POST', url: '/v1/publish', payload: { path: join(dir, 'index.html') } });
  assert.equal(uploads[1].body.report_id, 'rep_1', 'a re-publish updates the same report');
  const after = (await ta.app.inject('/v1/publish')).json();
  assert.equal(after.history.length, 2);
  assert.equal(after.artifacts[0].publishedUrl, 'https://pub.example/r/rep_1');
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: `/v1/publish?path=${encodeURIComponent(join(dir, 'index.html'))}` })).json(), { status: 'ok' });
  assert.deepEqual(deleted, ['rep_1']);
  assert.equal(existsSync(join(dir, '.published.json')), false);
  assert.equal((await ta.app.inject({ method: 'DELETE', url: `/v1/publish?path=${encodeURIComponent(join(dir, 'index.html'))}` })).statusCode, 404);
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/publish', payload: { path: join(dir, 'unrelated.csv') } })).statusCode, 415);
});

test('publish without a Minds key is a clear 400; an upstream failure is a 502', async (t) => {
  const ta = await startTestApp({ env: { ANTON_PUBLISH_URL: 'http://127.0.0.1:9' } });
  t.after(() => ta.close());
  const store = new ArtifactStore(join(ta.ctx.paths.projectsDir, 'general', '.anton', 'artifacts'));
  const m = store.create('X', 'x', 'html-app');
  writeFileSync(join(store.dir(m.slug), 'x.html'), '<p>x</p>');
  const path = join(store.dir(m.slug), 'x.html');
  assert.deepEqual((await ta.app.inject({ method: 'POST', url: '/v1/publish', payload: { path } })).json(), { detail: 'Configure ANTON_MINDS_API_KEY before publishing', code: 'bad_input' });
  await ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { mindsApiKey: 'mdb_x_1234567' } });
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/publish', payload: { path } })).statusCode, 502);
});
