import type { EnvStore, EnvChanges } from '../../../core/settings/env-store.js';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import {
  COMPATIBLE_BASE_URL_VAR,
  DEFAULT_MINDS_URL,
  DEFAULT_OPENAI_BASE_URL,
  PROVIDER_KEY_VAR,
  PROVIDER_TYPES,
  PROVIDER_TYPE_LABELS,
  RECOMMENDED_MODELS,
  RECOMMENDED_PAIR,
  isProviderType,
  resolveRole,
  type ProviderType,
} from '../../../core/settings/providers.js';
import type { KvStore } from '../stores/kv.js';
import { importedDefaultModel } from './import-ledger.js';

export const MASK = '***';
export const UI_DEFAULTS = {
  greeting: "Let's knock something off your list",
  tone: 'balanced',
  autoPin: true,
  showDots: true,
  showCounters: true,
  accentVariant: 'aqua',
};
export type UiPrefs = typeof UI_DEFAULTS;

/** Body fields that map 1:1 onto ~/.anton/.env variables. */
export const ENV_STRING_FIELDS = {
  planningProvider: 'ANTON_PLANNING_PROVIDER',
  planningModel: 'ANTON_PLANNING_MODEL',
  codingProvider: 'ANTON_CODING_PROVIDER',
  codingModel: 'ANTON_CODING_MODEL',
  openaiBaseUrl: 'ANTON_OPENAI_BASE_URL',
  mindsUrl: 'ANTON_MINDS_URL',
  mindsMindName: 'ANTON_MINDS_MIND_NAME',
  mindsDatasource: 'ANTON_MINDS_DATASOURCE',
  mindsDatasourceEngine: 'ANTON_MINDS_DATASOURCE_ENGINE',
  publishUrl: 'ANTON_PUBLISH_URL',
  memoryMode: 'ANTON_MEMORY_MODE',
  uiUpdateMode: 'UI_UPDATE_MODE',
} as const;
export const ENV_BOOL_FIELDS = {
  mindsSslVerify: ['ANTON_MINDS_SSL_VERIFY', true],
  memoryEnabled: ['ANTON_MEMORY_ENABLED', true],
  episodicMemory: ['ANTON_EPISODIC_MEMORY', true],
  proactiveDashboards: ['ANTON_PROACTIVE_DASHBOARDS', false],
} as const;
export const ENV_KEY_FIELDS = {
  anthropicApiKey: 'ANTON_ANTHROPIC_API_KEY',
  openaiApiKey: 'ANTON_OPENAI_API_KEY',
  mindsApiKey: 'ANTON_MINDS_API_KEY',
} as const;
export const REVEALABLE_KEYS: Record<string, string> = { anthropic: 'ANTON_ANTHROPIC_API_KEY', openai: 'ANTON_OPENAI_API_KEY', minds: 'ANTON_MINDS_API_KEY' };

export interface ProviderEntry {
  type: ProviderType;
  apiKey: string;
  isDefault: boolean;
  baseUrl?: string;
  name?: string;
  mindsUrl?: string;
  mindsMindName?: string;
  mindsDatasource?: string;
  mindsDatasourceEngine?: string;
  mindsSslVerify?: boolean;
}

/** A legacy OpenAI-compatible setup keeps its key in ANTON_OPENAI_API_KEY next to a custom base URL. */
function legacyCompatible(env: EnvStore): boolean {
  const base = env.get('ANTON_OPENAI_BASE_URL');
  return !!base && !base.startsWith(DEFAULT_OPENAI_BASE_URL) && !env.get(PROVIDER_KEY_VAR['openai-compatible']);
}

export function providerKey(env: EnvStore, type: ProviderType): string | undefined {
  if (type === 'openai') return legacyCompatible(env) ? undefined : env.get('ANTON_OPENAI_API_KEY');
  if (type === 'openai-compatible') return env.get(PROVIDER_KEY_VAR[type]) ?? (legacyCompatible(env) ? env.get('ANTON_OPENAI_API_KEY') : undefined);
  return env.get(PROVIDER_KEY_VAR[type]);
}

