import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../testing/test-app.js';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; anyOf?: JsonSchema[]; enum?: unknown[]; default?: unknown };
type Operation = { requestBody?: { content: Record<string, { schema?: JsonSchema }> }; parameters?: { in: string; name: string }[] };
type OpenApi = { paths: Record<string, Record<string, Operation>> };

const MALFORMED_JSON = ['{', '{"a":', '[1,2', 'null', '"just a string"', '12345', '[]', '{"name": {"$gt": ""}}', 'true', '{"__proto__": {"admin": true}}', '\u0000', '{"a": "\ud800"}'];
const WRONG_SHAPES: unknown[] = [
  {},
  { name: 42, input: { nested: [1, 2, 3] }, content: null },
  { name: 'x'.repeat(100_000), path: '../../../../etc/passwd', project: '..', conversation: '%00', packages: 'not-a-list' },
  { providers: [{ type: 'anthropic', apiKey: 7 }], scope: [], relativePath: { a: 1 } },
  Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i % 2 ? null : [i]])),
];
/** Path parameter values: traversal (plain, encoded, double-encoded), encoded slashes, absolute paths, NUL, unicode, huge. */
const PATH_ATTACKS = [
  '..', '%2E%2E', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2F..%2F.anton%2F.env', '%252e%252e%252f', '%2Fetc%2Fpasswd', '%5C..%5C..%5Cwindows',
  '%00', 'a%00b', '%E2%80%AE', '%F0%9F%98%80%C3%A9', '%FF%FE', 'x'.repeat(300), 'con', '-1', '1e309', '.', '~',
];
/** Extra values for a `*` (rest-of-path) parameter: real slashes. */
const WILDCARD_ATTACKS = ['../../../../etc/passwd', 'a/../../b', '/etc/passwd', '.anton/../../x', 'dir/%2e%2e/%2e%2e/y'];
/** Values put in one field at a time: wrong types, huge, NUL/unicode, traversal and absolute paths. */
const FIELD_ATTACKS: unknown[] = [12345, -1, 1e308, true, null, [], [1, 'a'], {}, { $gt: '' }, 'x'.repeat(200_000), 'a\u0000b', '\u202e\ud83d\ude00é\u0000', '../../../../etc/passwd', '%2e%2e%2f%2e%2e%2f.env', '/etc/passwd', 'C:\\Windows\\system32', ''];
const QUERY_ATTACKS = ['..', '%2e%2e%2f', '%2Fetc%2Fpasswd', '%00', '-1', '1e309', 'NaN', 'x'.repeat(5000), '%F0%9F%98%80', '[]', '{}'];
const MULTIPART_ATTACKS: { type: string; payload: string }[] = [
  { type: 'multipart/form-data', payload: '--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nx\r\n--b--\r\n' },
  { type: 'multipart/form-data; boundary=zzz', payload: '--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nx\r\n--b--\r\n' },
  { type: 'multipart/form-data; boundary=b', payload: '--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nxxxxxxxx' },
  { type: 'multipart/form-data; boundary=b', payload: '--b\r\nContent-Disposition: form-data; name="files"; filename="../../../.anton/.env"\r\n\r\nx\r\n--b--\r\n' },
  { type: 'multipart/form-data; boundary=b', payload: `--b\r\nContent-Disposition: form-data; name="files"; filename="${'n'.repeat(400)}"\r\n\r\nx\r\n--b--\r\n` },
  { type: 'multipart/form-data; boundary=b', payload: '--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n' },
];
const WRONG_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/octet-stream', 'image/png'];
/** Operations whose well-formed bodies reach the network or pip: they get the malformed inputs only. */
const NO_DIRECTED = /\/(test-providers|validate-provider|validate|test|install|submissions)$|^\/v1\/publish$/;

/** A minimal body that satisfies the schema's shape (so one bad field at a time reaches the handler). */
function sample(s: JsonSchema | undefined): unknown {
  if (!s) return null;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf?.length) return sample(s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'object' || s.properties) return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v)]));
  if (type === 'array') return [];
  if (type === 'string') return 'fuzz';
  if (type === 'number' || type === 'integer') return 1;
  if (type === 'boolean') return true;
  return null;
}

function directedBodies(schema: JsonSchema | undefined): string[] {
  const base = sample(schema);
  if (!base || typeof base !== 'object' || Array.isArray(base)) return [];
  const out = [JSON.stringify({ ...base, unexpected_extra: 'x', __proto__x: 1 })];
  for (const key of Object.keys(base).slice(0, 12)) for (const v of FIELD_ATTACKS) out.push(JSON.stringify({ ...base, [key]: v }));
  for (const key of schema?.required ?? []) out.push(JSON.stringify(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key))));
  return out;
}

function fill(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, value);
}

