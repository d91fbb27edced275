import { emitKeypressEvents, createInterface, type Interface } from 'node:readline';
import { COWORK_SERVER_VERSION } from '../core/version.js';
import { resolveRole } from '../core/settings/providers.js';
import { ChatSession, isUserError } from './session.js';
import { runSlash } from './slash.js';
import type { Repl, ReplServices } from './repl.js';
import { TurnView } from './ui/turn-view.js';
import type { Term } from './ui/theme.js';

export const PROMPT = '› ';

/**
 * The interactive chat: a prompt, turns drawn as they stream, slash commands. Esc or Ctrl-C cancels the running turn
 * (the partial reply stays in the conversation); Ctrl-C on an empty prompt hints at Ctrl-D, which exits.
 */
export class InteractiveRepl implements Repl {
  private rl: Interface | null = null;
  private history: string[] = [];
  exiting = false;

  constructor(
    readonly session: ChatSession,
    readonly services: ReplServices,
    readonly term: Term,
    private readonly input: NodeJS.ReadStream = process.stdin,
  ) {}

  print(s = ''): void {
    this.term.out.write(`${s}\n`);
  }

  banner(): void {
    const { c } = this.term;
    const role = resolveRole(this.services.env, 'planning');
    this.print(`${c.bold('Anton')} ${c.dim(COWORK_SERVER_VERSION)} ${c.dim('·')} project ${c.cyan(this.session.project.name)} ${c.dim('·')} ${c.dim(`${role.provider}/${this.session.model ?? role.model}`)}`);
    this.print(c.dim('Type a request. /help for commands · Esc cancels a turn · Ctrl-D exits.'));
  }

  /** One line from the user, or null at end of input (Ctrl-D). */
  readLine(prompt = PROMPT): Promise<string | null> {
    return new Promise((resolve) => {
      const rl = createInterface({ input: this.input, output: this.term.out, terminal: this.term.tty, history: this.history, historySize: 500, prompt });
      this.rl = rl;
      let answered = false;
      rl.on('line', (line) => {
        answered = true;
        this.history = (rl as unknown as { history: string[] }).history ?? this.history;
        rl.close();
        resolve(line);
      });
      rl.on('SIGINT', () => {
        if (rl.line) {
          // Like a shell: Ctrl-C drops the line being typed.
          this.term.out.write('\n');
          (rl as unknown as { line: string }).line = '';
          rl.prompt();
        } else {
          this.term.out.write(this.term.c.dim('\n(Ctrl-D exits)\n'));
          rl.prompt();
        }
      });
      rl.on('close', () => {
        this.rl = null;
        if (!answered) resolve(null);
      });
      rl.prompt();
    });
  }

  async loop(): Promise<void> {
    for (;;) {
      const line = await this.readLine();
      if (line === null) {
        this.print();
        return;
      }
      const text = line.trim();
      if (!text) continue;
      try {
        if (text.startsWith('/')) await runSlash(this, text);
        else await this.turn(text);
      } catch (err) {
        const known = isUserError(err);
        this.print(this.term.c.red(known ? (err as Error).message : `Error: ${(err as Error).message}`));
      }
      if (this.exiting) return;
    }
  }

  /** Run a turn with Esc / Ctrl-C wired to cancel it. */
  async turn(prompt: string): Promise<void> {
    const view = new TurnView(this.term);
    const stopKeys = this.watchCancelKeys(() => {
      if (this.session.cancel()) this.print(this.term.c.yellow('\n⏹ Stopping…'));
    });
    try {
      const out = await this.session.run(prompt, (f) => view.push(f), (fn) => (view.artifactsChanged = fn));
      await view.done();
      if (out.status === 'cancelled') this.print(this.term.c.yellow('Stopped. The partial reply is kept in the conversation.'));
    } finally {
      stopKeys();
      await view.done();
    }
  }

  /** Listen for Esc and Ctrl-C while a turn runs (raw keys on a TTY, SIGINT otherwise). */
  private watchCancelKeys(onCancel: () => void): () => void {
    const input = this.input;
    const onSigint = () => onCancel();
    if (!input.isTTY) {
      process.on('SIGINT', onSigint);
      return () => process.off('SIGINT', onSigint);
    }
    emitKeypressEvents(input);
    input.setRawMode(true);
    input.resume();
    const onKey = (_: string, key: { name?: string; ctrl?: boolean } | undefined) => {
      if (key?.name === 'escape' || (key?.ctrl && key.name === 'c')) onCancel();
    };
    input.on('keypress', onKey);
    return () => {
      input.off('keypress', onKey);
      input.setRawMode(false);
      input.pause();
    };
  }

  close(): void {
    this.rl?.close();
  }
}
