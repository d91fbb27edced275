import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { makeTempHome } from '../../../testing/temp-home.js';

type T = { after: (fn: () => unknown) => void };

/** Each provider of the settings list, configured the way the settings page or onboarding writes it. */
const PROVIDERS: { type: string; env: (url: string) => Record<string, string>; path: string; model: string; auth: [string, string] }[] = [
  { type: 'anthropic', env: (u) => ({ ANTON_PLANNING_PROVIDER: 'anthropic', ANTON_ANTHROPIC_API_KEY: 'k-ant', ANTON_ANTHROPIC_BASE_URL: u }), path: '/v1/messages', model: 'claude-sonnet-4-6', auth: ['authorization', 'Bearer k-ant'] },
  { type: 'openai', env: (u) => ({ ANTON_PLANNING_PROVIDER: 'openai', ANTON_OPENAI_API_KEY: 'k-oai', ANTON_OPENAI_BASE_URL: `${u}/v1` }), path: '/v1/chat/completions', model: 'gpt-5', auth: ['authorization', 'Bearer k-oai'] },
  { type: 'gemini', env: (u) => ({ ANTON_PLANNING_PROVIDER: 'gemini', ANTON_GEMINI_API_KEY: 'k-gem', ANTON_GEMINI_BASE_URL: `${u}/v1beta/openai/` }), path: '/v1beta/openai/chat/completions', model: 'gemini-2.5-pro', auth: ['authorization', 'Bearer k-gem'] },
  { type: 'minds-cloud', env: (u) => ({ ANTON_PLANNING_PROVIDER: 'minds-cloud', ANTON_MINDS_API_KEY: 'k-minds', ANTON_MINDS_URL: u }), path: '/api/v1/chat/completions', model: '_reason_', auth: ['authorization', 'Bearer k-minds'] },
  // Onboarding's MindsHub path: the shared OpenAI slot pointed at <minds>/api/v1.
  { type: 'minds-cloud (onboarding)', env: (u) => ({ ANTON_PLANNING_PROVIDER: 'openai-compatible', ANTON_OPENAI_API_KEY: 'k-minds', ANTON_OPENAI_BASE_URL: `${u}/api/v1`, ANTON_MINDS_API_KEY: 'k-minds', ANTON_MINDS_URL: u, ANTON_PLANNING_MODEL: '_reason_' }), path: '/api/v1/chat/completions', model: '_reason_', auth: ['authorization', 'Bearer k-minds'] },
  { type: 'openai-compatible', env: (u) => ({ ANTON_PLANNING_PROVIDER: 'openai-compatible', ANTON_COMPATIBLE_BASE_URL: `${u}/v1`, ANTON_PLANNING_MODEL: 'llama3' }), path: '/v1/chat/completions', model: 'llama3', auth: ['authorization', 'Bearer not-needed'] },
];

async function turn(url: string, body: Record<string, unknown> = {}) {
  return readSse(await postJson(`${url}/v1/responses`, { input: 'Hi', stream: true, ...body }));
}

for (const p of PROVIDERS) {
  test(`${p.type}: a turn streams from the stub speaking its wire format at its real path, with the provider's default model`, async (t: T) => {
    const stub = await new StubLlm().start();
    const ta = await startTestApp({ listen: true, env: { ...p.env(stub.url), ANTON_LLM_MAX_RETRIES: '0' } });
    t.after(async () => {
      await ta.close();
      await stub.stop();
    });
    stub.enqueue({ text: `Hello from ${p.type}` });
    const sse = await turn(ta.url);
    assert.equal(sse.frames.at(-1)?.type, 'response.completed', JSON.stringify(sse.frames.at(-1)));
    const text = sse.frames.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta).join('');
    assert.equal(text, `Hello from ${p.type}`);
    const req = stub.requests[0];
    assert.equal(req.path, p.path);
    assert.equal(req.body.model, p.model);
    assert.equal(req.headers[p.auth[0]], p.auth[1]);
    assert.equal(req.body.stream, true);
  });
}

test('context summaries use the coding role (a cheap model on its own provider), then the planning call is retried', async (t: T) => {
  const stub = await new StubLlm().start();
  const ta = await startTestApp({
    listen: true,
    env: {
      ANTON_ANTHROPIC_API_KEY: 'k-ant',
      ANTON_ANTHROPIC_BASE_URL: stub.url,
      ANTON_CODING_PROVIDER: 'openai',
      ANTON_CODING_MODEL: 'gpt-5-mini',
      ANTON_OPENAI_API_KEY: 'k-oai',
      ANTON_OPENAI_BASE_URL: `${stub.url}/v1`,
      ANTON_LLM_MAX_RETRIES: '0',
    },
  });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  let cid: string | null = null;
  for (let i = 0; i < 4; i++) {
    stub.enqueue({ text: `answer ${i}` });
    const sse = await turn(ta.url, { input: `question ${i}`, conversation: cid });
    cid = sse.frames[0].conversation_id as string;
  }
  stub.enqueue({ error: { status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum' } }, { text: 'Summary: four questions.' }, { text: 'final answer' });
  const sse = await turn(ta.url, { input: 'question 4', conversation: cid });
  assert.equal(sse.frames.at(-1)?.type, 'response.completed');
  const [overflow, summary, retry] = stub.requests.slice(4);
  assert.equal(overflow.path, '/v1/messages');
  assert.equal(summary.path, '/v1/chat/completions');
  assert.equal(summary.body.model, 'gpt-5-mini');
  assert.equal(retry.path, '/v1/messages');
  assert.match(JSON.stringify(retry.body.messages), /Summary: four questions/);
});

test('ANTON_MINDS_SSL_VERIFY=false reaches a self-hosted Minds with a self-signed certificate; verification stays on by default', async (t: T) => {
  const tmp = makeTempHome('anton-tls-');
  const key = join(tmp.home, 'key.pem');
  const cert = join(tmp.home, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const stub = await new StubLlm().start({ tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } });
  const env = { ANTON_PLANNING_PROVIDER: 'minds-cloud', ANTON_MINDS_API_KEY: 'k-minds', ANTON_MINDS_URL: stub.url, ANTON_LLM_MAX_RETRIES: '0' };
  const verifying = await startTestApp({ listen: true, env });
  const lenient = await startTestApp({ listen: true, env: { ...env, ANTON_MINDS_SSL_VERIFY: 'false' } });
  t.after(async () => {
    await verifying.close();
    await lenient.close();
    await stub.stop();
    tmp.cleanup();
  });
  const refused = await turn(verifying.url);
  assert.equal(refused.frames.at(-1)?.type, 'response.failed');
  assert.equal(stub.requests.length, 0);
  stub.enqueue({ text: 'over self-signed TLS' });
  const ok = await turn(lenient.url);
  assert.equal(ok.frames.at(-1)?.type, 'response.completed', JSON.stringify(ok.frames.at(-1)));
  assert.equal(stub.requests[0].path, '/api/v1/chat/completions');
  const probe = (await (await postJson(`${lenient.url}/v1/settings/test-providers`, {})).json()) as { providerStatus: Record<string, string> };
  assert.deepEqual(probe.providerStatus, { 'minds-cloud': 'ok' });
});
