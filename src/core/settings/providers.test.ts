import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvStore } from './env-store.js';
import { modelFitsProvider, resolveRole } from './providers.js';

const envOf = (vars: Record<string, string>) => new EnvStore(vars, '/nonexistent/.env');

test('the default model depends on the provider: OpenAI is never given a Claude model name, Gemini never a GPT one', () => {
  assert.equal(resolveRole(envOf({ ANTON_PLANNING_PROVIDER: 'openai', ANTON_OPENAI_API_KEY: 'k' }), 'planning').model, 'gpt-5');
  assert.equal(resolveRole(envOf({ ANTON_PLANNING_PROVIDER: 'openai', ANTON_OPENAI_API_KEY: 'k' }), 'coding').model, 'gpt-5-mini', 'an unset coding role follows the planning provider');
  // A stale Claude name left in the file by an earlier Anthropic set-up is not sent to OpenAI.
  assert.equal(resolveRole(envOf({ ANTON_PLANNING_PROVIDER: 'openai', ANTON_OPENAI_API_KEY: 'k', ANTON_PLANNING_MODEL: 'claude-sonnet-4-6' }), 'planning').model, 'gpt-5');
  assert.equal(resolveRole(envOf({ ANTON_PLANNING_PROVIDER: 'gemini', ANTON_PLANNING_MODEL: 'gpt-5' }), 'planning').model, 'gemini-2.5-pro');
  assert.equal(resolveRole(envOf({ ANTON_PLANNING_PROVIDER: 'minds-cloud' }), 'planning').model, '_reason_');
  assert.equal(resolveRole(envOf({}), 'planning').model, 'claude-sonnet-4-6');
  // A custom endpoint has no recommendation: the user's model, and the coding role reuses it.
  const ollama = envOf({ ANTON_PLANNING_PROVIDER: 'openai-compatible', ANTON_OPENAI_API_KEY: 'x', ANTON_OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', ANTON_PLANNING_MODEL: 'llama3' });
  assert.equal(resolveRole(ollama, 'coding').model, 'llama3');
});

test('a request model from another vendor is refused for a vendor API, accepted by routing endpoints', () => {
  const openai = envOf({ ANTON_OPENAI_API_KEY: 'k' });
  assert.equal(modelFitsProvider(openai, 'openai', 'claude-sonnet-4-6'), false);
  assert.equal(modelFitsProvider(openai, 'openai', 'gpt-4.1'), true);
  assert.equal(modelFitsProvider(openai, 'openai', 'o3'), true);
  assert.equal(modelFitsProvider(openai, 'openai', '_reason_'), false);
  assert.equal(modelFitsProvider(openai, 'anthropic', 'gpt-5'), false);
  assert.equal(modelFitsProvider(openai, 'gemini', 'claude-sonnet-4-6'), false);
  assert.equal(modelFitsProvider(openai, 'minds-cloud', 'claude-sonnet-4-6'), true);
  assert.equal(modelFitsProvider(openai, 'minds-cloud', '_reason_'), true);
  assert.equal(modelFitsProvider(openai, 'openai-compatible', 'claude-sonnet-4-6'), true);
  const proxy = envOf({ ANTON_OPENAI_API_KEY: 'k', ANTON_OPENAI_BASE_URL: 'https://litellm.example/v1' });
  assert.equal(modelFitsProvider(proxy, 'openai', 'claude-sonnet-4-6'), true, 'OpenAI-shaped proxies route any vendor');
});
