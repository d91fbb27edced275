// Prints the size of the connector catalogue and how many connectors have a live probe (for the README).
// Run: node scripts/catalogue-stats.mjs   (add --json for machine-readable output)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'connectors');
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const methods = all.flatMap((c) => c.form.methods);
const probed = all.filter((c) => c.form.methods.some((m) => m.probe));
const byType = {};
for (const m of methods) if (m.probe) byType[m.probe.type] = (byType[m.probe.type] ?? 0) + 1;
const stats = {
  connectors: all.length,
  categories: new Set(all.map((c) => c.category)).size,
  methods: methods.length,
  connectorsWithLiveProbe: probed.length,
  methodsWithLiveProbe: methods.filter((m) => m.probe).length,
  probeKinds: byType,
};
if (process.argv.includes('--json')) console.log(JSON.stringify(stats, null, 2));
else {
  console.log(`${stats.connectors} connectors in ${stats.categories} categories (${stats.methods} sign-in methods).`);
  console.log(`${stats.connectorsWithLiveProbe} connectors (${Math.round((100 * stats.connectorsWithLiveProbe) / stats.connectors)}%) have a live connection test; ${stats.methodsWithLiveProbe} of ${stats.methods} methods.`);
  console.log(`Probe kinds: ${Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}.`);
}
