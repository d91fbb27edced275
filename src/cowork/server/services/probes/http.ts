import { fail, fetchFailureReason, ok, PROBE_TIMEOUT_MS, type ProbeResult } from './result.js';

/** A declarative HTTP probe from the connector JSON (see scripts/connector-data/probes.mjs). */
export interface HttpProbeSpec {
  type: 'http';
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** Basic auth [user, password] templates. */
  basic?: [string, string];
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  json?: unknown;
  body?: string;
  /** How values are escaped inside `body` ("xml"). */
  encode?: 'xml';
  /** Derived values: from a field through a map (else a template), or a regex capture. */
  vars?: Record<string, { from: string; map?: Record<string, string>; else?: string; match?: string }>;
  /** Statuses that mean "credentials rejected" (default 401, 403). */
  reject?: number[];
  /** A JSON path that must hold for success. */
  expect?: { path: string; equals?: unknown; in?: unknown[]; exists?: boolean };
  expectText?: string;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

function resolveVars(spec: HttpProbeSpec, v: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...v };
  for (const [name, d] of Object.entries(spec.vars ?? {})) {
    const src = v[d.from] ?? '';
    if (d.match) out[name] = new RegExp(d.match).exec(src)?.[1] ?? '';
    else if (d.map && src in d.map) out[name] = d.map[src].replace(PLACEHOLDER, (_m, k: string) => v[k] ?? '');
    else if (d.else !== undefined) out[name] = d.else.replace(PLACEHOLDER, (_m, k: string) => v[k] ?? '');
    else out[name] = src;
  }
  return out;
}
const isVar = (spec: HttpProbeSpec, k: string) => !!spec.vars?.[k];

/** Fill a URL: a leading placeholder (a base URL) and derived values go in as is; form values are URL-encoded. */
export function fillUrl(spec: HttpProbeSpec, vals: Record<string, string>): string {
  const url = spec.url.replace(PLACEHOLDER, (m, k: string, offset: number) => {
    const val = vals[k] ?? '';
    return offset === 0 || isVar(spec, k) ? val.replace(/\/+$/, '') : encodeURIComponent(val);
  });
  return url.replace(/^(https?:\/\/[^/]+)\/\/+/, '$1/');
}
const fill = (tpl: string, vals: Record<string, string>, enc?: (s: string) => string) => tpl.replace(PLACEHOLDER, (_m, k: string) => (enc ? enc(vals[k] ?? '') : (vals[k] ?? '')));
const fillDeep = (x: unknown, vals: Record<string, string>): unknown =>
  typeof x === 'string' ? fill(x, vals) : Array.isArray(x) ? x.map((y) => fillDeep(y, vals)) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, fillDeep(y, vals)])) : x;

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The first secret field the spec uses: what a 401 blames. */
export function secretFieldOf(spec: HttpProbeSpec, v: Record<string, string>): string | undefined {
  const text = JSON.stringify([spec.headers, spec.basic, spec.form, spec.json, spec.body, spec.url]);
  const names = [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
  return names.find((n) => /key|token|secret|password|credential/i.test(n) && n in v) ?? names.find((n) => /key|token|secret|password/i.test(n));
}
/** The field that holds the address (blamed when the host cannot be reached). */
function addressField(spec: HttpProbeSpec): string | undefined {
  const first = /^\{\{(\w+)\}\}/.exec(spec.url)?.[1];
  if (first && !isVar(spec, first)) return first;
  return /https:\/\/\{\{(\w+)\}\}\./.exec(spec.url)?.[1];
}

export async function probeHttp(spec: HttpProbeSpec, v: Record<string, string>): Promise<ProbeResult> {
  const vals = resolveVars(spec, v);
  const secretField = secretFieldOf(spec, v);
  const addr = addressField(spec);
  let target: URL;
  try {
    target = new URL(fillUrl(spec, vals));
    if (!/^https?:$/.test(target.protocol)) throw new Error('scheme');
  } catch {
    return fail('The address is not a valid http(s) URL.', addr);
  }
  const headers: Record<string, string> = {};
  for (const [k, tpl] of Object.entries(spec.headers ?? {})) {
    const name = fill(k, vals).trim();
    const value = fill(tpl, vals);
    // An optional value left empty drops its header ("Bearer " with nothing after it, or nothing at all).
    if (!name || !value.trim() || /^(Bearer|Token|Bot|Basic|ApiKey|GenieKey|OAuth|apiToken|Api-Token|API-Key|Klaviyo-API-Key|ShippoToken)\s*$/i.test(value.trim())) continue;
    headers[name] = value;
  }
  if (spec.basic) headers.Authorization = `Basic ${Buffer.from(`${fill(spec.basic[0], vals)}:${fill(spec.basic[1], vals)}`).toString('base64')}`;
  let body: string | undefined;
  if (spec.form) {
    body = new URLSearchParams(Object.fromEntries(Object.entries(spec.form).map(([k, t]) => [k, fill(t, vals)]))).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (spec.json !== undefined) {
    body = JSON.stringify(fillDeep(spec.json, vals));
    headers['Content-Type'] = 'application/json';
  } else if (spec.body !== undefined) body = fill(spec.body, vals, spec.encode === 'xml' ? xml : undefined);
  headers.Accept ??= 'application/json';
  headers['User-Agent'] ??= 'anton-cowork (connection test)';
  let res: Response;
  let text: string;
  try {
    res = await fetch(target, { method: spec.method ?? 'GET', headers, body, redirect: 'manual', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    text = await res.text();
  } catch (e) {
    return fail(`Could not reach ${target.host}: ${fetchFailureReason(e)}.`, addr);
  }
  const reject = spec.reject ?? [401, 403];
  if (reject.includes(res.status)) {
    return fail(res.status === 403 && !spec.reject ? `${target.host} refused access (HTTP 403): the credential is valid but lacks a permission, or it is wrong.` : `${target.host} rejected the credentials (HTTP ${res.status}).`, secretField);
  }
  if (res.status >= 300 && res.status < 400) return fail(`${target.host} redirected the test (HTTP ${res.status}); check the address.`, addr);
  if (!res.ok) return fail(`${target.host} answered HTTP ${res.status}${res.status === 404 ? ': check the address, account or project identifiers' : ''}.`, res.status === 404 ? addr : undefined);
  if (spec.expect) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail(`${target.host} gave an unexpected (non-JSON) answer.`);
    }
    const got = at(json, spec.expect.path);
    const good = spec.expect.exists ? got !== undefined && got !== null : spec.expect.in ? spec.expect.in.includes(got) : got === spec.expect.equals;
    if (!good) return fail(`${target.host} did not accept the credentials.`, secretField);
  }
  if (spec.expectText && !new RegExp(spec.expectText).test(text)) return fail(`${target.host} did not accept the credentials.`, secretField);
  return ok(`${target.host} accepted the credentials (HTTP ${res.status}).`);
}
