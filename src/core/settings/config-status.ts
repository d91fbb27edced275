import { memoBySettings, type EnvStore } from './env-store.js';
import { PROVIDER_KEY_VAR, PROVIDER_TYPE_LABELS, isProviderType, resolveRole } from './providers.js';

export function providerLabel(provider: string): string {
  return isProviderType(provider) ? PROVIDER_TYPE_LABELS[provider] : provider;
}

export interface ConfigStatus {
  config_ready: boolean;
  config_error: string;
  provider: string;
  model: string;
  provider_label: string;
}

/**
 * Is the planning role usable? A pure read: unlike the reference it never migrates keys on disk. Asked on every
 * /health and turn: recomputed only when the configuration changed.
 */
export const getConfigStatus: (env: EnvStore) => ConfigStatus = memoBySettings((env) => Object.freeze(computeConfigStatus(env)));

function computeConfigStatus(env: EnvStore): ConfigStatus {
  const role = resolveRole(env, 'planning');
  const missing: string[] = [];
  const compatible = !isProviderType(role.provider) || role.provider === 'openai-compatible';
  if (compatible) {
    // A local endpoint (Ollama, LM Studio) needs no key, only its URL.
    if (!role.baseUrl) missing.push('ANTON_OPENAI_BASE_URL (or ANTON_MINDS_API_KEY)');
  } else if (!role.apiKey) {
    missing.push(role.provider === 'openai' ? 'ANTON_OPENAI_API_KEY' : PROVIDER_KEY_VAR[role.provider as keyof typeof PROVIDER_KEY_VAR]);
  }
  if (!role.model) missing.push('ANTON_PLANNING_MODEL');
  const label = providerLabel(role.provider);
  return {
    config_ready: missing.length === 0,
    config_error: missing.length ? `Configure ${missing.join(', ')} for ${label}.` : '',
    provider: role.provider,
    model: role.model,
    provider_label: label,
  };
}
