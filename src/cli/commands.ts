import { resolve } from 'node:path';
import { getConfigStatus } from '../core/settings/config-status.js';
import { bootEnv } from '../cowork/server/boot-env.js';
import type { ProviderType } from '../core/settings/providers.js';
import { printConversationList, printTranscript, recentConversations } from './conversations.js';
import { CliError, exitOnCliError } from './session.js';
import { makeTerm } from './ui/theme.js';
import { openWorkspace, projectForFolder, type Workspace } from './workspace.js';

/** Open the workspace, run `fn`, close; CliErrors become one line on stderr and exit code 1. */
async function withWorkspace(fn: (ws: Workspace) => Promise<number> | number): Promise<number> {
  const ws = openWorkspace();
  try {
    return await fn(ws);
  } catch (err) {
    return exitOnCliError(err);
  } finally {
    await ws.close();
  }
}

export function runSetupCommand(opts: { provider?: string; apiKey?: string; baseUrl?: string; model?: string; check: boolean }): Promise<number> {
  return withWorkspace(async ({ ctx }) => {
    const term = makeTerm();
    const setup = await import('./setup.js');
    if (opts.provider) {
      const apiKey = opts.apiKey ?? process.env.ANTON_SETUP_API_KEY;
      if (!apiKey) throw new CliError('--api-key (or ANTON_SETUP_API_KEY) is required with --provider.');
      await setup.setupFromFlags(ctx, term, { provider: opts.provider as ProviderType, apiKey, baseUrl: opts.baseUrl, model: opts.model }, !opts.check);
      return 0;
    }
    const ok = await setup.runSetupWizard(ctx);
    return ok && getConfigStatus(ctx.env).config_ready ? 0 : 1;
  });
}

export function runSessionsCommand(opts: { all?: boolean; project?: string; limit: string; json?: boolean }): Promise<number> {
  return withWorkspace(({ ctx }) => {
    const limit = Math.max(1, Math.min(1000, Number.parseInt(opts.limit, 10) || 20));
    const project = opts.all ? 'all' : opts.project ?? projectForFolder(ctx, process.cwd()).project.name;
    const list = recentConversations(ctx, project, limit);
    if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    else printConversationList(makeTerm(), list, project === 'all');
    return 0;
  });
}

export function runSessionCommand(id: string, opts: { json?: boolean }): Promise<number> {
  return withWorkspace(({ ctx }) => {
    if (!ctx.conversations.get(id)) throw new CliError(`No conversation ${id}. \`anton sessions --all\` lists them.`);
    if (opts.json) process.stdout.write(`${JSON.stringify(ctx.conversations.displayMessages(id), null, 2)}\n`);
    else printTranscript(makeTerm(), ctx, id);
    return 0;
  });
}

export function runDatasourceCommand(action: 'list' | 'test' | 'remove' | 'connect' | 'edit', arg: string | undefined, opts: { yes?: boolean } = {}): Promise<number> {
  return withWorkspace(async ({ ctx }) => {
    const term = makeTerm();
    const ds = await import('./datasources.js');
    switch (action) {
      case 'list':
        ds.listConnections(term, ctx);
        return 0;
      case 'test':
        return (await ds.testConnections(term, ctx, arg)) ? 0 : 1;
      case 'remove':
        return (await ds.removeConnectionCommand(term, ctx, arg!, !!opts.yes)) ? 0 : 1;
      case 'connect':
        return (await ds.connectInteractive(term, ctx, { engine: arg })) ? 0 : 1;
      case 'edit':
        return (await ds.connectInteractive(term, ctx, { edit: arg })) ? 0 : 1;
    }
  });
}

export async function runExportCommand(opts: { conversation?: string; output?: string; withVaultKey?: boolean }): Promise<number> {
  return withWorkspace(async ({ ctx }) => {
    const { exportConversation, exportWorkspace } = await import('./archive.js');
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const file = resolve(opts.output ?? (opts.conversation ? `anton-conversation-${opts.conversation}.zip` : `anton-workspace-${stamp}.zip`));
    if (opts.conversation) exportConversation(ctx, opts.conversation, file);
    else {
      const r = await exportWorkspace(ctx, file, !!opts.withVaultKey);
      process.stderr.write(`${r.files} files.${opts.withVaultKey ? ' The archive holds the vault key: keep it private.' : ' The vault key is not included (--with-vault-key adds it, for another machine).'}\n`);
    }
    process.stdout.write(`${file}\n`);
    return 0;
  });
}

export async function runImportArchiveCommand(file: string, opts: { asNew?: boolean }): Promise<number> {
  const archive = await import('./archive.js');
  const { otherLiveProcesses } = await import('../cowork/server/services/live-processes.js');
  let unpacked;
  try {
    unpacked = archive.unpackArchive(resolve(file));
  } catch (err) {
    return exitOnCliError(err);
  }
  try {
    if (unpacked.manifest.kind === 'conversation') {
      return await withWorkspace(({ ctx }) => {
        const r = archive.importConversation(ctx, unpacked.dir, !!opts.asNew);
        process.stdout.write(`Imported conversation ${r.conversation}.\n`);
        return 0;
      });
    }
    const { paths } = bootEnv(process.env);
    if (otherLiveProcesses(paths.coworkStateDir).length) {
      process.stderr.write('anton: Close the Cowork app (its server) and other anton terminals first: a workspace import replaces the database.\n');
      return 1;
    }
    const r = await archive.importWorkspace(paths, unpacked.dir, unpacked.manifest, (backup) => withWorkspace(async ({ ctx }) => (await archive.exportWorkspace(ctx, backup, false), 0)));
    process.stdout.write(`Imported the workspace (${r.files} files). The previous one was saved to ${r.backup}.\n`);
    if (r.vaultKey === 'kept') process.stderr.write('The archive was made with another vault key than this machine\'s: its saved connections were left out.\n');
    return 0;
  } catch (err) {
    return exitOnCliError(err);
  } finally {
    unpacked.cleanup();
  }
}
