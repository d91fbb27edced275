#!/usr/bin/env node
const argv = process.argv.slice(2);
const serving = argv[0] === 'cowork-server';
const early = serving ? await (await import('../dist/bundle/early.mjs')).listenEarly(argv.slice(1)) : null;
const { runAntonCli } = await import('../dist/bundle/cli.mjs');
await runAntonCli(argv, early);
