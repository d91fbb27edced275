import type { EnvStore } from './env-store.js';

export const DEFAULT_PLANNING_PROVIDER = 'anthropic';
export const DEFAULT_PLANNING_MODEL = 'claude-sonnet-4-6';
export const DEFAULT_CODING_PROVIDER = 'anthropic';
export const DEFAULT_CODING_MODEL = 'claude-haiku-4-5-20251001';

/** Provider types the settings UI manages. Each maps to one wire adapter. */
export const PROVIDER_TYPES = ['minds-cloud', 'anthropic', 'openai', 'gemini', 'openai-compatible'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export type WireAdapter = 'anthropic' | 'openai';

export const PROVIDER_TYPE_LABELS: Record<ProviderType, string> = {
  'minds-cloud': 'Minds Cloud',
  anthropic: 'Anthropic',
  openai: 'OpenAI',
  gemini: 'Google Gemini',
  'openai-compatible': 'OpenAI-compatible',
};

export const RECOMMENDED_PAIR: Record<ProviderType, { planning: string; coding: string }> = {
  'minds-cloud': { planning: '_reason_', coding: '_code_' },
  anthropic: { planning: DEFAULT_PLANNING_MODEL, coding: DEFAULT_CODING_MODEL },
  openai: { planning: 'gpt-5', coding: 'gpt-5-mini' },
  gemini: { planning: 'gemini-2.5-pro', coding: 'gemini-2.5-flash' },
  'openai-compatible': { planning: '', coding: '' },
};

export const RECOMMENDED_MODELS: Record<ProviderType, string[]> = {
  'minds-cloud': ['_reason_', '_code_'],
  anthropic: [DEFAULT_PLANNING_MODEL, DEFAULT_CODING_MODEL, 'claude-opus-4-1'],
  openai: ['gpt-5', 'gpt-5-mini', 'gpt-4.1'],
  gemini: ['gemini-2.5-pro', 'gemini-2.5-flash'],
  'openai-compatible': [],
};

/** Where each provider type keeps its key in ~/.anton/.env (one variable per type, no copies). */
export const PROVIDER_KEY_VAR: Record<ProviderType, string> = {
  'minds-cloud': 'ANTON_MINDS_API_KEY',
  anthropic: 'ANTON_ANTHROPIC_API_KEY',
  openai: 'ANTON_OPENAI_API_KEY',
  gemini: 'ANTON_GEMINI_API_KEY',
  'openai-compatible': 'ANTON_COMPATIBLE_API_KEY',
};
export const COMPATIBLE_BASE_URL_VAR = 'ANTON_COMPATIBLE_BASE_URL';
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta/openai/';
export const DEFAULT_MINDS_URL = 'https://api.mindshub.ai';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function isProviderType(v: unknown): v is ProviderType {
  return typeof v === 'string' && (PROVIDER_TYPES as readonly string[]).includes(v);
}

export type Role = 'planning' | 'coding';

/** Everything needed to call one LLM role. apiKey is kept out of any serialisation helpers. */
export interface RoleConfig {
  role: Role;
  provider: string; // value of ANTON_<ROLE>_PROVIDER
  adapter: WireAdapter;
  model: string;
  apiKey: string | undefined;
  baseUrl: string | undefined;
  sslVerify: boolean;
}

function mindsBase(env: EnvStore): string {
  return (env.get('ANTON_MINDS_URL') ?? DEFAULT_MINDS_URL).replace(/\/+$/, '');
}

/** Resolve the provider, model, key and endpoint of a role from the current configuration. */
export function resolveRole(env: EnvStore, role: Role, modelOverride?: string): RoleConfig {
  const R = role.toUpperCase();
  const provider = env.get(`ANTON_${R}_PROVIDER`) ?? (role === 'planning' ? DEFAULT_PLANNING_PROVIDER : DEFAULT_CODING_PROVIDER);
  const model = modelOverride || env.get(`ANTON_${R}_MODEL`) || (role === 'planning' ? DEFAULT_PLANNING_MODEL : DEFAULT_CODING_MODEL);
  const sslVerify = env.bool('ANTON_MINDS_SSL_VERIFY', true);
  const base = { role, provider, model, sslVerify };
  switch (provider) {
    case 'anthropic':
      return { ...base, adapter: 'anthropic', apiKey: env.getWithLegacy('ANTON_ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY'), baseUrl: env.get('ANTON_ANTHROPIC_BASE_URL') };
    case 'openai':
      return { ...base, adapter: 'openai', apiKey: env.getWithLegacy('ANTON_OPENAI_API_KEY', 'OPENAI_API_KEY'), baseUrl: env.get('ANTON_OPENAI_BASE_URL') };
    case 'gemini':
      return { ...base, adapter: 'openai', apiKey: env.get('ANTON_GEMINI_API_KEY'), baseUrl: GEMINI_BASE_URL };
    case 'minds-cloud':
      return { ...base, adapter: 'openai', apiKey: env.get('ANTON_MINDS_API_KEY'), baseUrl: `${mindsBase(env)}/v1` };
    default: {
      // openai-compatible (and unknown values, which the reference also treats as OpenAI-shaped)
      const mindsKey = env.get('ANTON_MINDS_API_KEY');
      const apiKey = env.get('ANTON_COMPATIBLE_API_KEY') ?? env.getWithLegacy('ANTON_OPENAI_API_KEY', 'OPENAI_API_KEY') ?? mindsKey;
      const baseUrl = env.get(COMPATIBLE_BASE_URL_VAR) ?? env.get('ANTON_OPENAI_BASE_URL') ?? (mindsKey ? `${mindsBase(env)}/api/v1` : undefined);
      return { ...base, adapter: 'openai', apiKey, baseUrl };
    }
  }
}

/** Minds model sentinels (`_reason_`) only mean something to an OpenAI-compatible/Minds endpoint. */
export function isMindsSentinel(model: string): boolean {
  return /^_[a-z]+_$/.test(model);
}
