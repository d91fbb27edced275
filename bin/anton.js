#!/usr/bin/env node
// `anton cowork-server …` is the server (its port opens first, from a tiny module); every other command is the
// terminal interface, loaded from its own bundle entry.
const argv = process.argv.slice(2);
if (argv[0] === 'cowork-server') {
  const { boot } = await import('../dist/bundle/early.mjs');
  const next = await boot(argv.slice(1));
  if (next.kind !== 'done') {
    const { loadServer } = await import('../dist/bundle/server-loader.mjs');
    const server = await loadServer(next.kind === 'serve' ? next.stateDir : null);
    await server.runServerCli(argv.slice(1), next.kind === 'serve' ? next.early : null, { codeCache: server.how, onWarmedUp: server.saveCodeCache });
  }
} else {
  const { runAnton } = await import('../dist/bundle/anton.mjs');
  await runAnton(argv);
}
