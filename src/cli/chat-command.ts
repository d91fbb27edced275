import { getConfigStatus } from '../core/settings/config-status.js';
import type { ChatFlags } from './main.js';
import { printTranscript } from './conversations.js';
import { InteractiveRepl } from './interactive.js';
import { readAllStdin, runOneShot } from './oneshot.js';
import { ChatSession, CliError, exitOnCliError } from './session.js';
import { applyTheme, makeTerm } from './ui/theme.js';
import { openWorkspace, projectForFolder } from './workspace.js';

/** `anton` with no command: the interactive chat, or one turn with -p / piped stdin. Returns the exit code. */
export async function runChat(opts: ChatFlags): Promise<number> {
  const term = makeTerm();
  let prompt = opts.print;
  if (prompt === undefined && !process.stdin.isTTY) prompt = (await readAllStdin()).trim() || undefined;
  const oneShot = prompt !== undefined;
  if (!oneShot && !process.stdin.isTTY) {
    process.stderr.write('anton: nothing to ask. Give a prompt with -p "…" or on stdin, or run anton in a terminal.\n');
    return 2;
  }
  if (opts.json && !oneShot) {
    process.stderr.write('anton: --json needs -p "…" or a prompt on stdin.\n');
    return 2;
  }
  const ws = openWorkspace();
  try {
    const { ctx } = ws;
    if (!getConfigStatus(ctx.env).config_ready) {
      if (oneShot || !process.stdin.isTTY || !term.tty) throw new CliError(`${getConfigStatus(ctx.env).config_error} Run \`anton setup\` first.`);
      term.out.write('No LLM provider is configured yet. Let’s set one up.\n');
      const { runSetupWizard } = await import('./setup.js');
      if (!(await runSetupWizard(ctx))) return 1;
    }
    const { project, created, folder } = projectForFolder(ctx, process.cwd(), opts.project);
    const session = new ChatSession(ctx, project, folder);
    if (opts.model) session.model = opts.model;
    let resumed = false;
    if (opts.resume !== undefined) {
      const id = opts.resume === true ? ctx.conversations.list(project.name, 1)[0]?.id : opts.resume;
      if (id) {
        session.resume(id);
        resumed = true;
      } else if (!oneShot) term.out.write(term.c.dim(`No earlier conversation in project ${project.name}; starting a new one.\n`));
    }
    if (oneShot) return await runOneShot(session, term, prompt!, !!opts.json);
    if (ctx.kv.get<string>('terminalTheme', 'color') === 'plain') applyTheme(term, 'plain');
    const repl = new InteractiveRepl(session, ctx, term);
    if (created) term.out.write(term.c.dim(`Created project ${project.name} for ${folder ?? process.cwd()}.\n`));
    repl.banner();
    if (resumed) {
      term.out.write(term.c.dim(`Resuming ${session.conversationId}.\n`));
      printTranscript(term, ctx, session.conversationId, 6);
    }
    await repl.loop();
    return 0;
  } catch (err) {
    return exitOnCliError(err);
  } finally {
    await ws.close();
  }
}
