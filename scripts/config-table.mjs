// Rewrites README.md's configuration table from src/core/settings/settings-registry.ts (run: npm run docs:config).
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigTable } from '../src/core/settings/config-table.ts';

const file = new URL('../README.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = replaceConfigTable(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'README.md configuration table is up to date' : 'README.md configuration table rewritten');
