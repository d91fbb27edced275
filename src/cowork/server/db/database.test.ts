import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseTooNewError, openDatabase } from './database.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { makeTempHome } from '../../../testing/temp-home.js';

const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version; // numbers may have gaps
const EXTRA: Migration = { version: LATEST + 1, name: 'test column', sql: 'ALTER TABLE pins ADD COLUMN note TEXT' };

test('an old database is backed up, migrated in place and keeps its rows', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'cowork.db');
  const first = openDatabase(file);
  assert.equal(first.migration.from, 0);
  first.db.prepare("INSERT INTO kv (key, value) VALUES ('preferences', '{\"tone\":\"x\"}')").run();
  first.db.close();

  const second = openDatabase(file, [...MIGRATIONS, EXTRA]);
  t.after(() => second.db.close());
  assert.equal(second.migration.from, LATEST);
  assert.equal(second.migration.to, EXTRA.version);
  assert.ok(second.migration.backup, 'backup made before migrating');
  assert.equal(second.db.prepare("SELECT value FROM kv WHERE key='preferences'").get()?.constructor, Object);
  const backup = new Database(second.migration.backup!, { readonly: true });
  assert.equal(backup.pragma('user_version', { simple: true }), LATEST);
  backup.close();
  assert.ok(readdirSync(home).some((f) => f.endsWith('.bak')));
});

test('a database newer than the code is refused, not overwritten', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'cowork.db');
  openDatabase(file, [...MIGRATIONS, EXTRA]).db.close();
  assert.throws(() => openDatabase(file), DatabaseTooNewError);
});

test('an unreadable database file is an error, never replaced by a fresh one', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'cowork.db');
  writeFileSync(file, 'this is not sqlite at all, just text that is long enough to have a header');
  assert.throws(() => openDatabase(file));
});
