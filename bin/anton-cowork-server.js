#!/usr/bin/env node
// A tiny first step (flags, the port, or supervising an updated version), so /health answers while the server loads.
const argv = process.argv.slice(2);
const { boot } = await import('../dist/bundle/early.mjs');
const next = await boot(argv);
if (next.kind !== 'done') {
  // The server bundle, with V8's code cache of the last run (src/cowork/server/server-loader.ts).
  const { loadServer } = await import('../dist/bundle/server-loader.mjs');
  const server = await loadServer(next.kind === 'serve' ? next.stateDir : null);
  await server.runServerCli(argv, next.kind === 'serve' ? next.early : null, { codeCache: server.how, onWarmedUp: server.saveCodeCache });
}
