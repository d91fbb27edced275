export type LlmErrorKind = 'context_overflow' | 'rate_limited' | 'auth' | 'unavailable' | 'bad_request' | 'timeout' | 'aborted';

/** A provider failure with a stable kind and a message that never contains a secret. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Replace every given secret (and anything that looks like a bearer key) in a message. */
export function redactSecrets(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/\b(sk|pk|rk|mdb)[-_][A-Za-z0-9_-]{8,}/g, '[redacted]');
}

const OVERFLOW_RE = /prompt is too long|context limit|context_length_exceeded|maximum context length|too many tokens/i;

/** Classify an SDK/HTTP error into an LlmError, keeping keys out of the message. */
export function classifyLlmError(err: unknown, secrets: (string | undefined)[]): LlmError {
  if (err instanceof LlmError) return err;
  const e = err as { status?: number; name?: string; message?: string };
  const msg = redactSecrets(String(e?.message ?? err), secrets);
  if (e?.name === 'AbortError' || e?.name === 'APIUserAbortError') return new LlmError('aborted', 'Request aborted');
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (status === 400 && OVERFLOW_RE.test(msg)) return new LlmError('context_overflow', msg, status);
  if (status === 401 || status === 403) return new LlmError('auth', `The LLM provider rejected the API key (HTTP ${status}).`, status);
  if (status === 429) return new LlmError('rate_limited', `The LLM provider is rate limiting requests (HTTP 429): ${msg}`, status);
  if (status !== undefined && status >= 500) return new LlmError('unavailable', `The LLM endpoint is temporarily unavailable (HTTP ${status}).`, status);
  if (status !== undefined) return new LlmError('bad_request', `The LLM provider refused the request (HTTP ${status}): ${msg}`, status);
  if (e?.name === 'APIConnectionTimeoutError') return new LlmError('timeout', 'The LLM request timed out.');
  return new LlmError('unavailable', `Could not reach the LLM server: ${msg}`);
}

/** An error the provider sent inside an already started stream (Anthropic's `error` event, OpenAI's `{"error":…}`). */
export function midStreamError(message: string, secrets: (string | undefined)[]): LlmError {
  return new LlmError('unavailable', `The LLM provider reported an error mid-reply: ${redactSecrets(message, secrets)}`);
}
