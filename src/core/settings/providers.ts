import type { EnvStore } from './env-store.js';
import { SETTINGS } from './settings-registry.js';

export const DEFAULT_PLANNING_PROVIDER = SETTINGS.ANTON_PLANNING_PROVIDER.default;
export const DEFAULT_PLANNING_MODEL = 'claude-sonnet-4-6';
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

/** `[planning, coding]` per provider type: the client reads `pair[0]` / `pair[1]`. Empty = the user must choose. */
export const RECOMMENDED_PAIR: Record<ProviderType, [string, string]> = {
  'minds-cloud': ['_reason_', '_code_'],
  anthropic: [DEFAULT_PLANNING_MODEL, DEFAULT_CODING_MODEL],
  openai: ['gpt-5', 'gpt-5-mini'],
  gemini: ['gemini-2.5-pro', 'gemini-2.5-flash'],
  'openai-compatible': ['', ''],
};

export const RECOMMENDED_MODELS: Record<ProviderType, string[]> = {
  'minds-cloud': ['_reason_', '_code_'],
  anthropic: [DEFAULT_PLANNING_MODEL, DEFAULT_CODING_MODEL, 'claude-opus-4-1'],
  openai: ['gpt-5', 'gpt-5-mini', 'gpt-4.1'],
  gemini: ['gemini-2.5-pro', 'gemini-2.5-flash'],
  'openai-compatible': [],
};

/** Where each provider type keeps its own key in ~/.anton/.env (one variable per type, no copies). */
export const PROVIDER_KEY_VAR: Record<ProviderType, string> = {
  'minds-cloud': 'ANTON_MINDS_API_KEY',
  anthropic: 'ANTON_ANTHROPIC_API_KEY',
  openai: 'ANTON_OPENAI_API_KEY',
  gemini: 'ANTON_GEMINI_API_KEY',
  'openai-compatible': 'ANTON_COMPATIBLE_API_KEY',
};
export const COMPATIBLE_BASE_URL_VAR = 'ANTON_COMPATIBLE_BASE_URL';
export const GEMINI_BASE_URL = SETTINGS.ANTON_GEMINI_BASE_URL.default;
export const DEFAULT_MINDS_URL = SETTINGS.ANTON_MINDS_URL.default;
/** Minds Cloud's OpenAI-compatible API lives under `<minds url>/api/v1` (as in the reference and its onboarding). */
export const MINDS_API_PATH = '/api/v1';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export function isProviderType(v: unknown): v is ProviderType {
  return typeof v === 'string' && (PROVIDER_TYPES as readonly string[]).includes(v);
}

export type Role = 'planning' | 'coding';

