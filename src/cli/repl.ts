import type { ServerServices } from '../cowork/server/server-services.js';
import type { ChatSession } from './session.js';
import type { Term } from './ui/theme.js';

/**
 * What the slash commands use of the workspace besides the session: conversations and projects to list, settings,
 * memory and skills folders, the vault and its connections, publishing.
 */
export type ReplServices = Pick<ServerServices, 'conversations' | 'projects' | 'paths' | 'env' | 'kv' | 'vault' | 'db' | 'log'>;

/**
 * The interactive chat as the slash commands see it (interactive.ts implements it). Its own module, so slash.ts and
 * interactive.ts do not import each other.
 */
export interface Repl {
  readonly session: ChatSession;
  readonly services: ReplServices;
  readonly term: Term;
  /** Set by /exit: the loop ends after the current command. */
  exiting: boolean;
  print(s?: string): void;
  /** One line from the user, or null at end of input (Ctrl-D). */
  readLine(prompt?: string): Promise<string | null>;
  /** Run a turn with Esc / Ctrl-C wired to cancel it. */
  turn(prompt: string): Promise<void>;
}
