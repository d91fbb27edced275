#!/usr/bin/env node
const argv = process.argv.slice(2);
const serving = argv[0] === 'cowork-server';
const next = serving ? await (await import('../dist/bundle/early.mjs')).boot(argv.slice(1)) : { kind: 'command' };
if (next.kind !== 'done') {
  const { runAntonCli } = await import('../dist/bundle/cli.mjs');
  await runAntonCli(argv, next.kind === 'serve' ? next.early : null);
}
