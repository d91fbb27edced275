import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/database.js';
import { makeTempHome } from '../../../testing/temp-home.js';
import { ConversationStore } from './conversations.js';
import { ftsQuery, splitTerms } from '../services/search.js';
import type { Db } from '../db/database.js';

function tempDb(t: { after: (fn: () => unknown) => void }) {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  return join(home, 'cowork.db');
}

const listed = (db: Db) => (db.prepare('SELECT count(*) AS n FROM fts_pending').get() as { n: number }).n;

/** FTS5's own check that each index holds exactly what its content table holds (it throws on a mismatch). */
function assertIndexesMatchTheirText(db: Db) {
  db.prepare("INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)").run();
  db.prepare("INSERT INTO conversation_fts (conversation_fts, rank) VALUES ('integrity-check', 1)").run();
}

test('saved text waits to be indexed, every search indexes it first (whichever connection saved it), and text deleted before it was indexed leaves the indexes exact', (t) => {
  const file = tempDb(t);
  const { db } = openDatabase(file);
  t.after(() => db.close());
  const store = new ConversationStore(db);
  store.ensure('a', 'general');
  store.saveHistory('a', [{ role: 'user', content: 'Count the kangaroos' }, { role: 'assistant', content: 'Wombats first.' }], 0, null);
  assert.ok(listed(db) > 0, 'listed, not yet indexed');
  store.saveHistory('a', [{ role: 'user', content: 'Count the kangaroos' }, { role: 'assistant', content: 'Platypus census.' }], 1, null); // rewrites an unindexed row
  store.ensure('b', 'general');
  store.saveHistory('b', [{ role: 'user', content: 'Gone before indexing' }], 0, null);
  store.delete('b');

  // A terminal on the same file saves too: its text is listed in the same table.
  const other = openDatabase(file).db;
  t.after(() => other.close());
  const terminal = new ConversationStore(other);
  terminal.ensure('c', 'general');
  terminal.saveHistory('c', [{ role: 'user', content: 'Echidna survey' }], 0, null);
  terminal.textIndex.stop();

  const found = (q: string) => store.searchMessages(ftsQuery(splitTerms(q)), 10).map((h) => h.conversation_id);
  assert.deepEqual(found('platypus'), ['a']);
  assert.equal(listed(db), 0, 'the search indexed everything listed');
  assert.deepEqual(found('wombats'), [], 'the rewritten text is gone');
  assert.deepEqual(found('indexing'), [], 'the deleted conversation is gone');
  assert.deepEqual(found('echidna'), ['c'], "the other connection's text");
  assert.deepEqual(store.searchMeta(['kang']).map((m) => m.id), ['a'], 'titles too');
  assertIndexesMatchTheirText(db);

  store.saveHistory('a', [{ role: 'user', content: 'Count the kangaroos' }, { role: 'assistant', content: 'Quokka count.' }], 1, null); // rewrites an indexed row
  assert.deepEqual(found('platypus'), []);
  assert.deepEqual(found('quokka'), ['a']);
  assertIndexesMatchTheirText(db);
});

test('listed text is indexed in batches a moment after a save, without any search', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  store.ensure('a', 'general');
  const history = Array.from({ length: 70 }, (_, i) => ({ role: i % 2 ? ('assistant' as const) : ('user' as const), content: `message ${i} about otters` }));
  store.saveHistory('a', history, 0, null);
  const total = listed(db);
  assert.equal(total, 71, '70 messages and the title');
  t.mock.timers.tick(store.textIndex.delayMs - 1);
  assert.equal(listed(db), total, 'saves in a burst wait for one batch');
  t.mock.timers.tick(1);
  assert.equal(listed(db), total - store.textIndex.batchSize, 'one batch per step');
  const nextLoopTurn = () => new Promise((resolve) => setImmediate(resolve));
  await nextLoopTurn();
  assert.equal(listed(db), total - 2 * store.textIndex.batchSize, 'the next batch on the next turn of the loop');
  for (let turn = 0; turn < total && listed(db) > 0; turn++) await nextLoopTurn(); // one batch per turn of the loop
  assert.equal(listed(db), 0, 'every listed row is indexed in the end');
  assertIndexesMatchTheirText(db);
});

