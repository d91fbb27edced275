import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/database.js';
import { MIGRATIONS } from '../db/migrations.js';
import { makeTempHome } from '../../../testing/temp-home.js';
import { ConversationStore, decodeCursor, type ConversationMeta } from './conversations.js';
import { ftsQuery, splitTerms } from '../services/search.js';

type T = { after: (fn: () => unknown) => void };

function tempDb(t: T) {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  return join(home, 'cowork.db');
}

test('migration 5 indexes titles and rebuilds message search over data written before it', (t) => {
  const file = tempDb(t);
  const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 3));
  const before = new ConversationStore(old.db);
  before.ensure('old-1', 'general');
  before.saveHistory('old-1', [{ role: 'user', content: 'Quarterly kangaroo census' }, { role: 'assistant', content: 'Counted.' }], 0, null);
  old.db.prepare("INSERT INTO turns (conversation_id, started_at_ms, status) VALUES ('old-1', 1, 'completed')").run();
  old.db.prepare("INSERT INTO turn_events (turn_id, seq, payload) VALUES (1, 1, '{\"type\":\"response.created\"}'), (1, 2, '{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"Coun\"}'), (1, 3, '{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"ted.\"}')").run();
  old.db.close();

  const { db, migration } = openDatabase(file);
  t.after(() => db.close());
  assert.deepEqual([migration.from, migration.to], [3, MIGRATIONS[MIGRATIONS.length - 1].version]);
  const store = new ConversationStore(db);
  assert.deepEqual(store.searchMeta(['kang']).map((m) => m.id), ['old-1'], 'an old title is found by prefix');
  assert.deepEqual(store.searchMessages(ftsQuery(['ka']), 10).map((h) => h.conversation_id), ['old-1'], 'old message text, 2-letter prefix');
  assert.equal(store.latestTurn('old-1')?.latest_seq, 3, 'frames stored one per token still count');
  assert.deepEqual(store.frames(1, 3), [{ type: 'response.output_text.delta', item_id: 'm', delta: 'ted.' }]);
});

test('the title index follows renames, project moves and deletes', (t) => {
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  store.ensure('a', 'general');
  store.saveHistory('a', [{ role: 'user', content: 'Plan the offsite' }], 0, null);
  store.ensure('b', 'general');
  store.saveHistory('b', [{ role: 'user', content: 'Budget review' }], 0, null);
  const ids = (q: string) => store.searchMeta(splitTerms(q)).map((m) => m.id).sort();
  assert.deepEqual(ids('offs'), ['a']);
  assert.deepEqual(ids('offsite budget'), ['a', 'b'], 'any term matches a title (as before)');
  store.setTitle('a', 'Retreat logistics');
  assert.deepEqual(ids('retr'), ['a']);
  assert.deepEqual(ids('logistics'), ['a']);
  assert.deepEqual(ids('offsite'), ['a'], 'the preview still has the first prompt');
  store.setProject('b', 'finance-lab');
  assert.deepEqual(ids('finance'), ['b']);
  store.delete('b');
  assert.deepEqual(ids('budget'), []);
  assert.deepEqual(ids('"odd ( input'), [], 'quotes and brackets are plain text to the index');
});

test('message search ranks only the newest candidates, so a word in every message is bounded', (t) => {
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  for (let c = 0; c < 30; c++) {
    store.ensure(`c${c}`, 'general');
    store.saveHistory(`c${c}`, Array.from({ length: 10 }, (_, i) => ({ role: 'user' as const, content: `common word ${c}-${i}${c === 3 ? ' rare' : ''}` })), 0, null);
  }
  const all = store.searchMessages(ftsQuery(['common']), 200, 25);
  assert.equal(all.reduce((n, h) => n + h.hits, 0), 25, 'no more than the candidate count is ranked');
  assert.deepEqual(new Set(all.map((h) => h.conversation_id)), new Set(['c29', 'c28', 'c27']), 'the newest messages are the candidates');
  assert.deepEqual(store.searchMessages(ftsQuery(['rare']), 200, 25).map((h) => [h.conversation_id, h.hits]), [['c3', 10]]);
  assert.equal(store.searchMessages(ftsQuery(['common']), 2).length, 2, 'the limit applies');
});

