import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempHome } from '../testing/temp-home.js';

const DATABASE_TS = fileURLToPath(new URL('../cowork/server/db/database.ts', import.meta.url));

/** A child process that opens (creating and migrating) the database at a given instant. */
function openAt(file: string, at: number): Promise<string> {
  const code = `import { openDatabase } from ${JSON.stringify(DATABASE_TS)};
    while (Date.now() < ${at}) {}
    try { const { db } = openDatabase(${JSON.stringify(file)}); console.log('v' + db.pragma('user_version', { simple: true })); db.close(); }
    catch (e) { console.log('FAIL ' + e.message); }`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => resolve(out.trim()));
  });
}

test('a server and a terminal creating the same new database at the same moment both open it, migrated once', async (t) => {
  for (let round = 0; round < 3; round++) {
    const { home, cleanup } = makeTempHome();
    t.after(cleanup);
    const file = join(home, 'cowork.db');
    const at = Date.now() + 2500; // both children are loaded by then, then race
    const [a, b] = await Promise.all([openAt(file, at), openAt(file, at)]);
    assert.match(a, /^v\d+$/, a);
    assert.equal(a, b);
  }
});
