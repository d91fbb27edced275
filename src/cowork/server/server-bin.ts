import { boot } from './early.js';
import { tuneGc } from './gc-tuning.js';

/**
 * What both bins run for the server (`anton-cowork-server …`, `anton cowork-server …`): the tiny first step that opens
 * the port (early.ts), then the server bundle with V8's code cache of the last run (server-loader.ts), which is saved
 * anew once the server is warm when it was missing or stale.
 */
export async function runServerBin(argv: string[]): Promise<void> {
  tuneGc();
  const next = await boot(argv);
  if (next.kind === 'done') return;
  const serving = next.kind === 'serve' ? next : null;
  const { loadServer } = await import('./server-loader.js');
  const server = await loadServer(serving?.stateDir ?? null);
  await server.runServerCli(argv, serving?.early ?? null, { codeCache: server.how, onWarmedUp: server.saveCodeCache });
}
