import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../../testing/test-app.js';

test('pins: upsert (newest first), reorder, delete, visits with auto-pin, bad input', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() };
  };
  assert.deepEqual((await call('GET', '/v1/pins')).body, { pins: [] });
  await call('POST', '/v1/pins', { item_id: 'a', title: 'Task A' });
  await call('POST', '/v1/pins', { item_type: 'project', item_id: 'b' });
  const up = await call('POST', '/v1/pins', { item_id: 'a', title: 'Renamed A' });
  assert.equal(up.body.pin.title, 'Renamed A');
  assert.deepEqual(up.body.pins.map((p: { key: string }) => p.key), ['project:b', 'task:a']);
  assert.equal(up.body.pins[0].title, 'b', 'title defaults to the id');
  assert.deepEqual((await call('POST', '/v1/pins', { item_type: 'weird', item_id: 'x' })).body, { detail: 'Unsupported pin type.', code: 'bad_input' });
  assert.equal((await call('POST', '/v1/pins', { item_type: 'task' })).status, 422);
  const re = await call('PUT', '/v1/pins/reorder', { item_ids: ['a'] });
  assert.deepEqual(re.body.pins.map((p: { id: string }) => p.id), ['a', 'b']);
  assert.deepEqual((await call('DELETE', '/v1/pins/zzz')).body, { detail: 'Pin not found.', code: 'not_found' });
  assert.deepEqual((await call('DELETE', '/v1/pins/b?item_type=project')).body.pins.map((p: { id: string }) => p.id), ['a']);
  for (let i = 1; i <= 3; i++) {
    const v = (await call('POST', `/v1/pins/task9/visit?auto_pin=true&title=Nine`)).body;
    assert.equal(v.visits, i);
    assert.equal(v.autoPinned, i === 3);
  }
  assert.equal((await call('GET', '/v1/pins')).body.pins[0].title, 'Nine');
  const plain = (await call('POST', '/v1/pins/other/visit')).body;
  assert.deepEqual(plain, { taskId: 'other', visits: 1, autoPinned: false, pin: null });
});

test('concurrent pin writes lose nothing', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  await Promise.all(Array.from({ length: 50 }, (_, i) => ta.app.inject({ method: 'POST', url: '/v1/pins', payload: { item_id: `t${i}` } })));
  await Promise.all(Array.from({ length: 40 }, () => ta.app.inject({ method: 'POST', url: '/v1/pins/hot/visit' })));
  assert.equal((await ta.app.inject('/v1/pins')).json().pins.length, 50);
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/pins/hot/visit' })).json().visits, 41);
});
