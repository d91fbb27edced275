import type { EnvStore, EnvChanges } from '../../../core/settings/env-store.js';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import {
  COMPATIBLE_BASE_URL_VAR,
  DEFAULT_ANTHROPIC_BASE_URL,
  DEFAULT_OPENAI_BASE_URL,
  PROVIDER_KEY_VAR,
  geminiBase,
  mindsBase,
  openaiSlotKey,
  openaiSlotType,
  recommendedPairFor,
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
/** Their defaults are the registry's (settings-registry.ts). */
export const ENV_BOOL_FIELDS = {
  mindsSslVerify: ['ANTON_MINDS_SSL_VERIFY'],
  memoryEnabled: ['ANTON_MEMORY_ENABLED'],
  episodicMemory: ['ANTON_EPISODIC_MEMORY'],
  proactiveDashboards: ['ANTON_PROACTIVE_DASHBOARDS'],
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

/** Does the settings page's own OpenAI-compatible endpoint exist (a key is optional for local servers)? */
function compatibleConfigured(env: EnvStore): boolean {
  return !!(env.get(PROVIDER_KEY_VAR['openai-compatible']) || env.get(COMPATIBLE_BASE_URL_VAR));
}

/** The key a provider type uses right now (a type may live in the shared OpenAI slot, see openaiSlotType). */
export function providerKey(env: EnvStore, type: ProviderType): string | undefined {
  const slot = openaiSlotType(env);
  switch (type) {
    case 'anthropic':
      return env.getWithLegacy('ANTON_ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY');
    case 'openai':
      return slot === 'openai' ? openaiSlotKey(env) : undefined;
    case 'gemini':
    case 'minds-cloud':
      return env.get(PROVIDER_KEY_VAR[type]) ?? (slot === type ? openaiSlotKey(env) : undefined);
    case 'openai-compatible':
      return env.get(PROVIDER_KEY_VAR[type]);
  }
}

/** The endpoint a provider type is called at (the same one its turns stream to). */
export function providerBaseUrl(env: EnvStore, type: ProviderType): string | undefined {
  switch (type) {
    case 'anthropic':
      return env.get('ANTON_ANTHROPIC_BASE_URL') ?? DEFAULT_ANTHROPIC_BASE_URL;
    case 'openai':
      return env.get('ANTON_OPENAI_BASE_URL') ?? DEFAULT_OPENAI_BASE_URL;
    case 'gemini':
      return geminiBase(env);
    case 'minds-cloud':
      return mindsBase(env);
    case 'openai-compatible':
      return env.get(COMPATIBLE_BASE_URL_VAR);
  }
}

/** Which listed provider type drives a role. */
export function roleProviderType(env: EnvStore, role: 'planning' | 'coding'): ProviderType {
  const p = resolveRole(env, role).provider;
  if (p === 'anthropic' || p === 'gemini' || p === 'minds-cloud') return p;
  const slot = openaiSlotType(env);
  if (p === 'openai') return slot ?? 'openai';
  if (compatibleConfigured(env)) return 'openai-compatible';
  if (slot) return slot;
  return env.get('ANTON_MINDS_API_KEY') ? 'minds-cloud' : 'openai-compatible';
}

/** Provider entries derived from ~/.anton/.env (keys are never stored twice, never in the database). */
export function listProviders(env: EnvStore, masked = true): ProviderEntry[] {
  const def = roleProviderType(env, 'planning');
  const list = PROVIDER_TYPES.flatMap((type): ProviderEntry[] => {
    const key = providerKey(env, type);
    if (!key && !(type === 'openai-compatible' && compatibleConfigured(env))) return [];
    const entry: ProviderEntry = { type, apiKey: key ? (masked ? MASK : key) : '', isDefault: type === def };
    if (type === 'openai-compatible') Object.assign(entry, { baseUrl: providerBaseUrl(env, type) ?? '', name: env.get('ANTON_COMPATIBLE_NAME') ?? '' });
    if (type === 'minds-cloud') {
      Object.assign(entry, {
        mindsUrl: providerBaseUrl(env, type),
        mindsMindName: env.get('ANTON_MINDS_MIND_NAME') ?? '',
        mindsDatasource: env.get('ANTON_MINDS_DATASOURCE') ?? '',
        mindsDatasourceEngine: env.get('ANTON_MINDS_DATASOURCE_ENGINE') ?? '',
        mindsSslVerify: env.setting('ANTON_MINDS_SSL_VERIFY'),
      });
    }
    return [entry];
  });
  // Exactly one default when anything is configured (the reference's invariant).
  if (list.length && !list.some((p) => p.isDefault)) list[0].isDefault = true;
  return list;
}

export interface RoleOverride {
  providerType: ProviderType;
  model: string;
}

/**
 * What the Models card shows: the role assignments the turns really use, always pointing at a listed provider.
 * `custom` whenever a role differs from the default provider's recommended pair (a custom endpoint always does).
 */
export function modelView(env: EnvStore, kv: KvStore, providers: ProviderEntry[]): { modelMode: 'default' | 'custom'; modelOverrides: Record<'planning' | 'coding', RoleOverride> } {
  const listed = new Set(providers.map((p) => p.type));
  const def = providers.find((p) => p.isDefault)?.type ?? roleProviderType(env, 'planning');
  const overrides = {} as Record<'planning' | 'coding', RoleOverride>;
  let differs = false;
  for (const [i, role] of (['planning', 'coding'] as const).entries()) {
    let providerType = roleProviderType(env, role);
    let model = resolveRole(env, role).model;
    if (!listed.has(providerType)) {
      // The role's own provider has no key: side calls then use the planning role (createSideProvider).
      providerType = def;
      model = role === 'coding' ? resolveRole(env, 'planning').model : recommendedPairFor(env, def)[i];
    }
    overrides[role] = { providerType, model };
    if (providerType !== def || model !== recommendedPairFor(env, def)[i]) differs = true;
  }
  const stored = kv.get<string>('modelMode', 'default');
  return { modelMode: differs || stored === 'custom' ? 'custom' : 'default', modelOverrides: overrides };
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
    publishUrl: env.setting('ANTON_PUBLISH_URL'),
    mindsUrl: env.setting('ANTON_MINDS_URL'),
    mindsMindName: env.get('ANTON_MINDS_MIND_NAME') ?? '',
    mindsDatasource: env.get('ANTON_MINDS_DATASOURCE') ?? '',
    mindsDatasourceEngine: env.get('ANTON_MINDS_DATASOURCE_ENGINE') ?? '',
    memoryMode: env.setting('ANTON_MEMORY_MODE'),
    uiUpdateMode: env.setting('UI_UPDATE_MODE'),
    configReady: cfg.config_ready,
    configError: cfg.config_error,
    providerLabel: cfg.provider_label,
    ...prefs,
    defaultModel: importedDefaultModel(kv, planning.model) ?? planning.model, // C: the planning model; A's own pick kept after an import
    providers,
    ...modelView(env, kv, providers),
    providerTypes: PROVIDER_TYPES,
    providerTypeLabels: PROVIDER_TYPE_LABELS,
    recommendedModels: RECOMMENDED_MODELS,
    recommendedPair: RECOMMENDED_PAIR,
    providerStatus: Object.fromEntries(providers.map((p) => [p.type, kv.get<Record<string, string>>('providerStatus', {})[p.type] ?? 'untested'])),
    providerStatusDetails: kv.get('providerStatusDetails', {}),
  };
  for (const [field, key] of Object.entries(ENV_KEY_FIELDS)) out[field] = env.get(key) ? MASK : '';
  for (const [field, [key]] of Object.entries(ENV_BOOL_FIELDS)) out[field] = env.setting(key);
  return out;
}

/**
 * The env changes implied by a `providers` patch (C's multi-provider model). Keys stay where they are (a type kept
 * in the shared OpenAI slot stays there: moving keys is what left phantom providers behind); types missing from the
 * patch lose their key; the role variables are derived from the default provider or the custom overrides.
 */
export function providersPatchChanges(
  env: EnvStore,
  patch: ProviderEntry[],
  modelMode: string,
  overrides: { planning?: { providerType?: string; model?: string }; coding?: { providerType?: string; model?: string } } | undefined,
): EnvChanges {
  const changes: EnvChanges = {};
  const present = new Set(patch.map((p) => p.type));
  const slot = openaiSlotType(env);
  const clearSlot = () => {
    for (const k of ['ANTON_OPENAI_API_KEY', 'OPENAI_API_KEY', 'ANTON_OPENAI_BASE_URL']) if (env.get(k)) changes[k] = null;
  };
  for (const type of PROVIDER_TYPES) {
    if (present.has(type)) continue;
    if (type === 'anthropic') {
      for (const k of ['ANTON_ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY']) if (env.get(k)) changes[k] = null;
    } else if (type === 'openai-compatible') {
      for (const k of [PROVIDER_KEY_VAR[type], COMPATIBLE_BASE_URL_VAR, 'ANTON_COMPATIBLE_NAME']) if (env.get(k)) changes[k] = null;
    } else {
      if (type !== 'openai' && env.get(PROVIDER_KEY_VAR[type])) changes[PROVIDER_KEY_VAR[type]] = null;
      if (slot === type) clearSlot();
    }
  }
  for (const p of patch) {
    const newKey = p.apiKey && p.apiKey !== MASK ? p.apiKey.trim() : undefined;
    if (p.type === 'openai') {
      if (newKey) {
        // The slot held Gemini or Minds: give that key its own variable before OpenAI takes the slot.
        if (slot && slot !== 'openai' && present.has(slot) && !env.get(PROVIDER_KEY_VAR[slot])) changes[PROVIDER_KEY_VAR[slot]] = openaiSlotKey(env) ?? null;
        changes.ANTON_OPENAI_API_KEY = newKey;
        if (slot !== 'openai' && p.baseUrl === undefined && env.get('ANTON_OPENAI_BASE_URL')) changes.ANTON_OPENAI_BASE_URL = null;
      }
      if (p.baseUrl !== undefined) changes.ANTON_OPENAI_BASE_URL = p.baseUrl.trim() || null;
    } else if (newKey) changes[PROVIDER_KEY_VAR[p.type]] = newKey;
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
  const def = patch.find((p) => p.isDefault)?.type ?? patch.find((p) => p.type === 'minds-cloud')?.type ?? patch[0]?.type;
  if (!def) return changes;
  for (const [i, role] of (['planning', 'coding'] as const).entries()) {
    const R = role.toUpperCase();
    const o = overrides?.[role];
    const custom = modelMode === 'custom' && isProviderType(o?.providerType) && present.has(o.providerType) && !!o.model?.trim();
    const type = custom ? (o!.providerType as ProviderType) : def;
    const model = custom ? o!.model!.trim() : recommendedPairFor(env, type)[i] || env.get(`ANTON_${R}_MODEL`) || '';
    changes[`ANTON_${R}_PROVIDER`] = type;
    changes[`ANTON_${R}_MODEL`] = model || null;
  }
  return changes;
}

type RoleOverrides = { planning?: { providerType?: string; model?: string }; coding?: { providerType?: string; model?: string } };

/** Save a provider list the way onboarding and the settings page do (PUT /v1/settings with `providers`). */
export function saveProviders(env: EnvStore, kv: KvStore, providers: ProviderEntry[], modelMode?: 'default' | 'custom', overrides?: RoleOverrides): EnvChanges {
  // Role assignments live in ANTON_<ROLE>_PROVIDER/MODEL (what turns read); only the mode is a preference.
  if (modelMode) kv.set('modelMode', modelMode);
  const changes = providersPatchChanges(env, providers, modelMode ?? kv.get('modelMode', 'default'), overrides);
  env.write(changes);
  return changes;
}
