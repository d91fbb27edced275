import { createSpinner, type Spinner } from 'nanospinner';
import { MarkdownStream } from './markdown.js';
import { elapsed, fit, type Term } from './theme.js';

/** One recorded/streamed frame of a turn (the Cowork wire format, §3 of the protocol). */
export type TurnFrame = { type: string } & Record<string, unknown>;

interface Cell {
  code?: string;
  stdout?: string;
  stderr?: string;
  error?: string | null;
  description?: string;
}

const MAX_OUTPUT_LINES = 40;

function parse<T>(s: unknown): T | null {
  try {
    return JSON.parse(String(s)) as T;
  } catch {
    return null;
  }
}

/**
 * Draws a running turn from its frames: streamed Markdown, a spinner while the model thinks or code runs, each tool
 * step (the scratchpad's code, its output, artifacts written, elapsed time), and token usage at the end.
 */
export class TurnView {
  private readonly md: MarkdownStream;
  private spinner: Spinner | null = null;
  private spinnerTimer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();
  private queue: Promise<void> = Promise.resolve();
  private readonly toolNames = new Map<string, string>();
  private codeStarted = Date.now();
  /** Artifact files written during the turn, reported after each step. */
  artifactsChanged: () => string[] = () => [];

  constructor(private readonly term: Term) {
    this.md = new MarkdownStream(term);
  }

  /** Frames are drawn strictly in order (Markdown rendering is asynchronous). */
  push(frame: TurnFrame): void {
    this.queue = this.queue.then(() => this.draw(frame)).catch(() => {});
  }

  async done(): Promise<void> {
    await this.queue;
    this.flushDone();
    this.stopSpinner();
  }

  private line(s = ''): void {
    this.stopSpinner();
    this.term.out.write(`${s}\n`);
  }

  private spin(text: string, since = Date.now()): void {
    if (!this.term.tty) return;
    this.stopSpinner();
    const label = () => `${text} ${this.term.c.dim(elapsed((Date.now() - since) / 1000))}`;
    this.spinner = createSpinner(label(), { stream: this.term.out, color: 'cyan' }).start();
    this.spinnerTimer = setInterval(() => this.spinner?.update({ text: label() }), 200);
  }

  private stopSpinner(): void {
    if (this.spinnerTimer) clearInterval(this.spinnerTimer);
    this.spinnerTimer = null;
    this.spinner?.clear();
    this.spinner?.stop();
    this.spinner = null;
  }

  /** The scratchpad's "done" line waits for the cell's output, which arrives right after it. */
  private pendingDone: string[] = [];

  private flushDone(): void {
    for (const l of this.pendingDone.splice(0)) this.line(l);
  }

  private async draw(f: TurnFrame): Promise<void> {
    const { c } = this.term;
    if (!(f.type === 'response.in_progress' && f.thought_role === 'thought.scratchpad.result')) this.flushDone();
    switch (f.type) {
      case 'response.created':
        this.spin('Thinking…');
        return;
      case 'response.output_text.delta':
        this.stopSpinner();
        this.md.push(String(f.delta ?? ''));
        return;
      case 'response.in_progress':
        return this.drawProgress(f);
      case 'response.completed': {
        this.stopSpinner();
        await this.md.flush();
        const usage = (f.response as { usage?: { input_tokens?: number; output_tokens?: number } } | undefined)?.usage;
        const tokens = usage ? `${usage.input_tokens ?? 0} in · ${usage.output_tokens ?? 0} out · ` : '';
        this.line(c.dim(`${tokens}${elapsed((Date.now() - this.started) / 1000)}`));
        return;
      }
      case 'response.failed':
        this.stopSpinner();
        await this.md.flush();
        this.line(c.red(`✗ ${String(f.error ?? 'The turn failed.')}`));
        return;
    }
  }

  private async drawProgress(f: TurnFrame): Promise<void> {
    const { c, width } = this.term;
    const role = String(f.thought_role ?? '');
    const id = String(f.tool_use_id ?? '');
    const toolFrame = role === 'thought.progress' && f.phase === undefined && !!id; // a tool call's start or end
    if ((role.startsWith('thought.') && role.endsWith('.start')) || (toolFrame && !this.toolNames.has(id))) {
      this.toolNames.set(id, String(f.content ?? ''));
      this.stopSpinner();
      await this.md.flush();
      return;
    }
    if ((role.startsWith('thought.') && role.endsWith('.end')) || toolFrame) {
      const name = this.toolNames.get(id) ?? 'tool';
      const input = parse<Record<string, unknown>>(f.content) ?? {};
      if (name === 'scratchpad' && input.action === 'exec') {
        const desc = String(input.one_line_description ?? '').trim();
        this.line(c.cyan(`▸ scratchpad ${c.dim(`(${String(input.name ?? 'main')})`)}${desc ? ` ${desc}` : ''}`));
        for (const l of String(input.code ?? '').replace(/\n+$/, '').split('\n')) this.line(c.dim(fit(`  │ ${l}`, width)));
      } else {
        const args = Object.entries(input)
          .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ');
        this.line(c.cyan(fit(`▸ ${name === 'scratchpad' ? `scratchpad ${String(input.action ?? '')}` : name}${args && name !== 'scratchpad' ? ` ${c.dim(args)}` : ''}`, width)));
      }
      return;
    }
    if (role === 'thought.scratchpad.result') {
      const cell = f.tool_action === 'exec' ? parse<Cell>(f.content) : null;
      if (!cell) return this.flushDone();
      const out = [cell.stdout ?? '', cell.stderr ? c.yellow(cell.stderr) : '', cell.error ? c.red(cell.error) : ''].filter((s) => s.trim()).join('\n');
      const lines = out.replace(/\n+$/, '').split('\n');
      const shown = lines.length > MAX_OUTPUT_LINES ? [...lines.slice(0, MAX_OUTPUT_LINES), c.dim(`… ${lines.length - MAX_OUTPUT_LINES} more lines`)] : lines;
      if (out.trim()) for (const l of shown) this.line(fit(`  ${l}`, width + 20));
      this.flushDone();
      return;
    }
    if (role === 'thought.context_compacted') {
      this.line(c.dim(`(${String(f.content ?? '')})`));
      return;
    }
    const phase = String(f.phase ?? '');
    const secs = typeof f.eta_seconds === 'number' ? f.eta_seconds : null;
    switch (phase) {
      case 'scratchpad_start':
        this.codeStarted = Date.now();
        this.spin(`Running code${secs ? c.dim(` (estimated ${secs}s)`) : ''}`, this.codeStarted);
        return;
      case 'scratchpad':
        // Live output goes into the spinner line; the whole output is printed once the cell ends.
        if (this.term.tty) this.spin(`Running code ${c.dim(fit(`· ${String(f.message ?? '').trim()}`, Math.max(20, width - 30)))}`, this.codeStarted);
        return;
      case 'scratchpad_done':
      case 'tool_done': {
        this.stopSpinner();
        this.pendingDone.push(c.green(`  ✓ ${phase === 'tool_done' ? `${String(f.message ?? '')} ` : ''}${c.dim(`done in ${elapsed(secs ?? 0)}`)}`));
        for (const file of this.artifactsChanged()) this.pendingDone.push(c.magenta(fit(`  ✎ wrote ${file}`, width)));
        if (phase === 'tool_done') this.flushDone();
        return;
      }
      case 'tool_start':
        this.spin(`Running ${String(f.message ?? 'tool')}`);
        return;
      case 'reasoning_start':
        this.spin('Thinking…');
        return;
    }
  }
}
