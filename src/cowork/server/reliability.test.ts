import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../testing/test-app.js';

type OpenApi = { paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { in: string; name: string }[] }>> };

const MALFORMED_JSON = ['{', '{"a":', '[1,2', 'null', '"just a string"', '12345', '[]', '{"name": {"$gt": ""}}', 'true'];
const WRONG_SHAPES: unknown[] = [
  {},
  { name: 42, input: { nested: [1, 2, 3] }, content: null },
  { name: 'x'.repeat(100_000), path: '../../../../etc/passwd', project: '..', conversation: '%00', packages: 'not-a-list' },
  { providers: [{ type: 'anthropic', apiKey: 7 }], scope: [], relativePath: { a: 1 } },
  Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i % 2 ? null : [i]])),
];
const WEIRD_PARAMS = ['..', '%2E%2E', '%00', 'x'.repeat(300), '%E2%80%AE', 'con', '-1', '1e309'];

test('fuzz: malformed bodies and odd path params on every JSON route give 4xx, never a 500 or a crash', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SCHEDULER_TICK_MS: '3600000' } });
  t.after(() => ta.close());
  const spec = (await ta.app.inject('/openapi.json')).json() as OpenApi;
  const failures: string[] = [];
  let requests = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase() as 'POST';
      if (method === 'get' && path.includes('preview-asset')) continue;
      const urls = /\{[^}]+\}/.test(path) ? WEIRD_PARAMS.map((w) => path.replace(/\{[^}]+\}/g, w)) : [path];
      const bodies: { payload?: string; headers?: Record<string, string> }[] = op.requestBody
        ? [...MALFORMED_JSON.map((p) => ({ payload: p })), ...WRONG_SHAPES.map((b) => ({ payload: JSON.stringify(b) }))]
        : [{}];
      for (const url of urls) {
        for (const b of bodies) {
          const res = await ta.app.inject({ method: m, url, payload: b.payload, headers: b.payload ? { 'content-type': 'application/json' } : {} });
          requests++;
          if (res.statusCode >= 500 && res.statusCode !== 503) failures.push(`${m} ${url} ${String(b.payload).slice(0, 60)} → ${res.statusCode} ${res.body.slice(0, 120)}`);
          if (!/json|event-stream|html|octet|text/.test(String(res.headers['content-type']))) failures.push(`${m} ${url}: no content type`);
        }
      }
    }
  }
  assert.ok(requests > 300, `fuzzed ${requests} requests`);
  assert.deepEqual(failures, []);
  assert.equal((await ta.app.inject('/health')).json().status, 'ok', 'still healthy afterwards');
});

test('concurrent writers to settings, pins and schedules lose nothing', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SCHEDULER_TICK_MS: '3600000' } });
  t.after(() => ta.close());
  const fields = ['greeting', 'tone', 'accentVariant'] as const;
  await Promise.all([
    ...fields.map((f) => ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { [f]: `${f}-value` } })),
    ...Array.from({ length: 20 }, (_, i) => ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { planningModel: `m-${i}`, showDots: i % 2 === 0 } })),
    ...Array.from({ length: 30 }, (_, i) => ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: `p${i}` } })),
    ...Array.from({ length: 30 }, (_, i) =>
      ta.app.inject({ method: 'POST', url: '/v1/schedules', payload: { prompt: `job ${i}`, next_run_at: new Date(Date.now() + 86_400_000).toISOString() } }),
    ),
  ]);
  const s = (await ta.app.inject('/v1/settings')).json();
  for (const f of fields) assert.equal(s[f], `${f}-value`);
  assert.match(s.planningModel, /^m-\d+$/);
  assert.equal((await ta.app.inject('/v1/pins')).json().pins.length, 30);
  assert.equal((await ta.app.inject('/v1/schedules')).json().schedules.length, 30);
  const raw = (await ta.app.inject('/v1/settings/raw')).json();
  assert.equal(raw.ANTON_PLANNING_MODEL, s.planningModel, 'the .env file and the effective value agree');
});
