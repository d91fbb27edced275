import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the instructions live: this server and the reference's C edit `.anton/anton.md`; A's app edited `.context/anton.md`. */
export const INSTRUCTIONS_FILE = '.anton/anton.md';
export const LEGACY_INSTRUCTIONS_FILE = '.context/anton.md';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Nothing the user wrote: empty, or the template anton-core scaffolds (`# Anton Workspace…`) left untouched. */
export function isUnwrittenInstructions(text: string): boolean {
  const t = text.trim();
  return !t || /^# Anton Workspace\b/.test(t);
}

/**
 * The project's instructions as the model gets them: `.anton/anton.md` when the user wrote something there,
 * else A's `.context/anton.md` (its settings page saved there, and its own agent never read it). The import copies
 * `.context/anton.md` into `.anton/anton.md`, so this fallback only matters until then.
 */
export function readProjectInstructions(projectDir: string): string {
  const main = readText(join(projectDir, INSTRUCTIONS_FILE));
  if (!isUnwrittenInstructions(main)) return main;
  const legacy = readText(join(projectDir, LEGACY_INSTRUCTIONS_FILE));
  return legacy.trim() ? legacy : main;
}

export interface SystemPromptInput {
  now: Date;
  projectName: string;
  projectDir: string;
  /** The project's instructions, written by the user (see readProjectInstructions). */
  instructions?: string;
  /** Prompt fragments of the registered tools. */
  toolPrompts?: string[];
  /** Extra sections from the host (memory, connected data sources, …), already titled. */
  sections?: string[];
}

/** The agent's system prompt, rebuilt before every model call. */
export function buildSystemPrompt(p: SystemPromptInput): string {
  const parts = [
    `You are Anton, an AI coworker that gets analytical and operational work done for the user on their computer.
Current date and time: ${p.now.toISOString()}.
Work step by step, use tools when they help, and answer in Markdown. Be concise: the Cowork desktop UI already shows
tool activity as rows, so do not narrate internal steps; report results, decisions and next steps.`,
    `## Project
You are working in the project "${p.projectName}". Its folder is ${p.projectDir}; you may use every file in it except the
internal .anton/ folder. Ask before deleting or overwriting the user's files. Files outside the project are only
available when the user attached them. When you write files, use absolute paths inside the project folder.`,
  ];
  if (p.instructions?.trim()) parts.push(`## Project Context (anton.md)\n${p.instructions.trim()}`);
  for (const s of p.sections ?? []) if (s.trim()) parts.push(s.trim());
  for (const s of p.toolPrompts ?? []) if (s.trim()) parts.push(s.trim());
  return parts.join('\n\n');
}
