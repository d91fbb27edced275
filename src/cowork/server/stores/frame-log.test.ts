import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../db/database.js';
import { makeTempHome } from '../../../testing/temp-home.js';
import { waitFor } from '../../../testing/wait.js';
import { ConversationStore } from './conversations.js';
import { DELTA_TYPE, MAX_MERGED_CHARS, coalesceDeltas, storedForm } from './frame-log.js';

type T = { after: (fn: () => unknown) => void };

function setup(t: T) {
  const { home, cleanup } = makeTempHome();
  const file = join(home, 'cowork.db');
  const { db } = openDatabase(file);
  const reader = new Database(file, { readonly: true }); // another connection: sees only what is committed
  t.after(() => {
    reader.close();
    db.close();
    cleanup();
  });
  const store = new ConversationStore(db);
  store.ensure('c1', 'general');
  const turnId = store.startTurn('c1', Date.now());
  let seq = 0;
  const push = (payload: Record<string, unknown> & { type: string }) => {
    const frame = { ...payload, sequence_number: ++seq, at_ms: 1000 + seq };
    store.recordFrame(turnId, frame);
    return frame;
  };
  const committedRows = () => (reader.prepare('SELECT COUNT(*) AS n FROM turn_events WHERE turn_id = ?').get(turnId) as { n: number }).n;
  return { store, turnId, push, committedRows, file, db };
}

const delta = (text: string) => ({ type: DELTA_TYPE, item_id: 'msg-1', delta: text });

test('text deltas are stored merged, and a replay from any sequence number is exact', (t) => {
  const { store, turnId, push } = setup(t);
  const streamed = [
    push({ type: 'response.created', response: { id: 'r' } }),
    ...['Hel', 'lo', ', ', 'wor', 'ld'].map((d) => push(delta(d))),
    push({ type: 'response.in_progress', thought_role: 'thought.progress', content: 'x' }),
    ...['A', 'B'].map((d) => push(delta(d))),
    push({ type: 'response.completed', response: {} }),
  ];
  store.finishTurn(turnId, 'completed');
  const all = store.frames(turnId);
  assert.deepEqual(all.map((f) => f.type), ['response.created', DELTA_TYPE, 'response.in_progress', DELTA_TYPE, 'response.completed']);
  assert.deepEqual(all[1], { ...streamed[1], delta: 'Hello, world' }, 'a merged frame keeps the first delta’s number and time');
  assert.deepEqual(all, coalesceDeltas(streamed), 'stored = the streamed frames with deltas merged');
  // The completed frame's output text is not stored a third time (it is in the deltas and the message).
  const done = { type: 'response.completed', sequence_number: 99, response: { id: 'r', status: 'completed', usage: { output_tokens: 3 }, output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hello, worldAB' }] }] } };
  assert.deepEqual(storedForm(done), { ...done, response: { ...done.response, output: [{ type: 'message', content: [{ type: 'output_text', text: '' }] }] } });
  assert.equal(done.response.output[0].content[0].text, 'Hello, worldAB', 'the live frame is untouched');
  for (let k = 0; k <= streamed.length + 1; k++) {
    const replay = store.frames(turnId, k);
    const expected = streamed.filter((f) => f.sequence_number >= k);
    const text = (fs: Record<string, unknown>[]) => fs.map((f) => (f.type === DELTA_TYPE ? f.delta : `|${String(f.type)}|`)).join('');
    assert.equal(text(replay), text(expected), `from_seq=${k}`);
    if (expected.length) assert.equal(replay[0].sequence_number, expected[0].sequence_number, `first number from ${k}`);
  }
  assert.equal(store.latestTurn('c1')?.latest_seq, streamed.length);
});

test('frames are committed in batches within the flush interval, and at once when a round is saved', async (t) => {
  const { store, turnId, push, committedRows } = setup(t);
  push({ type: 'response.created' });
  for (let i = 0; i < 50; i++) push(delta(`t${i} `));
  assert.equal(committedRows(), 0, 'nothing is written per token');
  await waitFor(() => committedRows() === 2);
  // The open delta run keeps growing in place (same row), still committed by the next flush.
  push(delta('more'));
  await waitFor(() => (store.frames(turnId).at(-1)?.delta as string).endsWith('more'));
  push({ type: 'response.in_progress', thought_role: 'thought.progress', content: 'tool' });
  store.saveHistory('c1', [{ role: 'user', content: 'hi' }], 0, turnId);
  assert.equal(committedRows(), 3, 'a saved round carries its frames with it');
  // A crash now (no finishTurn) leaves every frame of the turn readable: the partial text can be rebuilt.
  const stored = store.frames(turnId).filter((f) => f.type === DELTA_TYPE);
  assert.equal(stored.map((f) => f.delta).join(''), Array.from({ length: 50 }, (_, i) => `t${i} `).join('') + 'more');
});

test('a merged delta stops growing at MAX_MERGED_CHARS and the next one starts', (t) => {
  const { store, turnId, push } = setup(t);
  const chunk = 'x'.repeat(100);
  const n = Math.ceil((MAX_MERGED_CHARS * 2.5) / chunk.length);
  for (let i = 0; i < n; i++) push(delta(chunk));
  store.finishTurn(turnId, 'completed');
  const rows = store.frames(turnId);
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => (r.delta as string).length <= MAX_MERGED_CHARS + chunk.length));
  assert.equal(rows.map((r) => r.delta).join('').length, n * chunk.length);
  assert.equal(store.latestTurn('c1')?.latest_seq, n);
});

