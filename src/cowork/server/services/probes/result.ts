import { parseSetting } from '../../../../core/settings/settings-registry.js';

/** What every live probe answers: ok, a human message free of secrets, and the form field to blame. */
export interface ProbeResult {
  ok: boolean;
  message: string;
  /** The form field the failure points at, so the UI can mark it. */
  field?: string;
}

/** Every probe gives up after this long (connect + one call); the route answers within it. */
export const PROBE_TIMEOUT_MS = parseSetting('ANTON_PROBE_TIMEOUT_MS', process.env.ANTON_PROBE_TIMEOUT_MS);

export const ok = (message: string): ProbeResult => ({ ok: true, message });
export const fail = (message: string, field?: string): ProbeResult => ({ ok: false, message, ...(field ? { field } : {}) });

/** The first non-empty value among field names that mean the same thing in different forms. */
export function pick(v: Record<string, string>, ...names: string[]): string | undefined {
  for (const n of names) if (v[n] !== undefined && v[n] !== '') return v[n];
  return undefined;
}
export const fieldOf = (v: Record<string, string>, ...names: string[]) => names.find((n) => v[n] !== undefined && v[n] !== '') ?? names[0];

export const truthy = (s: string | undefined) => s !== undefined && /^(true|1|yes|on)$/i.test(s.trim());

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);
export const isNetworkError = (e: { code?: unknown; message?: string }) =>
  NETWORK_CODES.has(String(e.code ?? '')) || /timed? ?out|socket hang up|connection (closed|reset|lost)|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/i.test(e.message ?? '');

/**
 * "Could not reach host:port (ECONNREFUSED)." — or, when the connection hung, that nothing answered like the
 * expected server in time (a wrong port, a firewall dropping packets). Never echoes what the user typed as a secret.
 */
export function unreachable(e: { code?: unknown; message?: string }, where: string, field?: string): ProbeResult {
  const code = String(e.code ?? '');
  const hung = /^(ETIMEDOUT|ETIMEOUT)$/.test(code) || (!code && /timed? ?out/i.test(e.message ?? ''));
  if (hung) return fail(`No valid answer from ${where} within ${Math.round(PROBE_TIMEOUT_MS / 1000)} s. Check the host and port (is this the right service?) and that this computer may connect (VPN, firewall, IP allow-list).`, field);
  return fail(`Could not reach ${where} (${code || 'connection failed'}). Check the host, the port and that this computer may connect (VPN, firewall, IP allow-list).`, field);
}

/** Run `work` but stop waiting after the timeout; `cleanup` closes whatever the work opened. */
export async function withTimeout<T>(work: Promise<T>, what: string, ms = PROBE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Remove secret values from a driver's error text before it reaches the user or the logs. */
export function scrub(message: string, v: Record<string, string>): string {
  let out = message;
  for (const [k, val] of Object.entries(v)) {
    if (val && val.length >= 4 && /pass|secret|token|key|credential|connection|uri|url/i.test(k)) out = out.split(val).join('•••');
  }
  return out.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1•••@');
}

/** Why a fetch() failed, in a word: the socket error code (ECONNREFUSED, ENOTFOUND…), or "no answer within N s". */
export function fetchFailureReason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${Math.round(PROBE_TIMEOUT_MS / 1000)} s`;
  const c = err.cause;
  return c?.code ?? c?.errors?.find((x) => x.code)?.code ?? c?.message ?? err.message;
}
