/**
 * A dotenv file edited in place: comments, blank lines, ordering and unknown keys survive an update
 * (the reference re-serialised the whole file and lost them).
 */
const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)?$/;

export function parseValue(raw: string): string {
  let v = raw.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
    const q = v[0];
    v = v.slice(1, -1);
    if (q === '"') v = v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    return v;
  }
  // unquoted: an inline comment starts at " #"
  const hash = v.search(/\s#/);
  return hash >= 0 ? v.slice(0, hash).trimEnd() : v;
}

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = LINE_RE.exec(line);
    if (m) out[m[1]] = parseValue(m[2] ?? '');
  }
  return out;
}

export function formatValue(value: string): string {
  if (value === '' || /^[A-Za-z0-9_./:@+,=-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Apply changes (null = delete) to dotenv text, editing matching lines in place and appending new keys. */
export function updateDotenvText(text: string, changes: Record<string, string | null>): string {
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const m = line.trimStart().startsWith('#') ? null : LINE_RE.exec(line);
    const key = m?.[1];
    if (key === undefined || !(key in changes)) {
      out.push(line);
      continue;
    }
    const value = changes[key];
    if (value !== null && !seen.has(key)) out.push(`${key}=${formatValue(value)}`);
    seen.add(key); // a deleted key, or a later duplicate of a rewritten one, is dropped
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value !== null && !seen.has(key)) out.push(`${key}=${formatValue(value)}`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}
