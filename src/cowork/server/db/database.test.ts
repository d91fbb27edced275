import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseTooNewError, openDatabase, schemaVersion } from './database.js';
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
  assert.equal(schemaVersion(backup), LATEST);
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

test('after additive migrations the version before them still opens the database (a rollback), and the next start does not run them again', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'cowork.db');
  const before = MIGRATIONS.filter((m) => m.version <= 5); // the release before migrations 6 and 7
  const ADDED: Migration = { version: LATEST + 1, name: 'test table', sql: 'CREATE TABLE added_later (x INTEGER)', additive: true };
  const now = openDatabase(file, [...MIGRATIONS, ADDED]);
  assert.equal(now.migration.to, ADDED.version);
  now.db.close();
  const rolledBack = openDatabase(file, before); // would throw DatabaseTooNewError if an additive migration moved user_version
  assert.equal(rolledBack.migration.backup, null, 'nothing to migrate');
  rolledBack.db.close();
  const again = openDatabase(file, MIGRATIONS); // a newer release's additive migration (ADDED) is unknown here: harmless
  assert.deepEqual([again.migration.from, again.migration.backup], [ADDED.version, null], 'nothing run twice (CREATE TABLE would fail)');
  again.db.close();
});

test('an unreadable database file is an error, never replaced by a fresh one', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'cowork.db');
  writeFileSync(file, 'this is not sqlite at all, just text that is long enough to have a header');
  assert.throws(() => openDatabase(file));
});
