import { DEFAULT_MINDS_URL, DEFAULT_OPENAI_BASE_URL, GEMINI_BASE_URL, type ProviderType } from '../../../core/settings/providers.js';

export interface ProbeResult {
  ok: boolean;
  detail: string; // "HTTP 200", "HTTP 401", "timeout", "unreachable" — never echoes the key
}

const TIMEOUT_MS = 12_000;

function trimSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

async function call(url: string, init: RequestInit): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    await res.body?.cancel();
    return { ok: res.ok, detail: `HTTP ${res.status}` };
  } catch (err) {
    const name = (err as Error).name;
    return { ok: false, detail: name === 'TimeoutError' ? 'timeout' : 'unreachable' };
  }
}

/** A cheap authenticated GET of the provider's model list. */
export function probeProviderModels(type: ProviderType, apiKey: string, baseUrl?: string): Promise<ProbeResult> {
  switch (type) {
    case 'anthropic':
      return call(`${trimSlash(baseUrl || 'https://api.anthropic.com')}/v1/models`, {
        headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
      });
    case 'minds-cloud':
      return call(`${trimSlash(baseUrl || DEFAULT_MINDS_URL)}/v1/minds/`, { headers: { authorization: `Bearer ${apiKey}` } });
    case 'gemini':
      return call(`${trimSlash(GEMINI_BASE_URL)}/models`, { headers: { authorization: `Bearer ${apiKey}` } });
    default:
      return call(`${trimSlash(baseUrl || DEFAULT_OPENAI_BASE_URL)}/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  }
}

/** Onboarding's live key check: the smallest real request each provider accepts. */
export async function validateProviderKey(
  provider: 'anthropic' | 'minds' | 'openai-compatible',
  apiKey: string,
  baseUrl: string | undefined,
  model: string | undefined,
): Promise<ProbeResult> {
  if (provider === 'anthropic') {
    return call(`${trimSlash(baseUrl || 'https://api.anthropic.com')}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: model || 'claude-haiku-4-5-20251001', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
    });
  }
  if (provider === 'minds') return probeProviderModels('minds-cloud', apiKey, baseUrl);
  if (!baseUrl) return { ok: false, detail: 'Base URL is required' };
  return call(`${trimSlash(baseUrl)}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: model || 'gpt-4o-mini', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
  });
}
