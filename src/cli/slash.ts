import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SkillStore, skillLabel } from '../core/memory/skills.js';
import { resolveRole } from '../core/settings/providers.js';
import { memorySections } from '../cowork/server/services/memory-files.js';
import { listProviders } from '../cowork/server/services/settings.js';
import type { Repl } from './repl.js';
import { printConversationList, printTranscript, recentConversations } from './conversations.js';
import { CliError } from './session.js';
import { applyTheme, fit } from './ui/theme.js';

interface Slash {
  name: string;
  args?: string;
  summary: string;
  run: (r: Repl, arg: string) => Promise<void> | void;
}

/** Pick one item with arrow keys on a TTY; null when cancelled. */
async function pick(r: Repl, message: string, options: { value: string; label: string; hint?: string }[]): Promise<string | null> {
  if (!r.term.tty) throw new CliError('Give the id: this needs an interactive terminal to pick from a list.');
  const { select, isCancel } = await import('@clack/prompts');
  const v = await select({ message, options });
  return isCancel(v) ? null : (v as string);
}

export const SLASH_COMMANDS: Slash[] = [
  {
    name: 'help',
    summary: 'this list',
    run: (r) => {
      const { c } = r.term;
      for (const s of SLASH_COMMANDS) {
        // One line when it fits the terminal, else the summary goes under the command (nothing is cut).
        const head = `/${s.name}${s.args ? ` ${s.args}` : ''}`;
        const styled = `  ${c.cyan(`/${s.name}`)}${s.args ? ` ${c.dim(s.args)}` : ''}`;
        if (2 + head.length + 2 + s.summary.length < r.term.width) r.print(`${styled}  ${s.summary}`);
        else r.print(`${styled}\n      ${s.summary}`);
      }
      r.print(c.dim('  Esc or Ctrl-C stops a running turn (the partial reply is kept); Ctrl-D exits.'));
    },
  },
  {
    name: 'resume',
    args: '[id]',
    summary: 'continue an earlier conversation (pick from a list without an id)',
    run: async (r, arg) => {
      let id: string | null = arg || null;
      if (!id) {
        const list = recentConversations(r.services, 'all', 30);
        if (!list.length) return r.print('No conversations yet.');
        id = await pick(
          r,
          'Resume which conversation?',
          list.map((m) => ({ value: m.id, label: m.title || '(untitled)', hint: `${m.project} · ${m.updated_at.slice(0, 16).replace('T', ' ')}` })),
        );
        if (!id) return;
      }
      const meta = r.session.resume(id);
      r.print(r.term.c.dim(`Resumed ${meta.id} in project ${meta.project} (${meta.turns} turn${meta.turns === 1 ? '' : 's'}).`));
      printTranscript(r.term, r.services, meta.id, 6);
    },
  },
  {
    name: 'new',
    summary: 'start a new conversation',
    run: (r) => {
      r.session.fresh();
      r.print(r.term.c.dim(`New conversation ${r.session.conversationId}.`));
    },
  },
  {
    name: 'sessions',
    summary: 'recent conversations of this project',
    run: (r) => printConversationList(r.term, recentConversations(r.services, r.session.project.name), false),
  },
  {
    name: 'memory',
    args: '[file]',
    summary: "what Anton remembers (global and this project's memory files)",
    run: (r, arg) => {
      const sections = memorySections(r.services, r.session.project.path);
      const { c } = r.term;
      if (arg) {
        const file = sections.flatMap((s) => s.files).find((f) => f.relativePath === arg || f.relativePath === `${arg}.md` || f.name.toLowerCase() === arg.toLowerCase());
        if (!file) throw new CliError(`No memory file ${arg}. /memory lists them.`);
        r.print(c.dim(file.path));
        r.print(file.content);
        return;
      }
      for (const s of sections) {
        r.print(c.bold(s.scope === 'Global' ? 'Global memory' : `Project memory (${s.projectName})`) + c.dim(`  ${s.root}`));
        if (!s.files.length) r.print(c.dim('  (empty)'));
        for (const f of s.files) r.print(`  ${c.cyan(f.relativePath)} ${c.dim(`${f.bytes} bytes`)}`);
      }
      r.print(c.dim('/memory <file> shows one. Anton adds to memory with its memorize tool.'));
    },
  },
  {
    name: 'skills',
    summary: 'saved skills (procedures Anton can recall)',
    run: (r) => {
      const skills = new SkillStore(r.services.paths.skillsDir).list();
      if (!skills.length) return r.print('No skills saved yet. /skill save <label> <file> adds one from a Markdown file.');
      for (const s of skills) r.print(fit(`  ${r.term.c.cyan(s.meta.label)}  ${s.meta.name}${s.meta.when_to_use ? r.term.c.dim(` — ${s.meta.when_to_use}`) : ''}`, r.term.width + 20));
    },
  },
  {
    name: 'skill',
    args: '<label> | save <label> <file.md> | remove <label>',
    summary: 'show, save or remove a skill',
    run: (r, arg) => {
      const store = new SkillStore(r.services.paths.skillsDir);
      const [sub, label, file] = arg.split(/\s+/);
      if (!sub) throw new CliError('Usage: /skill <label> | /skill save <label> <file.md> | /skill remove <label>');
      if (sub === 'remove') {
        if (!label || !store.delete(label)) throw new CliError(`No skill ${label ?? ''}.`);
        return r.print(`Removed skill ${label}.`);
      }
      if (sub === 'save') {
        if (!label || !file || !skillLabel(label)) throw new CliError('Usage: /skill save <label> <file.md> (label: letters, digits, _)');
        const path = isAbsolute(file) ? file : join(process.cwd(), file);
        const declarative = readFileSync(path, 'utf8');
        const title = declarative.match(/^#\s+(.+)$/m)?.[1]?.trim() ?? label;
        store.upsert(skillLabel(label), { name: title, description: '', whenToUse: '', declarative });
        return r.print(`Saved skill ${skillLabel(label)}.`);
      }
      const s = store.get(sub);
      if (!s) throw new CliError(`No skill ${sub}. /skills lists them.`);
      r.print(r.term.c.bold(s.meta.name));
      if (s.meta.when_to_use) r.print(r.term.c.dim(`When: ${s.meta.when_to_use}`));
      r.print(s.declarative);
    },
  },
  {
    name: 'llm',
    args: '[model]',
    summary: 'show the provider and model; switch the model for this session',
    run: (r, arg) => {
      const { c } = r.term;
      if (arg) {
        r.session.model = arg;
        return r.print(`Using ${c.cyan(arg)} for this session (\`/llm default\` goes back; \`anton setup\` changes the saved default).`);
      }
      const role = resolveRole(r.services.env, 'planning');
      r.print(`Provider ${c.cyan(role.provider)} · model ${c.cyan(r.session.model ?? role.model)}${r.session.model ? c.dim(' (this session)') : ''}`);
      const configured = listProviders(r.services.env).map((p) => p.type + (p.isDefault ? ' (default)' : ''));
      r.print(c.dim(`Configured providers: ${configured.join(', ') || 'none'}`));
    },
  },
  {
    name: 'setup',
    summary: 'configure the LLM provider (the setup wizard)',
    run: async (r) => {
      const { runSetupWizard } = await import('./setup.js');
      await runSetupWizard(r.services);
    },
  },
  {
    name: 'publish',
    args: '[artifact.html]',
    summary: 'publish an HTML artifact (Minds key needed); pick one without an argument',
    run: async (r, arg) => {
      const ctx = r.services;
      const [{ artifactCards, resolveArtifactPath }, { publishArtifact }] = await Promise.all([import('../cowork/server/services/artifacts.js'), import('../cowork/server/services/publish.js')]);
      let path: string | null = arg || null;
      if (!path) {
        const html = artifactCards(ctx.projects.list(), 500).filter((a) => /\.html?$/i.test(a.path)).slice(0, 30);
        if (!html.length) return r.print('No HTML artifacts yet.');
        path = await pick(r, 'Publish which artifact?', html.map((a) => ({ value: a.path, label: a.title, hint: a.publishedUrl ? 'published' : undefined })));
        if (!path) return;
      }
      const out = await publishArtifact(ctx, resolveArtifactPath(ctx.projects, path));
      r.print(`Published: ${r.term.c.cyan(out.url)}`);
    },
  },
  {
    name: 'unpublish',
    args: '<artifact.html>',
    summary: 'take a published artifact down',
    run: async (r, arg) => {
      if (!arg) throw new CliError('Usage: /unpublish <path of the artifact>');
      const ctx = r.services;
      const [{ resolveArtifactPath }, { unpublishArtifact }] = await Promise.all([import('../cowork/server/services/artifacts.js'), import('../cowork/server/services/publish.js')]);
      await unpublishArtifact(ctx, resolveArtifactPath(ctx.projects, arg));
      r.print('Unpublished.');
    },
  },
  {
    name: 'theme',
    args: '[color|plain]',
    summary: 'colours and rendered Markdown, or plain text (remembered)',
    run: (r, arg) => {
      const mode = arg || (r.term.color ? 'plain' : 'color');
      if (mode !== 'color' && mode !== 'plain') throw new CliError('Usage: /theme color | /theme plain');
      applyTheme(r.term, mode);
      r.services.kv.set('terminalTheme', mode);
      r.print(`Theme: ${mode}${mode === 'color' && !r.term.color ? ' (this terminal has no colours: NO_COLOR is set or it is not a TTY)' : ''}.`);
    },
  },
  {
    name: 'paste',
    summary: 'send a multi-line message (end with a line holding a single ".")',
    run: async (r) => {
      r.print(r.term.c.dim('Paste your text; finish with a line containing only "." (or Ctrl-D).'));
      const lines: string[] = [];
      for (;;) {
        const l = await r.readLine('… ');
        if (l === null || l === '.') break;
        lines.push(l);
      }
      const text = lines.join('\n').trim();
      if (text) await r.turn(text);
    },
  },
  {
    name: 'explain',
    summary: 'the steps of the last turn (tools run, code, timings)',
    run: (r) => {
      const { conversationId } = r.session;
      const ctx = r.services;
      const last = ctx.conversations.latestTurn(conversationId);
      if (!last) return r.print('Nothing to explain yet.');
      const { c } = r.term;
      let steps = 0;
      for (const f of ctx.conversations.frames(last.id)) {
        if (f.type !== 'response.in_progress') continue;
        if (f.thought_role === 'thought.scratchpad.end') {
          steps++;
          let input: Record<string, unknown> = {};
          try {
            input = JSON.parse(String(f.content)) as Record<string, unknown>;
          } catch {
            /* partial */
          }
          r.print(c.cyan(`${steps}. scratchpad ${String(input.action ?? '')} ${String(input.one_line_description ?? '')}`));
          if (input.code) r.print(c.dim(String(input.code).replace(/^/gm, '   │ ')));
        } else if (f.phase === 'tool_done' || f.phase === 'scratchpad_done') {
          r.print(c.dim(`   done in ${Number(f.eta_seconds ?? 0).toFixed(1)}s`));
        } else if (f.thought_role === 'thought.progress' && !f.phase && f.tool_use_id && !String(f.content).startsWith('{')) {
          steps++;
          r.print(c.cyan(`${steps}. ${String(f.content)}`));
        }
      }
      r.print(c.dim(`Turn ${last.id}: ${last.status}, ${steps} step${steps === 1 ? '' : 's'}.`));
    },
  },
  {
    name: 'connect',
    args: '[engine]',
    summary: 'connect a data source (form from the connector catalogue, tested live)',
    run: async (r, arg) => void (await (await import('./datasources.js')).connectInteractive(r.term, r.services, { engine: arg || undefined })),
  },
  {
    name: 'list',
    summary: 'connected data sources',
    run: async (r) => (await import('./datasources.js')).listConnections(r.term, r.services),
  },
  {
    name: 'edit',
    args: '<connection>',
    summary: 'change a connection',
    run: async (r, arg) => {
      if (!arg) throw new CliError('Usage: /edit <engine/name>');
      await (await import('./datasources.js')).connectInteractive(r.term, r.services, { edit: arg });
    },
  },
  {
    name: 'remove',
    args: '<connection>',
    summary: 'remove a connection and its credentials',
    run: async (r, arg) => {
      if (!arg) throw new CliError('Usage: /remove <engine/name>');
      await (await import('./datasources.js')).removeConnectionCommand(r.term, r.services, arg, false);
    },
  },
  {
    name: 'test',
    args: '[connection]',
    summary: 'test connections live',
    run: async (r, arg) => void (await (await import('./datasources.js')).testConnections(r.term, r.services, arg || undefined)),
  },
  {
    name: 'exit',
    summary: 'leave (same as Ctrl-D)',
    run: (r) => {
      r.exiting = true;
    },
  },
];

export async function runSlash(r: Repl, line: string): Promise<void> {
  const [word, ...rest] = line.slice(1).split(/\s+/);
  const arg = rest.join(' ').trim();
  const name = word.toLowerCase() === 'quit' ? 'exit' : word.toLowerCase();
  if (name === 'llm' && arg === 'default') {
    r.session.model = undefined;
    return r.print('Back to the configured model.');
  }
  const cmd = SLASH_COMMANDS.find((s) => s.name === name);
  if (!cmd) throw new CliError(`Unknown command /${word}. /help lists the commands.`);
  await cmd.run(r, arg);
}
