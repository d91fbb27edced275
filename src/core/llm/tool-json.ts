/**
 * Parse a model's tool-call arguments. Models sometimes stop mid-object; a light repair (close strings and
 * brackets, drop a trailing comma) recovers most of those. Anything else is a parse error for the model to fix.
 */
export function parseToolInput(raw: string): { input: Record<string, unknown>; error?: string } {
  const text = raw.trim() || '{}';
  const asObject = (v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? { input: v as Record<string, unknown> } : { input: {}, error: 'Tool input must be a JSON object' };
  try {
    return asObject(JSON.parse(text));
  } catch {
    /* try a repair */
  }
  let s = text.replace(/,\s*$/, '');
  let inString = false;
  let escaped = false;
  const stack: string[] = [];
  for (const ch of s) {
    if (escaped) {
      escaped = false;
      continue;
    }
    if (ch === '\\') escaped = inString;
    else if (ch === '"') inString = !inString;
    else if (!inString && (ch === '{' || ch === '[')) stack.push(ch === '{' ? '}' : ']');
    else if (!inString && (ch === '}' || ch === ']')) stack.pop();
  }
  if (inString) s += '"';
  s = s.replace(/,\s*$/, '') + stack.reverse().join('');
  try {
    return asObject(JSON.parse(s));
  } catch (err) {
    return { input: {}, error: `Invalid JSON in tool arguments: ${(err as Error).message}` };
  }
}
