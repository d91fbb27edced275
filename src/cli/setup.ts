import { getConfigStatus } from '../core/settings/config-status.js';
import { DEFAULT_MINDS_URL, DEFAULT_OPENAI_BASE_URL, PROVIDER_TYPE_LABELS, RECOMMENDED_PAIR, type ProviderType } from '../core/settings/providers.js';
import type { ServerServices } from '../cowork/server/server-services.js';
import { probeProviderModels, validateProviderKey, type ProbeResult } from '../cowork/server/services/provider-probe.js';
import { listProviders, saveProviders, type ProviderEntry } from '../cowork/server/services/settings.js';
import { CliError } from './session.js';
import type { Term } from './ui/theme.js';

/** What this module needs of the server's context (and nothing more). */
export type SetupDeps = Pick<ServerServices, 'env' | 'kv'>;

export interface ProviderAnswers {
  provider: ProviderType;
  apiKey: string;
  baseUrl?: string;
  model?: string;
}

const CHOICES: ProviderType[] = ['anthropic', 'openai', 'openai-compatible', 'gemini', 'minds-cloud'];

/** The live key check onboarding uses (POST /v1/settings/validate-provider), per provider type. */
export function checkKey(ctx: SetupDeps, a: ProviderAnswers): Promise<ProbeResult> {
  const env = ctx.env;
  switch (a.provider) {
    case 'anthropic':
      return validateProviderKey('anthropic', a.apiKey, env.get('ANTON_ANTHROPIC_BASE_URL'), a.model);
    case 'openai':
      return validateProviderKey('openai-compatible', a.apiKey, env.get('ANTON_OPENAI_BASE_URL') ?? DEFAULT_OPENAI_BASE_URL, a.model || RECOMMENDED_PAIR.openai[1]);
    case 'openai-compatible':
      return validateProviderKey('openai-compatible', a.apiKey, a.baseUrl, a.model);
    case 'minds-cloud':
      return validateProviderKey('minds', a.apiKey, a.baseUrl ?? DEFAULT_MINDS_URL, undefined);
    case 'gemini':
      return probeProviderModels('gemini', a.apiKey);
  }
}

/** Write ~/.anton/.env exactly as onboarding does: the provider becomes the default, other providers are kept. */
export function saveProviderAnswers(ctx: SetupDeps, a: ProviderAnswers): void {
  const others = listProviders(ctx.env).filter((p) => p.type !== a.provider).map((p) => ({ ...p, isDefault: false }));
  const entry: ProviderEntry = { type: a.provider, apiKey: a.apiKey, isDefault: true, ...(a.baseUrl ? { baseUrl: a.baseUrl, mindsUrl: a.baseUrl } : {}) };
  const recommended = RECOMMENDED_PAIR[a.provider];
  const custom = !!a.model && a.model !== recommended[0];
  saveProviders(
    ctx.env,
    ctx.kv,
    [entry, ...others],
    custom ? 'custom' : 'default',
    custom ? { planning: { providerType: a.provider, model: a.model }, coding: { providerType: a.provider, model: recommended[1] || a.model } } : undefined,
  );
}

/** `anton setup --provider … --api-key …`: the same checks without prompts (scripts, CI). */
export async function setupFromFlags(ctx: SetupDeps, term: Term, a: ProviderAnswers, skipCheck: boolean): Promise<void> {
  if (!CHOICES.includes(a.provider)) throw new CliError(`Unknown provider ${a.provider}. One of: ${CHOICES.join(', ')}.`);
  if (a.provider === 'openai-compatible' && !a.baseUrl) throw new CliError('--base-url is required for an OpenAI-compatible provider.');
  if (!skipCheck) {
    const r = await checkKey(ctx, a);
    if (!r.ok) throw new CliError(`The key was refused (${r.detail}). Nothing was saved.`);
  }
  saveProviderAnswers(ctx, a);
  term.out.write(`Saved ${PROVIDER_TYPE_LABELS[a.provider]} to ${ctx.env.dotenvFile}.\n`);
}

/** The interactive wizard: pick a provider, paste a key, check it with a real call, save. Returns false when abandoned. */
export async function runSetupWizard(ctx: SetupDeps): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('`anton setup` needs a terminal; in scripts use `anton setup --provider NAME --api-key KEY`.');
  const p = await import('@clack/prompts');
  const stop = (v: unknown): v is symbol => {
    if (p.isCancel(v)) {
      p.cancel('Setup cancelled; nothing was saved.');
      return true;
    }
    return false;
  };
  p.intro('Anton setup');
  const provider = await p.select({
    message: 'Which LLM provider?',
    options: CHOICES.map((t) => ({ value: t, label: PROVIDER_TYPE_LABELS[t], hint: t === 'openai-compatible' ? 'Ollama, vLLM, LM Studio, any /v1 endpoint' : undefined })),
  });
  if (stop(provider)) return false;
  let baseUrl: string | undefined;
  if (provider === 'openai-compatible') {
    const v = await p.text({ message: 'Base URL (ends in /v1)', placeholder: 'http://localhost:11434/v1', validate: (s) => (s && /^https?:\/\//.test(s) ? undefined : 'An http(s) URL') });
    if (stop(v)) return false;
    baseUrl = v.trim();
  }
  const recommended = RECOMMENDED_PAIR[provider][0];
  for (;;) {
    const apiKey = await p.password({ message: `${PROVIDER_TYPE_LABELS[provider]} API key`, validate: (s) => (s && s.trim() ? undefined : 'The key is required') });
    if (stop(apiKey)) return false;
    let model: string | undefined;
    if (provider === 'openai-compatible') {
      const m = await p.text({ message: 'Model name', validate: (s) => (s && s.trim() ? undefined : 'A model name is required') });
      if (stop(m)) return false;
      model = m.trim();
    } else model = recommended;
    const answers: ProviderAnswers = { provider, apiKey: apiKey.trim(), baseUrl, model };
    const s = p.spinner();
    s.start('Checking the key with a real call');
    const r = await checkKey(ctx, answers);
    if (r.ok) {
      s.stop('The key works');
      saveProviderAnswers(ctx, answers);
      const cfg = getConfigStatus(ctx.env);
      p.outro(`Saved to ${ctx.env.dotenvFile} · ${cfg.provider_label} · ${cfg.model}`);
      return true;
    }
    s.error(`The key was refused (${r.detail})`);
    const again = await p.confirm({ message: 'Try another key?' });
    if (stop(again) || !again) {
      p.cancel('Nothing was saved.');
      return false;
    }
  }
}
