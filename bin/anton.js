#!/usr/bin/env node
// `anton cowork-server …` is the server (its port opens first, from a tiny module); every other command is the
// terminal interface, loaded from its own bundle entry.
const argv = process.argv.slice(2);
if (argv[0] === 'cowork-server') {
  const next = await (await import('../dist/bundle/early.mjs')).boot(argv.slice(1));
  if (next.kind !== 'done') {
    const { runAntonCli } = await import('../dist/bundle/cli.mjs');
    await runAntonCli(argv, next.kind === 'serve' ? next.early : null);
  }
} else {
  const { runAnton } = await import('../dist/bundle/anton.mjs');
  await runAnton(argv);
}
