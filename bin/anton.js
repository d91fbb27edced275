#!/usr/bin/env node
// `anton cowork-server …` is the server (its port opens first, from a tiny module); every other command is the
// terminal interface, loaded from its own bundle entry.
const argv = process.argv.slice(2);
if (argv[0] === 'cowork-server') {
  const { runServerBin } = await import('../dist/bundle/server-bin.mjs');
  await runServerBin(argv.slice(1));
} else {
  const { runAnton } = await import('../dist/bundle/anton.mjs');
  await runAnton(argv);
}
