import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_TYPES_PATH, SNAPSHOT_PATH, clientTypesFor, liveOpenApi, snapshotText } from '../../testing/openapi.js';
import { REPO_ROOT } from '../../testing/spawn-server.js';
import { startTestApp } from '../../testing/test-app.js';
import { CONTRACTS } from './schemas/contracts.js';

type Op = { operationId?: string; summary?: string; tags?: string[]; parameters?: { name: string; in: string }[]; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Doc = { paths: Record<string, Record<string, Op>> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op })));

test('every operation has a unique camelCase operationId, a summary, a tag and a 2xx answer with a schema', async () => {
  const doc = (await liveOpenApi()) as unknown as Doc;
  const ops = operations(doc);
  assert.equal(ops.length, Object.keys(CONTRACTS).length, 'one operation per contract (no route without one, no stale contract)');
  const ids = new Set<string>();
  for (const { path, method, op } of ops) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.match(op.operationId ?? '', /^[a-z][A-Za-z0-9]*$/, `${where}: operationId`);
    assert.ok(!ids.has(op.operationId!), `${where}: operationId ${op.operationId} is used twice`);
    ids.add(op.operationId!);
    assert.ok(op.summary && op.summary.length > 5 && !op.summary.includes('\n'), `${where}: one-line summary`);
    assert.ok(op.tags?.length, `${where}: tag`);
    const ok = Object.entries(op.responses ?? {}).filter(([code]) => /^2/.test(code));
    assert.ok(ok.length, `${where}: a 2xx answer`);
    for (const [code, r] of ok) {
      const content = Object.values(r.content ?? {});
      assert.ok(content.length && content.every((c) => c.schema), `${where} ${code}: a schema for every content type`);
    }
    assert.ok(op.responses?.['4XX'] && op.responses['422'], `${where}: the shared error answers`);
  }
});

test('the document names every path parameter (no `*`), lists GET / and marks the streaming routes as text/event-stream', async () => {
  const doc = (await liveOpenApi()) as unknown as Doc;
  for (const { path, method, op } of operations(doc)) {
    assert.ok(!path.includes('*'), path);
    for (const p of op.parameters ?? []) assert.match(p.name, /^[A-Za-z_][A-Za-z0-9_]*$/, `${method} ${path}: parameter ${p.name}`);
  }
  assert.ok(doc.paths['/']?.get, 'GET / is documented');
  assert.ok(doc.paths['/v1/projects/{name}/files/{path}']?.get, 'the wildcard is published as {path}');
  for (const [path, method] of [
    ['/v1/responses', 'post'],
    ['/v1/responses/tail', 'get'],
    ['/v1/datavault/submissions', 'post'],
    ['/v1/scratchpad/execute-stream', 'post'],
  ]) {
    const content = doc.paths[path][method].responses?.['200']?.content ?? {};
    assert.ok(content['text/event-stream']?.schema, `${method} ${path} streams`);
  }
});

test('the OpenAPI document is valid (swagger-parser)', async () => {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  const doc = await liveOpenApi();
  await SwaggerParser.validate(structuredClone(doc) as never);
});

test('docs/openapi.json is the live document: any contract change shows as a diff (npm run openapi:snapshot)', async () => {
  const committed = readFileSync(join(REPO_ROOT, SNAPSHOT_PATH), 'utf8');
  assert.equal(snapshotText(await liveOpenApi()), committed, 'the API changed: run `npm run openapi:snapshot` and commit docs/openapi.json and src/client/api.ts');
});

test('the committed client types are generated from the committed snapshot', async () => {
  const doc = JSON.parse(readFileSync(join(REPO_ROOT, SNAPSHOT_PATH), 'utf8'));
  assert.equal(await clientTypesFor(doc), readFileSync(join(REPO_ROOT, CLIENT_TYPES_PATH), 'utf8'), 'run `npm run openapi:snapshot`');
});

test('every GET route without path parameters answers inside its declared contract', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const needsQuery: Record<string, string> = { '/v1/responses/in-flight': '?conversation_id=20260101_000000_abcdef' };
  const doc = (await liveOpenApi()) as unknown as Doc;
  let checked = 0;
  for (const { path, method } of operations(doc)) {
    if (method !== 'get' || path.includes('{') || path === '/v1/responses/tail' || path.includes('/oauth/callback')) continue;
    if (path.startsWith('/v1/scratchpad/') && path !== '/v1/scratchpad/list') continue; // need a running pad (scratchpad tests)
    if (path === '/v1/artifacts/preview') continue; // needs an artifact file (artifacts tests)
    const res = await ta.app.inject({ method: 'GET', url: path + (needsQuery[path] ?? '') });
    // The test app checks each 2xx answer against its schema and fails the request (500) on a mismatch.
    assert.equal(res.statusCode, 200, `${path}: ${res.body.slice(0, 300)}`);
    checked++;
  }
  assert.ok(checked >= 20, `checked ${checked} routes`);
});

test('/docs renders the API reference from files served by this server only (no CDN), over the same document, without the launch token', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SERVER_TOKEN: 'launch-secret' } });
  t.after(() => ta.close());
  const page = await ta.app.inject({ method: 'GET', url: '/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length >= 4, page.body);
  for (const a of assets) {
    assert.ok(a.startsWith('/docs/'), `${a} is served locally`);
    const res = await ta.app.inject({ method: 'GET', url: a });
    assert.equal(res.statusCode, 200, a);
  }
  const init = await ta.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  assert.doesNotMatch(init.body.replace(/\/\/.*$/gm, ''), /https?:\/\//, 'the initializer loads nothing remote');
  const shown = (await ta.app.inject({ method: 'GET', url: '/docs/json' })).json();
  const served = (await ta.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.deepEqual(shown, served, '/docs shows /openapi.json');
  assert.equal((await ta.app.inject({ method: 'GET', url: '/v1/projects' })).statusCode, 401, 'the API itself still needs the token');
});
