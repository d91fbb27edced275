import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Settings = Record<string, any>;

/** What the Settings page derives from GET /v1/settings (SettingsView: default provider, active roles, rows). */
function render(s: Settings) {
  const providers = s.providers as { type: string; isDefault: boolean; apiKey: string }[];
  const defaultType = providers.find((p) => p.isDefault)?.type ?? null;
  const active = new Set<string>();
  if (s.modelMode === 'custom') {
    active.add(s.modelOverrides.planning?.providerType || defaultType);
    active.add(s.modelOverrides.coding?.providerType || defaultType);
  } else active.add(defaultType as string);
  // A role row shows its override in custom mode, else the default provider's recommendedPair[0]/[1].
  const row = (role: 'planning' | 'coding', i: 0 | 1) =>
    s.modelMode === 'custom' ? s.modelOverrides[role] : { providerType: defaultType, model: s.recommendedPair[defaultType as string]?.[i] };
  return { providers, defaultType, active: [...active], planning: row('planning', 0), coding: row('coding', 1) };
}

async function api(ta: TestApp, method: string, path: string, body?: unknown) {
  const res = await fetch(ta.url + path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Settings };
}

for (const planningProvider of ['openai-compatible', 'openai']) {
  test(`Settings page walk after onboarding "Custom" (ANTON_PLANNING_PROVIDER=${planningProvider}): one default openai provider, custom roles on it, Test green, Save adds nothing`, async (t) => {
    const stub = await new StubLlm().start();
    stub.acceptKeys = ['sk-local'];
    const ta = await startTestApp({ listen: true });
    t.after(async () => {
      await ta.close();
      await stub.stop();
    });
    const base = `${stub.url}/v1`;

    // 1. Onboarding, "Custom": validate the endpoint, then write the dotenv lines the client builds.
    const v = await api(ta, 'POST', '/v1/settings/validate-provider', { provider: 'openai-compatible', apiKey: 'sk-local', baseUrl: base, model: 'llama3' });
    assert.deepEqual(v.body, { ok: true });
    const lines = [
      'ANTON_TERMS_CONSENT=true',
      'ANTON_OPENAI_API_KEY=sk-local',
      `ANTON_OPENAI_BASE_URL=${base}`,
      `ANTON_PLANNING_PROVIDER=${planningProvider}`,
      `ANTON_CODING_PROVIDER=${planningProvider}`,
      'ANTON_PLANNING_MODEL=llama3',
      'ANTON_CODING_MODEL=llama3',
      'ANTON_MEMORY_MODE=autopilot',
      'ANTON_EPISODIC_MEMORY=true',
    ];
    assert.deepEqual((await api(ta, 'POST', '/v1/settings/raw', { content: lines.join('\n') })).body, { ok: true });

    // 2. Settings page opens.
    const s1 = (await api(ta, 'GET', '/v1/settings')).body;
    for (const [type, pair] of Object.entries(s1.recommendedPair)) assert.ok(Array.isArray(pair) && pair.length === 2, `recommendedPair.${type} is [planning, coding]`);
    assert.deepEqual(s1.recommendedPair.anthropic, ['claude-sonnet-4-6', 'claude-haiku-4-5-20251001']);
    const r1 = render(s1);
    assert.deepEqual(r1.providers, [{ type: 'openai', apiKey: '***', isDefault: true }]);
    assert.equal(s1.modelMode, 'custom');
    assert.deepEqual(r1.planning, { providerType: 'openai', model: 'llama3' });
    assert.deepEqual(r1.coding, { providerType: 'openai', model: 'llama3' });
    assert.deepEqual(r1.active, ['openai'], 'the page tests the provider that really serves the roles');
    assert.equal(s1.configReady, true);
    assert.equal(s1.defaultModel, 'llama3');

    // 3. Settings → Test: the active providers, as the page holds them (masked keys).
    const active = r1.providers.filter((p) => r1.active.includes(p.type));
    const tp = (await api(ta, 'POST', '/v1/settings/test-providers', { providers: active })).body;
    assert.deepEqual(tp.providerStatus, { openai: 'ok' }, JSON.stringify(tp));
    assert.equal(stub.gets.at(-1)?.path, '/v1/models', 'probed at the configured endpoint');
    const anyActiveFail = r1.active.some((t) => tp.providerStatus[t] === 'fail');
    assert.equal(anyActiveFail, false, 'no red "needs a valid LLM provider" banner');

    // 4. Save settings: the client PUTs its whole settings object back.
    const put = await api(ta, 'PUT', '/v1/settings', { ...s1, providerStatus: tp.providerStatus });
    assert.equal(put.status, 200);
    assert.equal(put.body.configReady, true);

    // 5. The page re-reads: the same single provider, no phantom; the raw file still points at the endpoint.
    const s2 = (await api(ta, 'GET', '/v1/settings')).body;
    const r2 = render(s2);
    assert.deepEqual(r2.providers, [{ type: 'openai', apiKey: '***', isDefault: true }]);
    assert.equal(s2.modelMode, 'custom');
    assert.deepEqual([r2.planning, r2.coding], [r1.planning, r1.coding]);
    assert.equal(s2.providerStatus.openai, 'ok');
    const raw = (await api(ta, 'GET', '/v1/settings/raw')).body;
    assert.equal(raw.ANTON_OPENAI_BASE_URL, base);
    assert.equal(raw.ANTON_OPENAI_API_KEY, 'sk-local');
    assert.equal(raw.ANTON_COMPATIBLE_API_KEY, undefined);

    // 6. And a turn really goes to that endpoint with that model and key.
    stub.enqueue({ text: 'hi from llama' });
    const sse = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'hello', model: s2.defaultModel, stream: true }));
    assert.equal(sse.frames.at(-1)?.type, 'response.completed');
    const req = stub.requests.at(-1)!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.body.model, 'llama3');
    assert.equal(req.headers.authorization, 'Bearer sk-local');
  });
}

