#!/usr/bin/env node
// A tiny first step (flags, the port, or supervising an updated version), so the port opens while the server loads
// (src/cowork/server/server-bin.ts).
const { runServerBin } = await import('../dist/bundle/server-bin.mjs');
await runServerBin(process.argv.slice(2));
