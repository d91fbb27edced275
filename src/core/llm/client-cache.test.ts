import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedClient } from './client-cache.js';

test('one client per configuration: the same settings reuse it, a changed key or URL makes a new one', () => {
  let made = 0;
  const make = () => ({ n: ++made });
  const a = cachedClient(['x', 'key-1', 'http://a', 3, 600], make);
  assert.equal(cachedClient(['x', 'key-1', 'http://a', 3, 600], make), a);
  assert.notEqual(cachedClient(['x', 'key-2', 'http://a', 3, 600], make), a);
  assert.notEqual(cachedClient(['x', 'key-1', undefined, 3, 600], make), a);
  assert.equal(made, 3);
  for (let i = 0; i < 20; i++) cachedClient(['y', String(i)], make);
  assert.notEqual(cachedClient(['x', 'key-1', 'http://a', 3, 600], make), a, 'old configurations are dropped (bounded)');
});
