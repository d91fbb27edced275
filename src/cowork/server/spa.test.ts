import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../testing/test-app.js';
import { makeTempHome } from '../../testing/temp-home.js';

test('SPA: / serves index-web.html, static folders with MIME and caching, allow-listed files, route fallback, API never falls back', async (t) => {
  const { home: spaDir, cleanup } = makeTempHome('anton-spa-');
  t.after(cleanup);
  writeFileSync(join(spaDir, 'index-web.html'), '<!doctype html><title>Cowork</title>');
  writeFileSync(join(spaDir, 'favicon.svg'), '<svg/>');
  mkdirSync(join(spaDir, 'assets'));
  writeFileSync(join(spaDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  mkdirSync(join(spaDir, 'logos'));
  writeFileSync(join(spaDir, 'logos', 'postgres.svg'), '<svg/>');
  const ta = await startTestApp({ env: { ANTON_SERVE_SPA: '1', ANTON_SPA_DIR: spaDir } });
  t.after(() => ta.close());

  const root = await ta.app.inject('/');
  assert.match(root.body, /<title>Cowork/);
  assert.match(String(root.headers['content-type']), /text\/html/);
  const js = await ta.app.inject('/assets/index-abc123.js');
  assert.match(String(js.headers['content-type']), /javascript/);
  assert.match(String(js.headers['cache-control']), /immutable/);
  assert.match(String((await ta.app.inject('/logos/postgres.svg')).headers['content-type']), /image\/svg\+xml/);
  assert.equal((await ta.app.inject('/favicon.svg')).body, '<svg/>');
  const route = await ta.app.inject('/tasks/20260101_000000_abcdef');
  assert.match(route.body, /<title>Cowork/, 'client-side routes get the shell');
  assert.equal((await ta.app.inject('/assets/missing.js')).statusCode, 404);
  for (const p of ['/v1/nope', '/v1', '/health/x']) {
    const r = await ta.app.inject(p);
    assert.equal(r.statusCode, 404, p);
    assert.deepEqual(r.json(), { detail: 'Not Found', code: 'not_found' });
  }
  assert.equal((await ta.app.inject('/..%2F..%2Fetc%2Fpasswd')).body.includes('root:'), false);
  assert.equal((await ta.app.inject('/health')).json().status, 'ok');
});

test('SPA off, or its folder missing: / is the JSON banner', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SERVE_SPA: '1', ANTON_SPA_DIR: '/nonexistent/spa' } });
  t.after(() => ta.close());
  assert.deepEqual((await ta.app.inject('/')).json(), { message: 'Anton CoWork API', anton_available: true });
  assert.equal((await ta.app.inject('/some/route')).statusCode, 404);
});
