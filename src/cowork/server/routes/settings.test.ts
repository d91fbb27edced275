import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';

test('GET /v1/settings masks keys and carries the A and C fields the client reads', async (t) => {
  const ta = await startTestApp({ env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-secret' } });
  t.after(() => ta.close());
  const s = (await ta.app.inject('/v1/settings')).json();
  assert.equal(s.anthropicApiKey, '***');
  assert.equal(s.openaiApiKey, '');
  assert.equal(s.configReady, true);
  assert.equal(s.defaultModel, 'claude-sonnet-4-6');
  assert.equal(s.greeting, "Let's knock something off your list");
  assert.equal(s.showCounters, true);
  assert.equal(s.mindsUrl, 'https://api.mindshub.ai');
  assert.deepEqual(s.providers, [{ type: 'anthropic', apiKey: '***', isDefault: true }]);
  for (const k of ['modelMode', 'modelOverrides', 'providerTypes', 'providerTypeLabels', 'recommendedModels', 'recommendedPair', 'providerStatus', 'uiUpdateMode', 'memoryMode', 'episodicMemory', 'proactiveDashboards', 'codingModel', 'openaiBaseUrl', 'mindsApiKey']) {
    assert.ok(k in s, `missing ${k}`);
  }
  assert.ok(!JSON.stringify(s).includes('sk-ant-secret'));
});

test('PUT /v1/settings writes env fields and UI prefs; *** keeps a key, "" deletes it; comments survive', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  mkdirSync(join(ta.home, '.anton'), { recursive: true });
  writeFileSync(join(ta.home, '.anton', '.env'), '# my notes\nANTON_TERMS_CONSENT=true\n');
  let res = await ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { anthropicApiKey: 'sk-1', planningModel: 'claude-x', tone: 'direct', memoryEnabled: false } });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.configReady, true);
  assert.deepEqual(body.updated.sort(), ['ANTON_ANTHROPIC_API_KEY', 'ANTON_MEMORY_ENABLED', 'ANTON_PLANNING_MODEL', 'ui:tone'].sort());
  const file = join(ta.home, '.anton', '.env');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^# my notes\nANTON_TERMS_CONSENT=true\n/);
  assert.match(text, /ANTON_ANTHROPIC_API_KEY=sk-1/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  let s = (await ta.app.inject('/v1/settings')).json();
  assert.equal(s.tone, 'direct');
  assert.equal(s.planningModel, 'claude-x');
  assert.equal(s.memoryEnabled, false);

  await ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { anthropicApiKey: '***' } });
  assert.equal((await ta.app.inject('/health')).json().config_ready, true);
  res = await ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { anthropicApiKey: '' } });
  assert.deepEqual(res.json().updated, ['deleted:ANTON_ANTHROPIC_API_KEY']);
  assert.equal((await ta.app.inject('/health')).json().config_ready, false);
  s = (await ta.app.inject('/v1/settings')).json();
  assert.equal(s.anthropicApiKey, '');
});

test('PUT /v1/settings with providers derives the role variables and keeps keys per provider', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const res = await ta.app.inject({
    method: 'PUT',
    url: '/v1/settings',
    payload: {
      providers: [
        { type: 'openai', apiKey: 'sk-openai', isDefault: false },
        { type: 'openai-compatible', apiKey: 'sk-local', baseUrl: 'http://127.0.0.1:11434/v1', name: 'Ollama', isDefault: true },
      ],
      modelMode: 'custom',
      modelOverrides: { planning: { providerType: 'openai-compatible', model: 'llama3' }, coding: { providerType: 'openai', model: 'gpt-5-mini' } },
    },
  });
  assert.equal(res.statusCode, 200);
  const raw = (await ta.app.inject('/v1/settings/raw')).json();
  assert.equal(raw.ANTON_PLANNING_PROVIDER, 'openai-compatible');
  assert.equal(raw.ANTON_PLANNING_MODEL, 'llama3');
  assert.equal(raw.ANTON_CODING_PROVIDER, 'openai');
  assert.equal(raw.ANTON_OPENAI_API_KEY, 'sk-openai');
  assert.equal(raw.ANTON_COMPATIBLE_API_KEY, 'sk-local');
  const s = (await ta.app.inject('/v1/settings')).json();
  assert.deepEqual(
    s.providers.map((p: { type: string; isDefault: boolean; apiKey: string }) => [p.type, p.isDefault, p.apiKey]),
    [['openai', false, '***'], ['openai-compatible', true, '***']],
  );
  assert.equal(s.modelMode, 'custom');
  assert.equal(s.configReady, true);
});

