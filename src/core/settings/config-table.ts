import { SETTING_GROUPS, SETTINGS, type SettingSpec } from './settings-registry.js';

export const CONFIG_TABLE_START = '<!-- config-table:start -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

const UNIT_NAMES = { ms: 'milliseconds', s: 'seconds', min: 'minutes' } as const;

function typeCell(spec: SettingSpec): string {
  const base =
    spec.type === 'enum'
      ? `one of ${spec.values.map((v) => `\`${v}\``).join(', ')}`
      : spec.type === 'duration'
        ? UNIT_NAMES[spec.unit]
        : spec.type === 'int'
          ? 'integer'
          : spec.type === 'bool'
            ? 'boolean'
            : spec.type;
  return spec.secret ? `${base}, **secret**` : base;
}

function defaultCell(spec: SettingSpec): string {
  if (spec.docDefault) return spec.docDefault;
  const d = (spec as { default?: unknown }).default;
  return d === undefined ? '—' : `\`${String(d)}\``;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README's configuration section body: one table per group, generated from the registry. */
export function renderConfigTable(): string {
  const out: string[] = [];
  for (const [group, title] of Object.entries(SETTING_GROUPS)) {
    const rows = Object.entries(SETTINGS as Record<string, SettingSpec>).filter(([, s]) => s.group === group);
    if (rows.length === 0) continue;
    out.push(`**${title}**`, '', '| Variable | Type | Default | Meaning |', '|---|---|---|---|');
    for (const [name, spec] of rows) out.push(`| \`${name}\` | ${cell(typeCell(spec))} | ${cell(defaultCell(spec))} | ${cell(spec.description)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** `text` with the part between the markers replaced by the generated table; throws when a marker is missing. */
export function replaceConfigTable(text: string): string {
  const start = text.indexOf(CONFIG_TABLE_START);
  const end = text.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md needs ${CONFIG_TABLE_START} … ${CONFIG_TABLE_END} around the configuration table`);
  return `${text.slice(0, start + CONFIG_TABLE_START.length)}\n\n${renderConfigTable()}\n${text.slice(end)}`;
}