test('message search lists the conversations with the most matching messages first, the newest first among equals', (t) => {
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  for (const [id, n] of [['few', 1], ['many', 5], ['some', 3], ['some-newer', 3]] as const) {
    store.ensure(id, 'general');
    store.saveHistory(id, Array.from({ length: n }, (_, i) => ({ role: 'user' as const, content: `budget line ${i}` })), 0, null);
  }
  assert.deepEqual(store.searchMessages(ftsQuery(['budget']), 3).map((h) => [h.conversation_id, h.hits]), [['many', 5], ['some-newer', 3], ['some', 3]]);
});

test('cursor pages walk every conversation exactly once, newest first, ties broken by id', (t) => {
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  for (let i = 0; i < 23; i++) store.ensure(`c${String(i).padStart(2, '0')}`, i % 2 ? 'general' : 'other');
  db.prepare("UPDATE conversations SET updated_at = '2026-01-01T00:00:00.000Z' WHERE id IN ('c03', 'c04', 'c05')").run(); // a tie
  const walk = (project: string, size: number) => {
    const seen: string[] = [];
    let page = store.listPageJson(project, size, undefined, '/p/');
    for (;;) {
      seen.push(...(JSON.parse(page.items) as ConversationMeta[]).map((m) => m.id));
      if (!page.next_cursor) break;
      page = store.listPageJson(project, size, decodeCursor(page.next_cursor)!, '/p/');
    }
    return seen;
  };
  const everything = store.list('all', 1000).map((m) => m.id);
  assert.equal(everything.length, 23);
  assert.deepEqual(walk('all', 5), everything);
  assert.deepEqual(walk('all', 23), everything);
  assert.deepEqual(walk('general', 4), store.list('general', 1000).map((m) => m.id));
  assert.equal(store.listPageJson('all', 23, undefined, '/p/').next_cursor, null, 'no next page when everything fit');
  assert.deepEqual(store.listPageJson('nowhere', 5, undefined, '/p/'), { items: '[]', next_cursor: null }, 'an empty page');
});

test("a list page's JSON, built by SQLite, is list()'s metas with their project_path, key for key", (t) => {
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  const awkward = 'Quote " back\\slash \n new line \t tab \u0001 \u2028 é 😀 </script>';
  store.ensure('plain', 'general');
  store.ensure('scheduled', 'other', { scheduled_id: 'sched-1' });
  store.saveHistory('scheduled', [{ role: 'user', content: awkward }], 0, null);
  store.ensure('muted', 'general');
  store.setDisabledConnections('muted', [{ engine: 'postgres', name: 'Warehouse "main"' }]);
  const expected = store.list('all', 10).map((m) => ({ ...m, project_path: `/home/u/projects/${m.project}` }));
  const page = store.listPageJson('all', 10, undefined, '/home/u/projects/');
  const items = JSON.parse(page.items) as Record<string, unknown>[];
  assert.deepEqual(items, expected);
  assert.deepEqual(items.map(Object.keys), expected.map(Object.keys), 'the same keys in the same order');
  assert.ok(items.some((m) => m.title === expected.find((e) => e.id === 'scheduled')!.title && m.scheduled_id === 'sched-1'));
});

test("a turn's first rows are one commit: when the turn row cannot be written, no conversation is left behind", (t) => {
  const { db } = openDatabase(tempDb(t));
  t.after(() => db.close());
  const store = new ConversationStore(db);
  db.exec("CREATE TRIGGER refuse_turns BEFORE INSERT ON turns BEGIN SELECT RAISE(ABORT, 'refused'); END");
  assert.throws(() => store.beginTurn('c-new', 'general', {}, Date.now()), /refused/);
  assert.equal(store.get('c-new'), null);
  db.exec('DROP TRIGGER refuse_turns');
  const turnId = store.beginTurn('c-new', 'general', { scheduled_id: 's1' }, Date.now());
  assert.equal(store.get('c-new')?.scheduled_id, 's1');
  assert.equal(store.latestTurn('c-new')?.id, turnId);
});
