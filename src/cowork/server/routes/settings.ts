import { z } from 'zod';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import { PROVIDER_TYPES } from '../../../core/settings/providers.js';

const trimSlash = (u: string) => u.replace(/\/+$/, '');
import type { EnvChanges } from '../../../core/settings/env-store.js';
import { notFound } from '../errors.js';
import {
  ENV_BOOL_FIELDS,
  ENV_KEY_FIELDS,
  ENV_STRING_FIELDS,
  MASK,
  REVEALABLE_KEYS,
  listProviders,
  providerBaseUrl,
  providerKey,
  saveProviders,
  settingsView,
  type ProviderEntry,
  type UiPrefs,
} from '../services/settings.js';
import { probeProviderModels, validateProviderKey } from '../services/provider-probe.js';
import { routeGroup } from './types.js';

const ProviderSchema = z.object({
  type: z.enum(PROVIDER_TYPES),
  apiKey: z.string().default(''),
  isDefault: z.boolean().default(false),
  baseUrl: z.string().optional(),
  name: z.string().optional(),
  mindsUrl: z.string().optional(),
  mindsMindName: z.string().optional(),
  mindsDatasource: z.string().optional(),
  mindsDatasourceEngine: z.string().optional(),
  mindsSslVerify: z.boolean().optional(),
});
const RoleOverride = z.object({ providerType: z.string().optional(), model: z.string().optional() }).optional();

const SettingsPatch = z.object({
  greeting: z.string().optional(),
  tone: z.string().optional(),
  defaultModel: z.string().optional(),
  autoPin: z.boolean().optional(),
  showDots: z.boolean().optional(),
  showCounters: z.boolean().optional(),
  accentVariant: z.string().optional(),
  ...Object.fromEntries(Object.keys(ENV_STRING_FIELDS).map((k) => [k, z.string().nullish()])),
  ...Object.fromEntries(Object.keys(ENV_BOOL_FIELDS).map((k) => [k, z.boolean().nullish()])),
  ...Object.fromEntries(Object.keys(ENV_KEY_FIELDS).map((k) => [k, z.string().nullish()])),
  providers: z.array(ProviderSchema).max(PROVIDER_TYPES.length).optional(),
  modelMode: z.enum(['default', 'custom']).optional(),
  modelOverrides: z.object({ planning: RoleOverride, coding: RoleOverride }).optional(),
});

const UI_FIELDS = ['greeting', 'tone', 'autoPin', 'showDots', 'showCounters', 'accentVariant'] as const;

