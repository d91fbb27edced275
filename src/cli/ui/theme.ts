import pc from 'picocolors';

/** How the terminal is driven: colours only on a TTY without NO_COLOR; plain text (no spinner, raw Markdown) otherwise. */
export interface Term {
  out: NodeJS.WriteStream;
  tty: boolean;
  color: boolean;
  /** Render Markdown (a TTY, unless the plain theme is chosen). */
  markdown: boolean;
  /** Colours are possible here (a TTY without NO_COLOR). */
  canColor: boolean;
  width: number;
  c: ReturnType<typeof pc.createColors>;
}

export function makeTerm(out: NodeJS.WriteStream = process.stdout, env: Record<string, string | undefined> = process.env): Term {
  const tty = !!out.isTTY && env.TERM !== 'dumb';
  const color = tty && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.FORCE_COLOR !== '0';
  const width = Math.max(40, Math.min(out.columns || 80, 100));
  return { out, tty, color, markdown: tty, canColor: color, width, c: pc.createColors(color) };
}

/** `/theme`: plain text (no colours, raw Markdown) or colours where the terminal allows them. */
export function applyTheme(term: Term, mode: 'color' | 'plain'): void {
  term.color = mode === 'color' && term.canColor;
  term.markdown = mode === 'color' && term.tty;
  term.c = pc.createColors(term.color);
}

/** Seconds with one decimal below a minute, then m:ss. */
export function elapsed(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/** Cut a line to the terminal width (one column kept free for the cursor). */
export function fit(line: string, width: number): string {
  return line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
}
