import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { makeTempHome } from '../../../testing/temp-home.js';
import { waitFor } from '../../../testing/wait.js';

const walSize = (file: string) => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

test('WAL checkpoints leave the event loop: the server connection never checkpoints; a worker folds and truncates the WAL, then exits', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'cowork.db');
  const { db } = openDatabase(file);
  const errors: string[] = [];
  const cp = new WalCheckpointer(db, { intervalMs: 20, idleTicks: 3, wakeBytes: 64 * 1024, onError: (m) => errors.push(m) });
  t.after(async () => {
    await cp.stop();
    db.close();
  });
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0, 'commits on the server connection never checkpoint');

  // Enough commits to pass SQLite's default autocheckpoint (1,000 pages): on this connection the WAL only grows.
  const put = db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)');
  const big = 'x'.repeat(3000);
  for (let i = 0; i < 1500; i++) db.transaction(() => put.run(`k${i % 50}`, `${big}${i}`))();
  assert.ok(walSize(file) > 4 * 1024 * 1024, `the WAL grew past the default checkpoint size (${walSize(file)} bytes)`);

  await waitFor(() => cp.active); // the worker started
  await waitFor(() => !cp.active); // it truncated the WAL and exited
  assert.equal(walSize(file), 0, 'the WAL was folded into the database and truncated');
  assert.equal((db.prepare("SELECT value FROM kv WHERE key = 'k49'").get() as { value: string }).value, `${big}1499`);
  assert.deepEqual(errors, []);

  // More writes wake it again.
  for (let i = 0; i < 100; i++) db.transaction(() => put.run(`k${i % 50}`, `${big}again`))();
  await waitFor(() => cp.active); // and started again
});