test('Settings page: a provider list saved with an OpenAI-compatible entry reads back as saved, role rows on listed providers', async (t) => {
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  const put = await api(ta, 'PUT', '/v1/settings', {
    providers: [
      { type: 'anthropic', apiKey: 'sk-ant', isDefault: true },
      { type: 'openai-compatible', apiKey: '', baseUrl: 'http://127.0.0.1:11434/v1', name: 'Ollama', isDefault: false },
    ],
    modelMode: 'default',
  });
  assert.equal(put.status, 200);
  const s = (await api(ta, 'GET', '/v1/settings')).body;
  const r = render(s);
  assert.deepEqual(
    r.providers.map((p) => [p.type, p.isDefault]),
    [['anthropic', true], ['openai-compatible', false]],
  );
  assert.equal(s.modelMode, 'default');
  assert.deepEqual(r.planning, { providerType: 'anthropic', model: 'claude-sonnet-4-6' });
  assert.deepEqual(r.coding, { providerType: 'anthropic', model: 'claude-haiku-4-5-20251001' });
  const listed = new Set(r.providers.map((p) => p.type));
  for (const role of ['planning', 'coding']) assert.ok(listed.has(s.modelOverrides[role].providerType), `${role} override points at a listed provider`);
});

test('Settings page walk after onboarding MindsHub: one default minds-cloud provider in default mode, tested and streamed at /api/v1', async (t) => {
  const stub = await new StubLlm().start();
  stub.acceptKeys = ['mdb_key'];
  const ta = await startTestApp({ listen: true });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  assert.deepEqual((await api(ta, 'POST', '/v1/settings/validate-provider', { provider: 'minds', apiKey: 'mdb_key', baseUrl: stub.url })).body, { ok: true });
  const lines = [
    'ANTON_TERMS_CONSENT=true',
    'ANTON_MINDS_ENABLED=true',
    'ANTON_MINDS_API_KEY=mdb_key',
    `ANTON_MINDS_URL=${stub.url}`,
    'ANTON_OPENAI_API_KEY=mdb_key',
    `ANTON_OPENAI_BASE_URL=${stub.url}/api/v1`,
    'ANTON_PLANNING_PROVIDER=openai-compatible',
    'ANTON_CODING_PROVIDER=openai-compatible',
    'ANTON_PLANNING_MODEL=_reason_',
    'ANTON_CODING_MODEL=_code_',
  ];
  await api(ta, 'POST', '/v1/settings/raw', { content: lines.join('\n') });
  const s1 = (await api(ta, 'GET', '/v1/settings')).body;
  const r1 = render(s1);
  assert.deepEqual(r1.providers.map((p) => [p.type, p.isDefault]), [['minds-cloud', true]]);
  assert.equal(s1.modelMode, 'default');
  assert.deepEqual([r1.planning, r1.coding], [{ providerType: 'minds-cloud', model: '_reason_' }, { providerType: 'minds-cloud', model: '_code_' }]);
  const tp = (await api(ta, 'POST', '/v1/settings/test-providers', { providers: r1.providers })).body;
  assert.deepEqual(tp.providerStatus, { 'minds-cloud': 'ok' });
  assert.equal(stub.gets.at(-1)?.path, '/api/v1/minds/');
  assert.equal((await api(ta, 'PUT', '/v1/settings', s1)).status, 200);
  const s2 = (await api(ta, 'GET', '/v1/settings')).body;
  assert.deepEqual(render(s2).providers.map((p) => [p.type, p.isDefault]), [['minds-cloud', true]]);
  assert.deepEqual([render(s2).planning, render(s2).coding], [r1.planning, r1.coding]);
  stub.enqueue({ text: 'hello from minds' });
  const sse = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'hi', model: s2.defaultModel }));
  assert.equal(sse.frames.at(-1)?.type, 'response.completed');
  assert.deepEqual([stub.requests.at(-1)?.path, stub.requests.at(-1)?.body.model], ['/api/v1/chat/completions', '_reason_']);
});