test('frames recorded one per token before coalescing are merged when shown', () => {
  const frames = [
    { type: 'response.created' },
    { type: DELTA_TYPE, item_id: 'a', delta: 'x', sequence_number: 2 },
    { type: DELTA_TYPE, item_id: 'a', delta: 'y', sequence_number: 3 },
    { type: DELTA_TYPE, item_id: 'b', delta: 'z', sequence_number: 4 },
  ];
  assert.deepEqual(coalesceDeltas(frames), [frames[0], { ...frames[1], delta: 'xy' }, frames[3]]);
});

test('frames of a turn deleted before they were written are dropped, and other turns are still written', (t) => {
  const { store, turnId, push, committedRows } = setup(t);
  store.ensure('c2', 'general');
  const other = store.startTurn('c2', Date.now());
  const errors: unknown[] = [];
  store.frameLog.onError = (err) => errors.push(err);
  push(delta('doomed'));
  store.recordFrame(other, { type: 'response.created', sequence_number: 1 });
  store.delete('c1'); // cascades to its turn while its frame is still pending
  store.frameLog.flush();
  assert.equal(committedRows(), 0);
  assert.deepEqual(store.frames(other).map((f) => f.type), ['response.created']);
  assert.deepEqual(errors, [], 'a deleted turn is not an error to retry');
  void turnId;
});

test("a live turn's frames not yet flushed are in its replay and in the conversation's messages", (t) => {
  const { store, turnId, push, committedRows } = setup(t);
  push({ type: 'response.created' });
  push(delta('Hel'));
  store.saveHistory('c1', [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'text', text: 'Hel' }] }], 0, turnId);
  push(delta('lo'));
  assert.equal(committedRows(), 2, 'the last delta waits for its batch');
  assert.equal(store.frames(turnId).at(-1)?.delta, 'Hello', 'a replay writes the pending frames first');
  push(delta('!'));
  const [, answer] = store.displayMessages('c1');
  const events = answer.events as { type: string; delta?: string }[];
  assert.deepEqual(events.map((f) => f.delta ?? f.type), ['response.created', 'Hello!'], '/messages too');
});

test("the periodic flush does not wait for another process's write lock: frames stay pending, quietly, until it is free", (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { store, push, committedRows, file, db } = setup(t);
  const other = openDatabase(file).db; // a terminal in the middle of a long write
  t.after(() => other.close());
  const errors: unknown[] = [];
  store.frameLog.onError = (err) => errors.push(err);
  push({ type: 'response.created' });
  other.exec('BEGIN IMMEDIATE');
  const started = Date.now();
  t.mock.timers.tick(store.frameLog.flushMs);
  assert.ok(Date.now() - started < 2500, 'returned without waiting out the 5 s busy timeout');
  assert.equal(committedRows(), 0, 'still pending');
  assert.deepEqual(errors, [], 'a held lock is not an error');
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'the connection keeps its busy timeout');
  other.exec('COMMIT');
  t.mock.timers.tick(store.frameLog.flushMs);
  assert.equal(committedRows(), 1, 'written once the lock is free');
});