export const settingsRoutes = routeGroup(['env', 'kv'], (app, ctx) => {
  const { env, kv } = ctx;

  app.get('/v1/settings', { schema: { tags: ['settings'] } }, async () => settingsView(env, kv));

  app.put('/v1/settings', { schema: { tags: ['settings'], body: SettingsPatch } }, async (req) => {
    const body = req.body as Record<string, unknown> & z.infer<typeof SettingsPatch>;
    const updated: string[] = [];
    const ui: Partial<UiPrefs> = {};
    for (const f of UI_FIELDS) {
      if (body[f] !== undefined) {
        (ui as Record<string, unknown>)[f] = body[f];
        updated.push(`ui:${f}`);
      }
    }
    const changes: EnvChanges = {};
    if (body.providers) {
      Object.assign(changes, saveProviders(env, kv, body.providers as ProviderEntry[], body.modelMode, body.modelOverrides));
    } else {
      for (const [field, key] of Object.entries(ENV_STRING_FIELDS)) {
        const v = body[field];
        if (typeof v === 'string') changes[key] = v.trim() === '' ? null : v.trim();
      }
      for (const [field, [key]] of Object.entries(ENV_BOOL_FIELDS)) {
        const v = body[field];
        if (typeof v === 'boolean') changes[key] = String(v);
      }
      for (const [field, key] of Object.entries(ENV_KEY_FIELDS)) {
        const v = body[field];
        if (typeof v === 'string' && v !== MASK) changes[key] = v.trim() === '' ? null : v.trim();
      }
    }
    if (Object.keys(ui).length) kv.update('preferences', {} as Partial<UiPrefs>, (cur) => ({ ...cur, ...ui }));
    if (!body.providers) env.write(changes);
    for (const [k, v] of Object.entries(changes)) updated.push(v === null ? `deleted:${k}` : k);
    const cfg = getConfigStatus(env);
    return { status: 'ok', updated, configReady: cfg.config_ready, configError: cfg.config_error };
  });

  app.post('/v1/settings/validate', { schema: { tags: ['settings'] } }, async () => {
    const cfg = getConfigStatus(env);
    return {
      status: cfg.config_ready ? 'ok' : 'needs_config',
      configReady: cfg.config_ready,
      configError: cfg.config_error,
      provider: cfg.provider,
      model: cfg.model,
    };
  });

  app.get('/v1/settings/reveal-key/:name', { schema: { tags: ['settings'], params: z.object({ name: z.string() }) } }, async (req) => {
    const key = REVEALABLE_KEYS[req.params.name];
    if (!key) throw notFound('Unknown key name');
    return { value: env.get(key) ?? '' };
  });

  app.post(
    '/v1/settings/test-providers',
    { schema: { tags: ['settings'], body: z.object({ providers: z.array(ProviderSchema).optional() }).optional() } },
    async (req) => {
      const wanted: ProviderEntry[] = (req.body?.providers as ProviderEntry[] | undefined) ?? listProviders(env, false);
      const status: Record<string, string> = {};
      const details: Record<string, string> = {};
      await Promise.all(
        wanted.map(async (p) => {
          const useStored = !p.apiKey || p.apiKey === MASK;
          const key = useStored ? providerKey(env, p.type) : p.apiKey;
          // Every provider is probed at the endpoint its turns use (a proxy's key never goes to the vendor).
          const storedBase = providerBaseUrl(env, p.type);
          const asked = p.type === 'minds-cloud' ? p.mindsUrl : p.type === 'openai-compatible' || p.type === 'openai' ? p.baseUrl : undefined;
          const base = asked?.trim() || storedBase;
          let r;
          if (!key && p.type !== 'openai-compatible') r = { ok: false, detail: 'No API key' };
          else if (!base) r = { ok: false, detail: 'No base URL' };
          // A stored key only ever goes to the stored endpoint: a request body cannot redirect it elsewhere.
          else if (useStored && key && trimSlash(base) !== trimSlash(storedBase ?? '')) r = { ok: false, detail: 'Re-enter the API key to test a new URL' };
          else r = await probeProviderModels(p.type, key ?? '', base, env.setting('ANTON_MINDS_SSL_VERIFY'));
          status[p.type] = r.ok ? 'ok' : 'fail';
          details[p.type] = r.detail;
        }),
      );
      kv.update('providerStatus', {} as Record<string, string>, (cur) => ({ ...cur, ...status }));
      kv.update('providerStatusDetails', {} as Record<string, string>, (cur) => ({ ...cur, ...details }));
      return { providerStatus: status, providerStatusDetails: details };
    },
  );

  app.get('/v1/settings/raw', { schema: { tags: ['settings'] } }, async () => ({ ...env.fileValues() }));

  app.post('/v1/settings/raw', { schema: { tags: ['settings'], body: z.object({ content: z.string().max(1_000_000) }) } }, async (req) => {
    env.replaceFile(req.body.content);
    return { ok: true };
  });

  app.get('/v1/settings/install-status', { schema: { tags: ['settings'] } }, async () => ({ antonInstalled: true, serverDepsReady: true }));

  app.get('/v1/settings/configured', { schema: { tags: ['settings'] } }, async () => {
    const providers = listProviders(env);
    // C's answer: `minds` stands for any OpenAI-slot set-up (key + base URL) as well as a Minds key.
    const slot = !!env.get('ANTON_OPENAI_API_KEY') && !!env.get('ANTON_OPENAI_BASE_URL');
    const provider = providerKey(env, 'anthropic') ? 'anthropic' : slot || providerKey(env, 'minds-cloud') ? 'minds' : '';
    return { configured: providers.length > 0, provider };
  });

  app.post(
    '/v1/settings/validate-provider',
    {
      schema: {
        tags: ['settings'],
        body: z.object({
          provider: z.string(),
          apiKey: z.string(),
          baseUrl: z.string().optional(),
          model: z.string().optional(),
        }),
      },
    },
    async (req) => {
      const { provider, apiKey, baseUrl, model } = req.body;
      // Like the reference: an unknown provider is an answer, not a validation error.
      if (provider !== 'anthropic' && provider !== 'minds' && provider !== 'openai-compatible') return { ok: false, error: `Unknown provider: ${provider}` };
      if (!apiKey.trim() && provider !== 'openai-compatible') return { ok: false, error: 'An API key is required.' };
      const r = await validateProviderKey(provider, apiKey.trim(), baseUrl?.trim() || undefined, model, env.setting('ANTON_MINDS_SSL_VERIFY'));
      return r.ok ? { ok: true } : { ok: false, error: r.detail };
    },
  );
});