export function providerBaseUrl(env: EnvStore, type: ProviderType): string | undefined {
  if (type === 'openai-compatible') return env.get(COMPATIBLE_BASE_URL_VAR) ?? env.get('ANTON_OPENAI_BASE_URL');
  if (type === 'minds-cloud') return env.get('ANTON_MINDS_URL') ?? DEFAULT_MINDS_URL;
  return undefined;
}

/** Which provider type the planning role currently uses. */
export function roleProviderType(env: EnvStore, role: 'planning' | 'coding'): ProviderType {
  const p = resolveRole(env, role).provider;
  if (isProviderType(p) && p !== 'openai-compatible') return p;
  return env.get('ANTON_MINDS_API_KEY') && !providerKey(env, 'openai-compatible') ? 'minds-cloud' : 'openai-compatible';
}

/** Provider entries derived from ~/.anton/.env (keys are never stored twice, never in the database). */
export function listProviders(env: EnvStore, masked = true): ProviderEntry[] {
  const def = roleProviderType(env, 'planning');
  return PROVIDER_TYPES.flatMap((type): ProviderEntry[] => {
    const key = providerKey(env, type);
    if (!key) return [];
    const entry: ProviderEntry = { type, apiKey: masked ? MASK : key, isDefault: type === def };
    if (type === 'openai-compatible') Object.assign(entry, { baseUrl: providerBaseUrl(env, type) ?? '', name: env.get('ANTON_COMPATIBLE_NAME') ?? '' });
    if (type === 'minds-cloud') {
      Object.assign(entry, {
        mindsUrl: providerBaseUrl(env, type),
        mindsMindName: env.get('ANTON_MINDS_MIND_NAME') ?? '',
        mindsDatasource: env.get('ANTON_MINDS_DATASOURCE') ?? '',
        mindsDatasourceEngine: env.get('ANTON_MINDS_DATASOURCE_ENGINE') ?? '',
        mindsSslVerify: env.bool('ANTON_MINDS_SSL_VERIFY', true),
      });
    }
    return [entry];
  });
}

export function settingsView(env: EnvStore, kv: KvStore) {
  const cfg = getConfigStatus(env);
  const prefs = { ...UI_DEFAULTS, ...kv.get<Partial<UiPrefs>>('preferences', {}) };
  const planning = resolveRole(env, 'planning');
  const coding = resolveRole(env, 'coding');
  const providers = listProviders(env);
  const out: Record<string, unknown> = {
    planningProvider: planning.provider,
    planningModel: planning.model,
    codingProvider: coding.provider,
    codingModel: coding.model,
    openaiBaseUrl: env.get('ANTON_OPENAI_BASE_URL') ?? '',
    publishUrl: env.get('ANTON_PUBLISH_URL') ?? 'https://4nton.ai',
    mindsUrl: env.get('ANTON_MINDS_URL') ?? DEFAULT_MINDS_URL,
    mindsMindName: env.get('ANTON_MINDS_MIND_NAME') ?? '',
    mindsDatasource: env.get('ANTON_MINDS_DATASOURCE') ?? '',
    mindsDatasourceEngine: env.get('ANTON_MINDS_DATASOURCE_ENGINE') ?? '',
    memoryMode: env.get('ANTON_MEMORY_MODE') ?? 'autopilot',
    uiUpdateMode: env.get('UI_UPDATE_MODE') ?? 'manual',
    configReady: cfg.config_ready,
    configError: cfg.config_error,
    providerLabel: cfg.provider_label,
    ...prefs,
    defaultModel: importedDefaultModel(kv, planning.model) ?? planning.model, // C: the planning model; A's own pick kept after an import
    providers,
    modelMode: kv.get('modelMode', 'default'),
    modelOverrides: kv.get('modelOverrides', {
      planning: { providerType: roleProviderType(env, 'planning'), model: planning.model },
      coding: { providerType: roleProviderType(env, 'coding'), model: coding.model },
    }),
    providerTypes: PROVIDER_TYPES,
    providerTypeLabels: PROVIDER_TYPE_LABELS,
    recommendedModels: RECOMMENDED_MODELS,
    recommendedPair: RECOMMENDED_PAIR,
    providerStatus: Object.fromEntries(providers.map((p) => [p.type, kv.get<Record<string, string>>('providerStatus', {})[p.type] ?? 'untested'])),
    providerStatusDetails: kv.get('providerStatusDetails', {}),
  };
  for (const [field, key] of Object.entries(ENV_KEY_FIELDS)) out[field] = env.get(key) ? MASK : '';
  for (const [field, [key, dflt]] of Object.entries(ENV_BOOL_FIELDS)) out[field] = env.bool(key, dflt);
  return out;
}