/** A store with one saved message (two rows listed: its text and the title), under mocked timers; its errors kept. */
function savedAndListed(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const file = tempDb(t);
  const { db } = openDatabase(file);
  t.after(() => db.close());
  const store = new ConversationStore(db);
  const errors: unknown[] = [];
  store.textIndex.onError = (err) => errors.push(err);
  store.ensure('a', 'general');
  store.saveHistory('a', [{ role: 'user', content: 'Koala census' }], 0, null);
  return { file, db, store, errors };
}

test("the background step does not wait for another process's write lock: it leaves the text listed and comes back", (t) => {
  const { file, db, store, errors } = savedAndListed(t);
  const other = openDatabase(file).db; // a terminal in the middle of a long write
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  const started = Date.now();
  t.mock.timers.tick(store.textIndex.delayMs);
  assert.ok(Date.now() - started < 2500, 'returned without waiting out the 5 s busy timeout');
  assert.equal(listed(db), 2, 'still listed');
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'the connection keeps its busy timeout');
  assert.deepEqual(errors, [], 'a lock held elsewhere is not an error');
  other.exec('COMMIT');
  t.mock.timers.tick(store.textIndex.delayMs * 5);
  assert.equal(listed(db), 0, 'indexed on the next try');
});

test('a background step that fails for another reason is reported, and the text stays listed', (t) => {
  const { db, store, errors } = savedAndListed(t);
  db.exec('DROP TABLE message_fts'); // a broken index
  t.mock.timers.tick(store.textIndex.delayMs);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /message_fts/);
  assert.equal(listed(db), 2, 'still listed');
});

test("FTS5's automerge is off, and once text is indexed its segments are merged a bounded step at a time until nothing is left to merge", async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  const automerge = db.prepare("SELECT v FROM message_fts_config WHERE k = 'automerge'").pluck().get();
  assert.equal(automerge, 0, 'merging is left to the text index (migration 8)');
  // Fourteen segments (FTS5 forces a merge at 16), each from its own commit (a search indexes what is listed, in one commit).
  for (let i = 0; i < 14; i++) {
    store.ensure(`c${i}`, 'general');
    const words = Array.from({ length: 4000 }, (_, k) => `w${i}x${k}`).join(' ');
    store.saveHistory(`c${i}`, [{ role: 'user', content: `numbat ${words}` }], 0, null);
    store.searchMessages(ftsQuery(['numbat']), 1);
  }
  const changes = db.prepare('SELECT total_changes()').pluck();
  const rollback = new Error('rollback');
  /** Whether one merge step would find work now (tried, then rolled back). */
  const mergeLeft = () => {
    let worked = false;
    try {
      db.transaction(() => {
        const before = changes.get() as number;
        db.prepare("INSERT INTO message_fts (message_fts, rank) VALUES ('merge', 32)").run();
        worked = (changes.get() as number) - before >= 2;
        throw rollback;
      })();
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return worked;
  };
  assert.ok(mergeLeft(), 'the segments written wait to be merged');
  store.ensure('last', 'general');
  store.saveHistory('last', [{ role: 'user', content: 'numbat finale' }], 0, null);
  t.mock.timers.tick(store.textIndex.delayMs); // indexes, then merges on later turns of the loop
  let steps = 0;
  while (mergeLeft() && steps < 1000) {
    await new Promise((resolve) => setImmediate(resolve));
    steps++;
  }
  assert.equal(mergeLeft(), false, 'merged to the end');
  assert.ok(steps > 2, `in several bounded steps (${steps})`);
  const loopTurns = async (n: number) => {
    for (let turn = 0; turn < n; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  await loopTurns(2); // the step that finds nothing left
  const written = changes.get();
  await loopTurns(5);
  assert.equal(changes.get(), written, 'and then the merging stops');
  assert.equal(store.searchMessages(ftsQuery(['numbat']), 20).length, 15, 'every text still found');
  assertIndexesMatchTheirText(db);
});
