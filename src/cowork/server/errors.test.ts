import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import Fastify from 'fastify';
import { startTestApp } from '../../testing/test-app.js';
import { installErrorHandling } from './errors.js';

test('a full disk mid-run is a 507 with a detail (real ENOSPC from /dev/full, real SQLITE_FULL), never a bare 500', async (t) => {
  const app = Fastify();
  installErrorHandling(app);
  app.get('/write', async () => {
    writeFileSync('/dev/full', 'x'.repeat(10_000)); // the kernel answers ENOSPC
    return {};
  });
  t.after(() => app.close());
  const r = await app.inject('/write');
  assert.equal(r.statusCode, 507);
  assert.match(r.json().detail, /disk is full/);

  const ta = await startTestApp();
  t.after(() => ta.close());
  const pages = (ta.ctx.db.pragma('page_count', { simple: true }) as number) + 0;
  ta.ctx.db.pragma(`max_page_count = ${pages}`); // SQLite now has no room to grow
  const res = await ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: 'x'.repeat(200_000) } });
  assert.equal(res.statusCode, 507, res.body);
  assert.match(res.json().detail, /disk is full/);
});

test('a read-only database mid-run is a 503 with a detail', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  ta.ctx.db.pragma('query_only = 1'); // writes now fail with SQLITE_READONLY
  const res = await ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: 'p1' } });
  assert.equal(res.statusCode, 503, res.body);
  assert.match(res.json().detail, /read-only/);
});