/** The env changes implied by a `providers` patch (C's multi-provider model), keys kept in per-type variables. */
export function providersPatchChanges(
  env: EnvStore,
  patch: ProviderEntry[],
  modelMode: string,
  overrides: { planning?: { providerType?: string; model?: string }; coding?: { providerType?: string; model?: string } } | undefined,
): EnvChanges {
  const changes: EnvChanges = {};
  const present = new Set(patch.map((p) => p.type));
  for (const type of PROVIDER_TYPES) {
    if (!present.has(type)) {
      if (providerKey(env, type)) changes[type === 'openai-compatible' && legacyCompatible(env) ? 'ANTON_OPENAI_API_KEY' : PROVIDER_KEY_VAR[type]] = null;
      if (type === 'openai-compatible') changes[COMPATIBLE_BASE_URL_VAR] = null;
    }
  }
  for (const p of patch) {
    if (p.apiKey && p.apiKey !== MASK) changes[PROVIDER_KEY_VAR[p.type]] = p.apiKey.trim();
    else if (p.apiKey === MASK && p.type === 'openai-compatible' && legacyCompatible(env)) {
      changes[PROVIDER_KEY_VAR[p.type]] = env.get('ANTON_OPENAI_API_KEY') ?? null; // move to its own variable
    }
    if (p.type === 'openai-compatible') {
      if (p.baseUrl !== undefined) changes[COMPATIBLE_BASE_URL_VAR] = p.baseUrl.trim() || null;
      if (p.name !== undefined) changes.ANTON_COMPATIBLE_NAME = p.name.trim() || null;
    }
    if (p.type === 'minds-cloud') {
      if (p.mindsUrl !== undefined) changes.ANTON_MINDS_URL = p.mindsUrl.trim() || null;
      if (p.mindsMindName !== undefined) changes.ANTON_MINDS_MIND_NAME = p.mindsMindName || null;
      if (p.mindsDatasource !== undefined) changes.ANTON_MINDS_DATASOURCE = p.mindsDatasource || null;
      if (p.mindsDatasourceEngine !== undefined) changes.ANTON_MINDS_DATASOURCE_ENGINE = p.mindsDatasourceEngine || null;
      if (p.mindsSslVerify !== undefined) changes.ANTON_MINDS_SSL_VERIFY = String(p.mindsSslVerify);
    }
  }
  const def = patch.find((p) => p.isDefault)?.type ?? patch[0]?.type;
  if (!def) return changes;
  for (const role of ['planning', 'coding'] as const) {
    const R = role.toUpperCase();
    const o = overrides?.[role];
    const type = modelMode === 'custom' && isProviderType(o?.providerType) && present.has(o.providerType) ? o.providerType : def;
    const model = modelMode === 'custom' && o?.model ? o.model : RECOMMENDED_PAIR[type][role] || env.get(`ANTON_${R}_MODEL`) || '';
    changes[`ANTON_${R}_PROVIDER`] = type;
    changes[`ANTON_${R}_MODEL`] = model || null;
  }
  return changes;
}
