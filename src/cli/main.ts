import { Command, CommanderError, Option } from 'commander';
import { COWORK_SERVER_VERSION } from '../core/version.js';
import { parseSetting } from '../core/settings/settings-registry.js';

/**
 * `anton`: the terminal interface. Heavy modules (database, agent, Markdown) load only when a command needs them,
 * so `--help` and `--version` stay instant.
 */
export async function runAnton(argv: string[]): Promise<void> {
  const program = new Command('anton')
    .description('Anton, an AI coworker that analyses data in a persistent Python scratchpad.\nWithout a command: chat in the current folder.')
    .version(COWORK_SERVER_VERSION, '-V, --version', 'print the version')
    .option('-p, --print <prompt>', 'run one turn without the interactive prompt and print the answer')
    .option('--json', 'with -p or piped stdin: print the event stream as JSON lines')
    .option('-r, --resume [id]', 'continue a conversation (the latest of this project without an id)')
    .option('--project <name>', 'use this project instead of the one mapped to the current folder')
    .option('-m, --model <model>', 'use this model for the session')
    .usage('[options] [command]')
    .enablePositionalOptions() // `anton doctor --json` is the doctor's --json, not the chat's
    .argument('[command]')
    .showHelpAfterError()
    .exitOverride()
    .action(async (command: string | undefined, opts: ChatFlags) => {
      if (command) program.error(`error: unknown command '${command}' (to ask something in one go: anton -p "…")`, { exitCode: 2, code: 'anton.unknownCommand' });
      const { runChat } = await import('./chat-command.js');
      process.exitCode = await runChat(opts);
    });

  program
    .command('setup')
    .description('configure the LLM provider (checks the key with a real call, writes ~/.anton/.env)')
    .addOption(new Option('--provider <type>', 'skip the prompts: anthropic, openai, openai-compatible, gemini, minds-cloud'))
    .option('--api-key <key>', 'with --provider: the API key (or set ANTON_SETUP_API_KEY)')
    .option('--base-url <url>', 'with --provider openai-compatible: the endpoint')
    .option('--model <model>', 'with --provider: the model')
    .option('--no-check', 'save without the live key check')
    .action(async (opts: { provider?: string; apiKey?: string; baseUrl?: string; model?: string; check: boolean }) => {
      const { runSetupCommand } = await import('./commands.js');
      process.exitCode = await runSetupCommand(opts);
    });

  program
    .command('sessions')
    .description('list recent conversations')
    .option('--all', 'every project, not only the current folder’s')
    .option('--project <name>', 'this project')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'JSON output')
    .action(async (opts: { all?: boolean; project?: string; limit: string; json?: boolean }) => {
      const { runSessionsCommand } = await import('./commands.js');
      process.exitCode = await runSessionsCommand(opts);
    });

  program
    .command('session')
    .description('print one conversation')
    .argument('<id>', 'conversation id (see `anton sessions`)')
    .option('--json', 'JSON output (the same messages as GET /v1/conversations/{id}/messages)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { runSessionCommand } = await import('./commands.js');
      process.exitCode = await runSessionCommand(id, opts);
    });

  const datasource = (action: 'list' | 'test' | 'remove' | 'connect' | 'edit') => async (arg?: string, opts?: { yes?: boolean }) => {
    const { runDatasourceCommand } = await import('./commands.js');
    process.exitCode = await runDatasourceCommand(action, arg, opts ?? {});
  };
  program.command('connect').description('connect a data source (the connector catalogue’s form, tested live)').argument('[engine]', 'e.g. postgres, snowflake, hubspot').action(datasource('connect'));
  program.command('list').description('list connected data sources').action(() => datasource('list')());
  program.command('edit').description('change a connection’s settings').argument('<connection>', 'engine/name or name').action(datasource('edit'));
  program.command('remove').description('remove a connection and its stored credentials').argument('<connection>', 'engine/name or name').option('-y, --yes', 'no question').action(datasource('remove'));
  program.command('test').description('test connections live (all without an argument)').argument('[connection]', 'engine/name or name').action(datasource('test'));

  program
    .command('doctor')
    .description('check this install: versions, state dir, database, providers, Python, port, updates, web UI')
    .option('--live', 'also check the provider keys with a real request')
    .option('--json', 'JSON output')
    .action(async (opts: { live?: boolean; json?: boolean }) => {
      const [{ runDoctor, printDoctor }, { makeTerm }] = await Promise.all([import('./doctor.js'), import('./ui/theme.js')]);
      const checks = await runDoctor(process.env, !!opts.live);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok: !checks.some((c) => c.status === 'fail'), checks }, null, 2)}\n`);
      else printDoctor(makeTerm(), checks);
      process.exitCode = checks.some((c) => c.status === 'fail') ? 1 : 0;
    });

  program
    .command('export')
    .description('back up the workspace (database, projects, memory, skills, encrypted vault) or one conversation to a zip')
    .option('-c, --conversation <id>', 'only this conversation')
    .option('-o, --output <file>', 'where to write the archive')
    .option('--with-vault-key', 'include the vault key (needed to open saved connections on another machine)')
    .action(async (opts: { conversation?: string; output?: string; withVaultKey?: boolean }) => {
      const { runExportCommand } = await import('./commands.js');
      process.exitCode = await runExportCommand(opts);
    });

  program
    .command('import-archive')
    .description('restore an archive made by `anton export` (a workspace archive replaces the database; the current one is saved first)')
    .argument('<file>')
    .option('--as-new', 'a conversation that already exists is imported as a copy')
    .action(async (file: string, opts: { asNew?: boolean }) => {
      const { runImportArchiveCommand } = await import('./commands.js');
      process.exitCode = await runImportArchiveCommand(file, opts);
    });

  program
    .command('version')
    .description('print the version')
    .action(() => console.log(COWORK_SERVER_VERSION));

  program
    .command('cowork-server')
    .description('start the Cowork server (same as anton-cowork-server; `anton cowork-server --help`)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => {
      // The bins run this through server-bin.ts (the early port and the code cache); this is the in-process path.
      const { runServerCli } = await import('../cowork/server/server-cli.js');
      await runServerCli(args);
    });

  program
    .command('update')
    .description('update Anton from its release channel')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { runUpdateDispatch } = await import('./update-dispatch.js');
      await runUpdateDispatch(args);
    });

  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors (already printed with the usage) exit 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // One line, not a stack trace from the minified bundle (ANTON_DEBUG=1 shows it).
    process.stderr.write(`anton: ${(err as Error)?.message ?? String(err)}\n`);
    if (parseSetting('ANTON_DEBUG', process.env.ANTON_DEBUG)) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exitCode = 1;
  }
}

export interface ChatFlags {
  print?: string;
  json?: boolean;
  resume?: string | true;
  project?: string;
  model?: string;
}
