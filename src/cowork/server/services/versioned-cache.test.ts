import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VersionedCache } from './versioned-cache.js';

test('a versioned cache answers from memory at the same version, rebuilds at another, never keeps an unversioned answer, and stays bounded', () => {
  const cache = new VersionedCache<string>(2);
  let builds = 0;
  const build = (v: string) => () => (builds++, v);
  assert.equal(cache.get('a', 1, build('a1')), 'a1');
  assert.equal(cache.get('a', 1, build('other')), 'a1');
  assert.equal(builds, 1);
  assert.equal(cache.get('a', 2, build('a2')), 'a2');
  assert.equal(cache.get('a', null, build('live')), 'live');
  assert.equal(cache.get('a', null, build('live again')), 'live again', 'no version, no caching');
  assert.equal(cache.get('a', 2, build('x')), 'a2', 'an unversioned answer does not replace the kept one');
  cache.get('b', 2, build('b2'));
  cache.get('c', 2, build('c2')); // over the bound: the oldest key (a) goes
  assert.equal(cache.get('a', 2, build('a2 rebuilt')), 'a2 rebuilt');
  assert.equal(cache.get('c', 2, build('x')), 'c2');
});
