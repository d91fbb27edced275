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

/**
 * Streams assistant Markdown to the terminal. On a TTY complete blocks are rendered as soon as they end
 * (a blank line outside a code fence), the rest when the reply ends; otherwise the text is written as it comes.
 */
export class MarkdownStream {
  private pending = '';
  private wrote = false;
  private lastChar = '\n';
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly term: Term) {}

  get started(): boolean {
    return this.wrote || this.pending.length > 0;
  }

  push(delta: string): void {
    if (!this.term.tty) {
      this.term.out.write(delta);
      if (delta) this.lastChar = delta[delta.length - 1];
      this.wrote = true;
      return;
    }
    this.pending += delta;
    const cut = lastBlockBoundary(this.pending);
    if (cut > 0) {
      const block = this.pending.slice(0, cut);
      this.pending = this.pending.slice(cut);
      this.render(block);
    }
  }

  /** Render whatever is left (end of a reply, or before a tool step is shown). */
  async flush(): Promise<void> {
    if (this.term.tty && this.pending.trim()) {
      const rest = this.pending;
      this.pending = '';
      this.render(rest);
    } else if (!this.term.tty && this.wrote && this.lastChar !== '\n') {
      this.term.out.write('\n');
    }
    this.pending = '';
    await this.chain;
    this.wrote = false;
  }

  private render(md: string): void {
    this.wrote = true;
    this.chain = this.chain.then(async () => {
      const r = await loadRenderer(this.term);
      this.term.out.write(r(md));
    });
  }
}
