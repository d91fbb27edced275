import { fetchFor } from '../../../core/llm/tls.js';
import { DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_MINDS_URL, DEFAULT_OPENAI_BASE_URL, GEMINI_BASE_URL, MINDS_API_PATH, type ProviderType } from '../../../core/settings/providers.js';

export interface ProbeResult {
  ok: boolean;
  detail: string; // "HTTP 200", "HTTP 401", "timeout", "unreachable" — never echoes the key
}

const TIMEOUT_MS = 12_000;

function trimSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

async function call(url: string, init: RequestInit, sslVerify = true): Promise<ProbeResult> {
  try {
    const res = await fetchFor(sslVerify)(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    await res.body?.cancel();
    return { ok: res.ok, detail: `HTTP ${res.status}` };
  } catch (err) {
    const name = (err as Error).name;
    return { ok: false, detail: name === 'TimeoutError' ? 'timeout' : 'unreachable' };
  }
}

const bearer = (apiKey: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});

/** A cheap authenticated GET of the provider's model list, at the endpoint given (the one its turns use). */
export function probeProviderModels(type: ProviderType, apiKey: string, baseUrl?: string, mindsSslVerify = true): Promise<ProbeResult> {
  switch (type) {
    case 'anthropic':
      return call(`${trimSlash(baseUrl || DEFAULT_ANTHROPIC_BASE_URL)}/v1/models`, {
        headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
      });
    case 'minds-cloud':
      // The auth-checked list under Minds' API root (its OpenAI-style /models refuses valid keys).
      return call(`${trimSlash(baseUrl || DEFAULT_MINDS_URL)}${MINDS_API_PATH}/minds/`, { headers: bearer(apiKey) }, mindsSslVerify);
    case 'gemini':
      return call(`${trimSlash(baseUrl || GEMINI_BASE_URL)}/models`, { headers: bearer(apiKey) });
    default:
      return call(`${trimSlash(baseUrl || DEFAULT_OPENAI_BASE_URL)}/models`, { headers: bearer(apiKey) });
  }
}

/** Onboarding's live key check: the smallest real request each provider accepts. */
export async function validateProviderKey(
  provider: 'anthropic' | 'minds' | 'openai-compatible',
  apiKey: string,
  baseUrl: string | undefined,
  model: string | undefined,
  mindsSslVerify = true,
): Promise<ProbeResult> {
  if (provider === 'anthropic') {
    return call(`${trimSlash(baseUrl || 'https://api.anthropic.com')}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: model || 'claude-haiku-4-5-20251001', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
    });
  }
  if (provider === 'minds') return probeProviderModels('minds-cloud', apiKey, baseUrl, mindsSslVerify);
  if (!baseUrl) return { ok: false, detail: 'Base URL is required' };
  return call(`${trimSlash(baseUrl)}/chat/completions`, {
    method: 'POST',
    headers: { ...bearer(apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ model: model || 'gpt-4o-mini', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
  });
}
