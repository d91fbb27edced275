import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../../testing/test-app.js';

test('search finds tasks by title and by message text (full-text index), projects and pins', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const store = ta.ctx.conversations;
  store.ensure('c1', 'general');
  store.saveHistory('c1', [
    { role: 'user', content: 'Quarterly revenue by region' },
    { role: 'assistant', content: [{ type: 'text', text: 'The kangaroo segment grew fastest.' }] },
  ], 0, null);
  store.ensure('c2', 'general');
  store.saveHistory('c2', [{ role: 'user', content: 'Unrelated chat about lunch' }], 0, null);
  await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'revenue-lab' } });
  await ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: 'c1', title: 'Revenue pin' } });

  const q = async (s: string) => (await ta.app.inject(`/v1/search?q=${encodeURIComponent(s)}`)).json().results;
  const rev = await q('revenue');
  assert.deepEqual(new Set(rev.map((r: { type: string }) => r.type)), new Set(['task', 'project', 'pin']));
  assert.equal(rev.find((r: { type: string }) => r.type === 'task').id, 'c1');
  const body = await q('kangar');
  assert.deepEqual(body.map((r: { type: string; id: string }) => [r.type, r.id]), [['task', 'c1']], 'message text is searched by prefix');
  assert.deepEqual(await q('   '), []);
  assert.deepEqual(await q('"unbalanced ( quote'), [], 'odd input never errors');
  // deleting messages removes them from the index
  store.deleteTurn('c1', 0);
  assert.deepEqual(await q('kangaroo'), []);
});
