import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import Fastify from 'fastify';
import { startTestApp } from '../../testing/test-app.js';
import { DOMAIN_STATUS, HttpError, installErrorHandling } from './errors.js';
import { DomainError, type DomainErrorKind } from '../../core/errors.js';
import { ERROR_CODES } from './error-body.js';
import { ErrorBody, ValidationErrorBody } from './schemas/common.js';

test('a full disk mid-run is a 507 with a detail and code disk_full (real ENOSPC from /dev/full, real SQLITE_FULL), never a bare 500', async (t) => {
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
  assert.equal(r.json().code, 'disk_full');

  const ta = await startTestApp();
  t.after(() => ta.close());
  const pages = (ta.ctx.db.pragma('page_count', { simple: true }) as number) + 0;
  ta.ctx.db.pragma(`max_page_count = ${pages}`); // SQLite now has no room to grow
  const res = await ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: 'x'.repeat(200_000) } });
  assert.equal(res.statusCode, 507, res.body);
  assert.match(res.json().detail, /disk is full/);
  assert.equal(res.json().code, 'disk_full');
});

test('a read-only database mid-run is a 503 with a detail and code read_only', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  ta.ctx.db.pragma('query_only = 1'); // writes now fail with SQLITE_READONLY
  const res = await ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: 'p1' } });
  assert.equal(res.statusCode, 503, res.body);
  assert.match(res.json().detail, /read-only/);
  assert.equal(res.json().code, 'read_only');
});

/** Every domain error kind with the status it must answer; the kind is the body's `code`. */
const KIND_STATUS: [DomainErrorKind, number][] = [
  ['bad_input', 400],
  ['forbidden', 403],
  ['not_found', 404],
  ['conflict', 409],
  ['too_large', 413],
  ['unsupported_media', 415],
  ['validation_failed', 422],
  ['rate_limited', 429],
  ['upstream_failed', 502],
  ['unavailable', 503],
];

test('every domain error kind answers its own status with {detail: message, code: kind}, and the body matches the ErrorBody schema', async (t) => {
  assert.deepEqual(KIND_STATUS.map(([k]) => k).sort(), Object.keys(DOMAIN_STATUS).sort(), 'a new kind needs a row here');
  const app = Fastify();
  installErrorHandling(app);
  app.get('/throw/:kind', async (req) => {
    throw new DomainError((req.params as { kind: DomainErrorKind }).kind, `refused as ${(req.params as { kind: string }).kind}`);
  });
  t.after(() => app.close());
  for (const [kind, status] of KIND_STATUS) {
    const r = await app.inject(`/throw/${kind}`);
    assert.equal(r.statusCode, status, kind);
    assert.deepEqual(r.json(), { detail: `refused as ${kind}`, code: kind });
    assert.ok(ERROR_CODES.includes(kind), `${kind} is a published code`);
    ErrorBody.parse(r.json());
  }
});

test('a validation_failed domain error with field issues answers the pydantic 422 list (missing upload files)', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const r = await ta.app.inject({ method: 'POST', url: '/v1/projects/general/files/upload', payload: {} });
  assert.equal(r.statusCode, 422);
  assert.deepEqual(r.json(), { detail: [{ type: 'missing', loc: ['body', 'files'], msg: 'Field required' }], code: 'validation_failed' });
  ValidationErrorBody.parse(r.json());
});

test('errors outside the domain carry their code too: 422 validation, bad JSON, 404, 405, HTTP statuses, body too large, 500', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const invalid = await ta.app.inject({ method: 'POST', url: '/v1/connectors/match', payload: { query: 'x', max_candidates: 9 } });
  assert.equal(invalid.statusCode, 422);
  assert.equal(invalid.json().code, 'validation_failed');
  assert.ok(Array.isArray(invalid.json().detail) && invalid.json().detail.length > 0);
  ValidationErrorBody.parse(invalid.json());
  const badJson = await ta.app.inject({ method: 'POST', url: '/v1/projects', headers: { 'content-type': 'application/json' }, payload: '{nope' });
  assert.deepEqual(badJson.json(), { detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }], code: 'validation_failed' });
  assert.deepEqual((await ta.app.inject('/v1/nope')).json(), { detail: 'Not Found', code: 'not_found' });
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: '/health' })).json(), { detail: 'Method Not Allowed', code: 'method_not_allowed' });

  const app = Fastify({ bodyLimit: 10 });
  installErrorHandling(app);
  app.post('/echo', async (req) => req.body);
  app.get('/http/:status', async (req) => {
    throw new HttpError(Number((req.params as { status: string }).status), 'refused');
  });
  app.get('/bug', async () => {
    throw new Error('a bug with a secret path /home/x');
  });
  t.after(() => app.close());
  for (const [status, code] of [
    [400, 'bad_input'],
    [403, 'forbidden'],
    [409, 'conflict'],
    [413, 'too_large'],
    [415, 'unsupported_media'],
    [429, 'rate_limited'],
    [500, 'internal'],
    [503, 'unavailable'],
  ] as const) {
    const r = await app.inject(`/http/${status}`);
    assert.equal(r.statusCode, status);
    assert.deepEqual(r.json(), { detail: 'refused', code }, String(status));
  }
  const big = await app.inject({ method: 'POST', url: '/echo', payload: { text: 'more than ten bytes' } });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().code, 'too_large');
  const bug = await app.inject('/bug');
  assert.deepEqual(bug.json(), { detail: 'Internal Server Error', code: 'internal' });
});