test('onboarding routes: raw round-trip, install-status, configured, reveal-key', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  assert.deepEqual((await ta.app.inject('/v1/settings/raw')).json(), {});
  assert.deepEqual((await ta.app.inject('/v1/settings/configured')).json(), { configured: false, provider: '' });
  const post = await ta.app.inject({ method: 'POST', url: '/v1/settings/raw', payload: { content: 'ANTON_TERMS_CONSENT=true\nANTON_ANTHROPIC_API_KEY=sk-on' } });
  assert.deepEqual(post.json(), { ok: true });
  assert.deepEqual((await ta.app.inject('/v1/settings/raw')).json(), { ANTON_TERMS_CONSENT: 'true', ANTON_ANTHROPIC_API_KEY: 'sk-on' });
  assert.deepEqual((await ta.app.inject('/v1/settings/install-status')).json(), { antonInstalled: true, serverDepsReady: true });
  assert.deepEqual((await ta.app.inject('/v1/settings/configured')).json(), { configured: true, provider: 'anthropic' });
  assert.equal((await ta.app.inject('/health')).json().config_ready, true, 'takes effect without a restart');
  assert.deepEqual((await ta.app.inject('/v1/settings/reveal-key/anthropic')).json(), { value: 'sk-on' });
  const unknown = await ta.app.inject('/v1/settings/reveal-key/nope');
  assert.equal(unknown.statusCode, 404);
  assert.deepEqual(unknown.json(), { detail: 'Unknown key name', code: 'not_found' });
  const v = (await ta.app.inject({ method: 'POST', url: '/v1/settings/validate', headers: { 'content-type': 'application/json' } })).json();
  assert.equal(v.status, 'ok');
});

test('validate-provider reports an unreachable endpoint without echoing the key; an unknown provider is {ok:false, error}', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const res = await ta.app.inject({
    method: 'POST',
    url: '/v1/settings/validate-provider',
    payload: { provider: 'openai-compatible', apiKey: 'sk-do-not-echo', baseUrl: 'http://127.0.0.1:9/v1' },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { ok: false, error: 'unreachable' });
  const unknown = await ta.app.inject({ method: 'POST', url: '/v1/settings/validate-provider', payload: { provider: 'nope', apiKey: 'x' } });
  assert.equal(unknown.statusCode, 200);
  assert.deepEqual(unknown.json(), { ok: false, error: 'Unknown provider: nope' });
  const missing = await ta.app.inject({ method: 'POST', url: '/v1/settings/validate-provider', payload: { provider: 'anthropic' } });
  assert.equal(missing.statusCode, 422);
  assert.deepEqual(missing.json().detail[0].loc, ['body', 'apiKey']);
});

test('test-providers will not send a stored key to a URL supplied in the request', async (t) => {
  // Both ends are live stubs that record what reaches them: the stored endpoint, and the URL a request names.
  const stored = await new StubLlm().start();
  const other = await new StubLlm().start();
  const ta = await startTestApp({
    env: { ANTON_COMPATIBLE_API_KEY: 'sk-stored-compatible', ANTON_COMPATIBLE_BASE_URL: `${stored.url}/v1`, ANTON_OPENAI_API_KEY: 'sk-stored-openai', ANTON_OPENAI_BASE_URL: `${stored.url}/v1` },
  });
  t.after(async () => {
    await ta.close();
    await stored.stop();
    await other.stop();
  });
  const probe = async (type: string) =>
    (await ta.app.inject({ method: 'POST', url: '/v1/settings/test-providers', payload: { providers: [{ type, apiKey: '***', baseUrl: `${other.url}/v1` }] } })).json();
  for (const type of ['openai-compatible', 'openai']) {
    const res = await probe(type);
    assert.equal(res.providerStatus[type], 'fail', type);
    assert.equal(res.providerStatusDetails[type], 'Re-enter the API key to test a new URL', type);
  }
  assert.deepEqual(other.gets, [], 'nothing, let alone a stored key, reached the URL from the request');
  // The same masked entry at the stored endpoint is probed there, with the stored key: the stubs do answer.
  const same = (await ta.app.inject({ method: 'POST', url: '/v1/settings/test-providers', payload: { providers: [{ type: 'openai-compatible', apiKey: '***', baseUrl: `${stored.url}/v1` }] } })).json();
  assert.equal(same.providerStatus['openai-compatible'], 'ok');
  assert.equal(stored.gets[0]?.headers.authorization, 'Bearer sk-stored-compatible');
});

test('test-providers probes every provider at its configured endpoint: a proxy key goes to the proxy, never the vendor', async (t) => {
  const proxy = await new StubLlm().start();
  proxy.acceptKeys = ['sk-proxy'];
  const ta = await startTestApp({
    env: { ANTON_ANTHROPIC_API_KEY: 'sk-proxy', ANTON_ANTHROPIC_BASE_URL: proxy.url, ANTON_MINDS_API_KEY: 'sk-proxy', ANTON_MINDS_URL: proxy.url },
  });
  t.after(async () => {
    await ta.close();
    await proxy.stop();
  });
  const res = (await ta.app.inject({ method: 'POST', url: '/v1/settings/test-providers', payload: {} })).json();
  assert.deepEqual(res.providerStatus, { anthropic: 'ok', 'minds-cloud': 'ok' });
  assert.deepEqual(proxy.gets.map((g) => g.path).sort(), ['/api/v1/minds/', '/v1/models']);
  assert.equal(proxy.gets.find((g) => g.path === '/v1/models')?.headers['x-api-key'], 'sk-proxy');
  // The page sends its masked entries: the same endpoints are used.
  const masked = (await ta.app.inject({ method: 'POST', url: '/v1/settings/test-providers', payload: { providers: [{ type: 'anthropic', apiKey: '***', isDefault: true }] } })).json();
  assert.deepEqual(masked.providerStatus, { anthropic: 'ok' });
  assert.equal(proxy.gets.length, 3);
});
