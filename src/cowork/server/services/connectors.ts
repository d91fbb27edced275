import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../core/package-root.js';

export interface ConnectorField {
  name: string;
  label: string;
  type: 'text' | 'password' | 'url' | 'select' | 'textarea' | 'boolean';
  required?: boolean;
  secret?: boolean;
  default?: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
  description?: string;
}
/** A method's live test; `type` picks the probe (services/probes.ts), the rest is that probe's settings. */
export interface ProbeSpec {
  type: string;
  [setting: string]: unknown;
}
export interface ConnectorMethod {
  id: string;
  label: string;
  description?: string;
  recommended?: boolean;
  fields: ConnectorField[];
  submit_action?: string;
  oauth?: { auth_url: string; token_url: string; scopes: string[]; extra_auth_params?: Record<string, string> };
  hidden?: boolean;
  probe?: ProbeSpec;
  help_url?: string;
  how_to?: string;
}
export interface Connector {
  id: string;
  label: string;
  aliases: string[];
  keywords: string[];
  description: string;
  category: string;
  logo: string;
  logo_color: string;
  logo_url?: string | null;
  featured?: boolean;
  form: { form_id: string; title: string; subtitle?: string; methods: ConnectorMethod[]; engine?: string; [k: string]: unknown };
}

export const CONNECTORS_DIR = join(PACKAGE_ROOT, 'connectors');
let cache: Map<string, Connector> | null = null;

/** The catalogue shipped as package data (connectors/*.json), loaded once. */
export function connectors(): Map<string, Connector> {
  if (cache) return cache;
  cache = new Map();
  for (const f of readdirSync(CONNECTORS_DIR).filter((x) => x.endsWith('.json')).sort()) {
    try {
      const c = JSON.parse(readFileSync(join(CONNECTORS_DIR, f), 'utf8')) as Connector;
      if (c && typeof c === 'object') cache.set(c.id ?? f.slice(0, -5), { ...c, id: c.id ?? f.slice(0, -5) });
    } catch {
      /* a broken file never hides the rest */
    }
  }
  return cache;
}

export function summary(c: Connector) {
  return {
    id: c.id,
    label: c.label ?? c.id,
    description: c.description ?? '',
    category: c.category ?? 'other',
    logo: c.logo,
    logo_color: c.logo_color,
    logo_url: c.logo_url,
    aliases: c.aliases ?? [],
    featured: !!c.featured,
  };
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

export interface MatchResult {
  stage: 'exact' | 'scored-single' | 'scored-multi' | 'no-match';
  candidates: { id: string; confidence: number }[];
}

/** Natural language → connectors: exact id/alias first, then weighted token overlap (label 3, alias 2.5, keyword 1, description 0.4). */
export function matchConnectors(query: string, max = 3): MatchResult {
  const q = norm(query);
  const all = [...connectors().values()];
  const exact = all.find((c) => norm(c.id) === q || norm(c.label) === q || (c.aliases ?? []).some((a) => norm(a) === q));
  if (exact) return { stage: 'exact', candidates: [{ id: exact.id, confidence: 1 }] };
  const terms = q.split(' ').filter((t) => t.length > 1);
  const scored = all
    .map((c) => {
      const words = (s: string) => new Set(norm(s).split(' '));
      const label = words(`${c.label} ${c.id}`);
      const aliases = words((c.aliases ?? []).join(' '));
      const keywords = words((c.keywords ?? []).join(' '));
      const desc = words(c.description ?? '');
      const score = terms.reduce((s, t) => s + (label.has(t) ? 3 : 0) + (aliases.has(t) ? 2.5 : 0) + (keywords.has(t) ? 1 : 0) + (desc.has(t) ? 0.4 : 0), 0);
      return { id: c.id, score };
    })
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score);
  if (!scored.length) return { stage: 'no-match', candidates: [] };
  const top = scored[0].score;
  if (scored.length === 1 || top >= 2 * scored[1].score) return { stage: 'scored-single', candidates: [{ id: scored[0].id, confidence: 0.85 }] };
  return { stage: 'scored-multi', candidates: scored.slice(0, max).map((s) => ({ id: s.id, confidence: Math.round((s.score / top) * 1000) / 1000 })) };
}

export function methodOf(c: Connector, methodId?: string | null): ConnectorMethod | undefined {
  const ms = c.form.methods ?? [];
  return methodId ? ms.find((m) => m.id === methodId) : (ms.find((m) => m.recommended) ?? ms[0]);
}

/** Field names the spec says are secret (plus what the vault's name heuristic adds). */
export function secretFields(m: ConnectorMethod | undefined): string[] {
  return (m?.fields ?? []).filter((f) => f.secret || f.type === 'password').map((f) => f.name);
}