/** Everything needed to call one LLM role. apiKey is kept out of any serialisation helpers. */
export interface RoleConfig {
  role: Role;
  provider: string; // value of ANTON_<ROLE>_PROVIDER (or the planning provider when the coding one is unset)
  adapter: WireAdapter;
  model: string;
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** False only for a Minds endpoint with ANTON_MINDS_SSL_VERIFY=false (self-hosted, self-signed certificate). */
  sslVerify: boolean;
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

export function mindsBase(env: EnvStore): string {
  return trimSlash(env.setting('ANTON_MINDS_URL'));
}

export function geminiBase(env: EnvStore): string {
  return env.setting('ANTON_GEMINI_BASE_URL'); // override for proxies and tests
}

export function openaiSlotKey(env: EnvStore): string | undefined {
  return env.getWithLegacy('ANTON_OPENAI_API_KEY', 'OPENAI_API_KEY');
}

/**
 * The reference's single OpenAI slot (ANTON_OPENAI_API_KEY + ANTON_OPENAI_BASE_URL) is shared: onboarding writes
 * Gemini, Minds and custom endpoints into it. Which provider type does it hold? A custom endpoint (Ollama, vLLM…)
 * counts as `openai`, as in the reference's settings page.
 */
export function openaiSlotType(env: EnvStore): 'openai' | 'gemini' | 'minds-cloud' | null {
  if (!openaiSlotKey(env)) return null;
  const base = trimSlash(env.get('ANTON_OPENAI_BASE_URL') ?? '');
  if (base.startsWith('https://generativelanguage.googleapis.com/')) return 'gemini';
  if (base && base.startsWith(mindsBase(env))) return 'minds-cloud';
  return 'openai';
}

/** Is the OpenAI slot pointed at something other than api.openai.com? */
export function openaiSlotIsCustom(env: EnvStore): boolean {
  const base = env.get('ANTON_OPENAI_BASE_URL');
  return !!base && trimSlash(base) !== DEFAULT_OPENAI_BASE_URL;
}

/** The recommended `[planning, coding]` models for a type as configured now (none for a custom endpoint). */
export function recommendedPairFor(env: EnvStore, type: ProviderType): [string, string] {
  if (type === 'openai' && openaiSlotIsCustom(env)) return ['', ''];
  return RECOMMENDED_PAIR[type];
}

const VENDOR_FAMILIES: [RegExp, string][] = [
  [/^claude-/i, 'anthropic'],
  [/^(gpt-|o[1-9](-|$)|chatgpt-)/i, 'openai'],
  [/^gemini-/i, 'gemini'],
];

/**
 * Would this model name make sense for this provider? A model of a known vendor family (claude-*, gpt-*, gemini-*)
 * sent to another vendor's own API is always a mistake (OpenAI answers 404); endpoints that route many vendors
 * (Minds, OpenAI-compatible, OpenAI on a custom base URL) accept anything.
 */
export function modelFitsProvider(env: EnvStore, provider: string, model: string): boolean {
  const routesAnything = provider === 'minds-cloud' || provider === 'openai-compatible' || !isProviderType(provider) || (provider === 'openai' && openaiSlotIsCustom(env));
  if (isMindsSentinel(model)) return routesAnything;
  const family = VENDOR_FAMILIES.find(([re]) => re.test(model))?.[1];
  if (!family) return true;
  if (provider === 'anthropic') return family === 'anthropic' || !!env.get('ANTON_ANTHROPIC_BASE_URL');
  if (provider === 'openai') return family === 'openai' || openaiSlotIsCustom(env);
  if (provider === 'gemini') return family === 'gemini';
  return true;
}

function defaultModel(env: EnvStore, role: Role, provider: string): string {
  // An explicit `openai` provider gets OpenAI's models even behind a proxy URL. `openai-compatible` takes those of
  // what it really calls through the shared slot (Gemini, Minds, OpenAI itself); a custom endpoint has none.
  let type: ProviderType = isProviderType(provider) ? provider : 'openai-compatible';
  if (type === 'openai-compatible' && !env.get(COMPATIBLE_BASE_URL_VAR) && !env.get('ANTON_COMPATIBLE_API_KEY')) {
    const slot = openaiSlotType(env);
    type = slot === 'openai' ? (openaiSlotIsCustom(env) ? 'openai-compatible' : 'openai') : (slot ?? (env.get('ANTON_MINDS_API_KEY') ? 'minds-cloud' : type));
  }
  const rec = RECOMMENDED_PAIR[type][role === 'planning' ? 0 : 1];
  if (rec) return rec;
  // No recommendation (custom endpoints): the coding role uses the planning model.
  return role === 'coding' ? resolveRole(env, 'planning').model : '';
}

/** Resolve the provider, model, key and endpoint of a role from the current configuration. */
export function resolveRole(env: EnvStore, role: Role, modelOverride?: string): RoleConfig {
  const R = role.toUpperCase();
  const planningProvider = env.setting('ANTON_PLANNING_PROVIDER');
  // An unset coding provider follows the planning one (the reference's fixed `anthropic` fails without that key).
  const provider = role === 'planning' ? planningProvider : (env.get('ANTON_CODING_PROVIDER') ?? planningProvider);
  const roleModel = env.get(`ANTON_${R}_MODEL`);
  const model = modelOverride || (roleModel && modelFitsProvider(env, provider, roleModel) ? roleModel : defaultModel(env, role, provider));
  const base = { role, provider, model, sslVerify: true };
  switch (provider) {
    case 'anthropic':
      return { ...base, adapter: 'anthropic', apiKey: env.getWithLegacy('ANTON_ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY'), baseUrl: env.get('ANTON_ANTHROPIC_BASE_URL') };
    case 'openai': {
      const baseUrl = env.get('ANTON_OPENAI_BASE_URL');
      return { ...base, adapter: 'openai', apiKey: openaiSlotKey(env), baseUrl, sslVerify: mindsSslVerify(env, baseUrl) };
    }
    case 'gemini':
      return { ...base, adapter: 'openai', apiKey: env.get('ANTON_GEMINI_API_KEY') ?? (openaiSlotType(env) === 'gemini' ? openaiSlotKey(env) : undefined), baseUrl: geminiBase(env) };
    case 'minds-cloud': {
      const apiKey = env.get('ANTON_MINDS_API_KEY') ?? (openaiSlotType(env) === 'minds-cloud' ? openaiSlotKey(env) : undefined);
      return { ...base, adapter: 'openai', apiKey, baseUrl: `${mindsBase(env)}${MINDS_API_PATH}`, sslVerify: env.setting('ANTON_MINDS_SSL_VERIFY') };
    }
    default: {
      // openai-compatible (and unknown values, which the reference also treats as OpenAI-shaped): the settings
      // page's own endpoint first, then the shared OpenAI slot (onboarding's "Custom"), then Minds.
      const ownBase = env.get(COMPATIBLE_BASE_URL_VAR);
      if (ownBase || env.get('ANTON_COMPATIBLE_API_KEY')) {
        return { ...base, adapter: 'openai', apiKey: env.get('ANTON_COMPATIBLE_API_KEY'), baseUrl: ownBase };
      }
      const mindsKey = env.get('ANTON_MINDS_API_KEY');
      const slotKey = openaiSlotKey(env);
      const baseUrl = slotKey ? env.get('ANTON_OPENAI_BASE_URL') : mindsKey ? `${mindsBase(env)}${MINDS_API_PATH}` : undefined;
      return { ...base, adapter: 'openai', apiKey: slotKey ?? mindsKey, baseUrl, sslVerify: mindsSslVerify(env, baseUrl) };
    }
  }
}

/** ANTON_MINDS_SSL_VERIFY applies to whatever endpoint is the Minds one. */
function mindsSslVerify(env: EnvStore, baseUrl: string | undefined): boolean {
  return baseUrl && trimSlash(baseUrl).startsWith(mindsBase(env)) ? env.setting('ANTON_MINDS_SSL_VERIFY') : true;
}

/** Minds model sentinels (`_reason_`) only mean something to an OpenAI-compatible/Minds endpoint. */
export function isMindsSentinel(model: string): boolean {
  return /^_[a-z]+_$/.test(model);
}
