import { runServerCli } from './server-cli.js';

/**
 * `anton cowork-server [args]` (args passed through unchanged to the server, `import` included), `anton update`;
 * every other `anton` command is the terminal interface (src/cli). The bins run the server through
 * server-bin.ts instead.
 */
export async function runAntonCli(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'cowork-server') return runServerCli(rest);
  if (cmd === 'update') {
    process.exitCode = await (await import('./update-command.js')).runUpdateCommand(rest);
    return;
  }
  const { runAnton } = await import('../../cli/main.js');
  await runAnton(argv);
}
