#!/usr/bin/env node
// Open the port first (a tiny module), so /health answers while the full server loads.
const argv = process.argv.slice(2);
const { listenEarly } = await import('../dist/bundle/early.mjs');
const early = await listenEarly(argv);
const { runServerCli } = await import('../dist/bundle/cli.mjs');
await runServerCli(argv, early);
