import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION } from '../../core/version.js';
import { main, type MainHooks } from './main.js';
import type { EarlyServer } from './early.js';
import { runImportCommand } from './services/import-command.js';

const USAGE = `Usage:
  anton cowork-server            start the Cowork server (same as anton-cowork-server)
  anton cowork-server import     adopt an existing Anton install's conversations, pins, schedules and vault
  anton update [--status|--rollback]  check for a server update now, show the updater's state, or roll back
  anton --version                print the version
  anton --help                   the terminal interface's commands
Environment: ANTON_SERVER_HOST (127.0.0.1), ANTON_SERVER_PORT (26866), ANTON_PROJECTS_DIR, see README.`;

/**
 * `anton-cowork-server [args]` and `anton cowork-server [args]`: the server, or its `import` command. The entry of
 * the server bundle (dist/bundle/server.cjs, loaded by server-loader.ts).
 */
export async function runServerCli(argv: string[], early: EarlyServer | null = null, hooks: MainHooks = {}): Promise<void> {
  if (argv[0] === 'import') return void (process.exitCode = await runImportCommand(argv.slice(1)));
  if (argv.includes('--version') || argv.includes('-V')) {
    console.log(COWORK_SERVER_VERSION);
    return;
  }
  if (argv.includes('--protocol-version')) {
    console.log(COWORK_SERVER_PROTOCOL_VERSION);
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  await main(argv, early, hooks);
}
