#!/usr/bin/env node
// A tiny first step (flags, the port, or supervising an updated version), so /health answers while the server loads.
const argv = process.argv.slice(2);
const { boot } = await import('../dist/bundle/early.mjs');
const next = await boot(argv);
if (next.kind !== 'done') {
  const { runServerCli } = await import('../dist/bundle/cli.mjs');
  await runServerCli(argv, next.kind === 'serve' ? next.early : null);
}
