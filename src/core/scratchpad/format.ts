import type { Cell } from './types.js';

const cap = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}\n… (truncated, ${s.length} chars total)` : s);

/** What the model sees of a cell: labelled sections, capped (the reference's format_cell_result). */
export function formatCellResult(cell: Cell): string {
  const parts: string[] = [];
  if (cell.stdout) parts.push(`[output]\n${cap(cell.stdout, 10_000)}`);
  if (cell.logs) parts.push(`[logs]\n${cap(cell.logs, 3_000)}`);
  if (cell.stderr) parts.push(`[stderr]\n${cap(cell.stderr, 3_000)}`);
  if (cell.error) parts.push(`[error]\n${cap(cell.error, 5_000)}`);
  if (cell.images?.length) parts.push(`[images]\n${cell.images.length} image(s) were shown to the user.`);
  return parts.length ? parts.join('\n') : 'Code executed successfully (no output).';
}

/** Every cell as text (`view`). */
export function renderView(name: string, cells: Cell[]): string {
  if (!cells.length) return `Scratchpad '${name}' has no cells yet.`;
  return cells
    .map((c, i) => {
      const out = [`--- Cell ${i + 1}${c.description ? `: ${c.description}` : ''} ---`, c.code];
      if (c.stdout) out.push(`[output]\n${c.stdout}`);
      if (c.logs) out.push(`[logs]\n${c.logs}`);
      if (c.stderr) out.push(`[stderr]\n${c.stderr}`);
      if (c.error) out.push(`[error]\n${c.error}`);
      return out.join('\n');
    })
    .join('\n\n');
}

function lines(s: string, maxLines: number, maxChars: number): string {
  const l = s.split('\n');
  const t = l.slice(0, maxLines).join('\n');
  return cap(l.length > maxLines ? `${t}\n… (${l.length - maxLines} more lines)` : t, maxChars);
}

/** A Markdown notebook (`dump`): code and short outputs. */
export function renderNotebook(name: string, cells: Cell[]): string {
  const out = [`# Scratchpad: ${name}`];
  cells.forEach((c, i) => {
    out.push(`\n## Cell ${i + 1}${c.description ? ` — ${c.description}` : ''}\n\n\`\`\`python\n${c.code}\n\`\`\``);
    if (c.stdout) out.push(`\n**Output**\n\n\`\`\`\n${lines(c.stdout, 20, 2000)}\n\`\`\``);
    if (c.logs) out.push(`\n**Logs**\n\n\`\`\`\n${lines(c.logs, 10, 1000)}\n\`\`\``);
    if (c.error) out.push(`\n**Error**\n\n\`\`\`\n${c.error.trim().split('\n').pop()}\n\`\`\``);
  });
  return out.join('\n');
}