test('fuzz: every operation in /openapi.json, attacked in its path, query, body and content type, never answers 5xx', async (t) => {
  const dead = 'http://127.0.0.1:9'; // every outbound call fails at once
  const ta = await startTestApp({
    env: {
      ANTON_SCHEDULER_TICK_MS: '3600000', ANTON_MAX_UPLOAD_MB: '1', ANTON_LLM_MAX_RETRIES: '0', ANTON_OPEN_COMMAND: 'true',
      ANTON_ANTHROPIC_API_KEY: 'sk-ant-fuzz', ANTON_ANTHROPIC_BASE_URL: dead, ANTON_OPENAI_BASE_URL: dead, ANTON_PUBLISH_URL: dead, ANTON_GOOGLE_TOKEN_URL: dead,
    },
  });
  t.after(() => ta.close());
  const spec = (await ta.app.inject('/openapi.json')).json() as OpenApi;
  const failures: string[] = [];
  let requests = 0;
  const send = async (method: string, url: string, payload?: string | Buffer, contentType?: string) => {
    const res = await ta.app.inject({ method: method as 'POST', url, payload, headers: contentType ? { 'content-type': contentType } : {} });
    requests++;
    if (res.statusCode >= 500) failures.push(`${method} ${url.slice(0, 120)} ${String(payload ?? '').slice(0, 60)} → ${res.statusCode} ${res.body.slice(0, 120)}`);
    if (!/json|event-stream|html|octet|text|image/.test(String(res.headers['content-type'])) && res.statusCode !== 204)
      failures.push(`${method} ${url.slice(0, 120)}: no content type (${res.statusCode})`);
  };
  let operations = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      operations++;
      const m = method.toUpperCase();
      if (method === 'get' && path.includes('preview-asset') && !path.includes('{token}')) continue;
      const params = /\{[^}]+\}/.test(path);
      const urls = params ? [...PATH_ATTACKS.map((w) => fill(path, w)), ...(path.includes('{*}') ? WILDCARD_ATTACKS.map((w) => path.replace('{*}', w).replace(/\{[^}]+\}/g, 'general')) : [])] : [path];
      const schema = op.requestBody?.content['application/json']?.schema;
      const upload = path.endsWith('/upload');
      // 1. odd paths, with a malformed and a well-shaped body
      for (const url of urls) {
        if (upload) for (const mp of MULTIPART_ATTACKS) await send(m, url, mp.payload, mp.type);
        else if (op.requestBody) {
          await send(m, url, '{', 'application/json');
          await send(m, url, JSON.stringify(sample(schema)), 'application/json');
        } else await send(m, url);
      }
      const url = params ? fill(path, 'general') : path;
      // 2. bodies: malformed JSON, wrong shapes, one bad field at a time, missing fields, extra fields
      if (op.requestBody) {
        const bodies = [...MALFORMED_JSON, ...WRONG_SHAPES.map((b) => JSON.stringify(b)), ...(NO_DIRECTED.test(path) ? [] : directedBodies(schema))];
        for (const b of bodies) await send(m, url, b, 'application/json');
        for (const ct of WRONG_CONTENT_TYPES) await send(m, url, JSON.stringify(sample(schema)), ct);
        for (const mp of MULTIPART_ATTACKS.slice(0, 3)) await send(m, url, mp.payload, mp.type);
        await send(m, url, JSON.stringify(sample(schema))); // no content type at all
      } else if (upload) {
        for (const mp of MULTIPART_ATTACKS) await send(m, url, mp.payload, mp.type);
        await send(m, url, '{"files": []}', 'application/json');
        await send(m, url, 'x', 'text/plain');
      }
      // 3. query parameters: each attacked alone, and repeated
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const q of query) {
        for (const v of QUERY_ATTACKS) await send(m, `${url}?${q}=${v}`);
        await send(m, `${url}?${q}=a&${q}=b&${q}[]=c`);
      }
    }
  }
  // 4. oversized bodies (JSON past the 32 MB body limit; uploads past ANTON_MAX_UPLOAD_MB=1)
  const huge = Buffer.alloc(33 * 1024 * 1024, 0x61);
  for (const url of ['/v1/settings', '/v1/projects', '/v1/memory', '/v1/pins', '/v1/attachments/snippet', '/v1/scratchpad/execute']) {
    await send(url === '/v1/settings' ? 'PUT' : 'POST', url, Buffer.concat([Buffer.from('{"content":"'), huge, Buffer.from('"}')]), 'application/json');
  }
  const big = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n\r\n'), Buffer.alloc(2 * 1024 * 1024), Buffer.from('\r\n--b--\r\n')]);
  for (const url of ['/v1/projects/general/files/upload', '/v1/attachments/general/s1/upload', '/v1/attachments/upload']) await send('POST', url, big, 'multipart/form-data; boundary=b');

  console.log(`fuzz: ${requests} requests over ${operations} operations, ${failures.length} answered 5xx or without a content type`);
  assert.ok(operations >= 100, `${operations} operations`);
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
