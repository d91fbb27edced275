import ansiEscapes from 'ansi-escapes';
import type { Term } from './theme.js';

type Render = (md: string) => string;
let renderer: Promise<Render> | null = null;

/** marked + marked-terminal, loaded on first use (they are the heaviest part of the terminal UI). */
function loadRenderer(term: Term): Promise<Render> {
  renderer ??= (async () => {
    if (!term.color) process.env.FORCE_COLOR = '0'; // chalk (inside marked-terminal) reads this when first loaded
    const [{ Marked }, { markedTerminal }] = await Promise.all([import('marked'), import('marked-terminal')]);
    const marked = new Marked();
    marked.use(markedTerminal({ width: term.width, reflowText: true, tab: 2 }) as Parameters<typeof marked.use>[0]);
    return (md: string) => (marked.parse(md, { async: false }) as string).replace(/\n+$/, '\n');
  })();
  return renderer;
}

/** Index just after the last blank line that is outside a code fence (a block boundary), or -1. */
export function lastBlockBoundary(text: string): number {
  let inFence = false;
  let boundary = -1;
  let pos = 0;
  for (const line of text.split('\n')) {
    const end = pos + line.length + 1;
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === '' && end <= text.length && pos > 0) boundary = end;
    pos = end;
  }
  return boundary;
}

/** Screen rows a raw text occupies at this width. */
export function screenRows(text: string, columns: number): number {
  return text.split('\n').reduce((n, line, i, all) => n + (i === all.length - 1 && line === '' ? 0 : Math.max(1, Math.ceil(line.length / columns))), 0);
}

/**
 * Streams assistant Markdown to the terminal. On a TTY the block being written shows as raw text at once, and is
 * redrawn rendered (marked-terminal) when it ends (a blank line outside a code fence) or the reply ends. Without a
 * TTY the text is written as it comes.
 */
export class MarkdownStream {
  private pending = '';
  /** Raw text of the current block already on screen (erased when the block is rendered). */
  private live = '';
  /** The block outgrew the screen: it is left raw (it could not be erased to redraw it). */
  private overflow = false;
  private lastChar = '\n';
  private wrote = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly term: Term) {}

  push(delta: string): void {
    if (!delta) return;
    this.wrote = true;
    if (!this.term.markdown) {
      this.term.out.write(delta);
      this.lastChar = delta[delta.length - 1];
      return;
    }
    this.pending += delta;
    const cut = lastBlockBoundary(this.pending);
    if (cut > 0) {
      const block = this.pending.slice(0, cut);
      this.pending = this.pending.slice(cut);
      this.render(block);
      if (this.pending) this.showLive(this.pending);
    } else this.showLive(delta);
  }

  /** Render whatever is left (end of a reply, or before a tool step is shown). */
  async flush(): Promise<void> {
    if (this.term.markdown && this.pending.trim()) this.render(this.pending);
    else if (!this.term.markdown && this.wrote && this.lastChar !== '\n') this.term.out.write('\n');
    this.pending = '';
    await this.chain;
    this.wrote = false;
    this.lastChar = '\n';
  }

  private showLive(delta: string): void {
    this.chain = this.chain.then(() => {
      this.term.out.write(delta);
      this.live += delta;
      if (!this.overflow && screenRows(this.live, this.term.out.columns || 80) > (this.term.out.rows || 24) - 2) this.overflow = true;
    });
  }

  private render(md: string): void {
    this.chain = this.chain.then(async () => {
      const r = await loadRenderer(this.term);
      const columns = this.term.out.columns || 80;
      if (this.overflow) {
        // Left raw: write the part of the block not on screen yet.
        const rest = md.slice(this.live.length);
        this.term.out.write(rest);
        if (!(this.live + rest).endsWith('\n')) this.term.out.write('\n');
        this.overflow = false;
        this.live = '';
        return;
      }
      if (this.live) {
        const rows = screenRows(this.live, columns);
        this.term.out.write(this.live.endsWith('\n') ? ansiEscapes.eraseLines(rows + 1) : ansiEscapes.eraseLines(rows));
        this.live = '';
      }
      this.term.out.write(r(md));
    });
  }
}
