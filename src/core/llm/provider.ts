import type { EnvStore } from '../settings/env-store.js';
import { resolveRole, type Role } from '../settings/providers.js';
import { AnthropicProvider } from './anthropic.js';
import { OpenAIProvider } from './openai.js';
import type { LlmProvider, ProviderOptions } from './types.js';

export type { ProviderOptions } from './types.js';

export function providerOptions(env: EnvStore): ProviderOptions {
  return {
    maxRetries: env.setting('ANTON_LLM_MAX_RETRIES'),
    requestTimeoutMs: env.settingMs('ANTON_LLM_REQUEST_TIMEOUT_S'),
    idleTimeoutMs: env.settingMs('ANTON_LLM_IDLE_TIMEOUT_S'),
  };
}

/** The provider for a role, from the configuration as it is right now (settings changes apply to the next call). */
export function createProvider(env: EnvStore, role: Role, modelOverride?: string): LlmProvider {
  const cfg = resolveRole(env, role, modelOverride);
  const opts = providerOptions(env);
  return cfg.adapter === 'anthropic' ? new AnthropicProvider(cfg, opts) : new OpenAIProvider(cfg, opts);
}

/** Can this role be called at all (a key, or a URL for a keyless OpenAI-compatible endpoint, and a model)? */
export function roleUsable(env: EnvStore, role: Role): boolean {
  const cfg = resolveRole(env, role);
  if (!cfg.model) return false;
  return cfg.adapter === 'openai' && !['openai', 'gemini', 'minds-cloud', 'anthropic'].includes(cfg.provider) ? !!cfg.baseUrl : !!cfg.apiKey;
}

/**
 * The provider for cheap side calls (context summaries), as in the reference: the coding role, or the planning
 * role when the coding one cannot be called.
 */
export function createSideProvider(env: EnvStore): LlmProvider {
  return createProvider(env, roleUsable(env, 'coding') ? 'coding' : 'planning');
}

