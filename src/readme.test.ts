import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './testing/spawn-server.js';

test('the connector and live-probe counts in README are what scripts/catalogue-stats.mjs prints', () => {
  const printed = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'catalogue-stats.mjs')], { encoding: 'utf8' }).split('\n').slice(0, 2).join('\n');
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /<!-- catalogue-stats:start -->\n([\s\S]*?)\n<!-- catalogue-stats:end -->/.exec(readme)?.[1];
  assert.equal(block, printed, 'update README.md between the catalogue-stats markers with the script output');
});

test('.ci/run runs exactly the README install and test commands', () => {
  const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const cmd of ['npm ci', 'npm test']) {
    assert.ok(readme.includes(`\`\`\`sh\n${cmd}\n\`\`\``), `README shows ${cmd}`);
    assert.match(ci, new RegExp(`^${cmd}\\b`, 'm'), `.ci/run runs ${cmd}`);
  }
});
