import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempHome } from '../../testing/temp-home.js';
import { ArtifactStore } from './store.js';

test('an artifact store reads every root in place; the same name reuses the existing folder; a foreign folder is never taken over', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const modern = join(home, '.anton', 'artifacts');
  const legacy = join(home, 'artifacts');
  const old = new ArtifactStore(legacy).create('Q3 Report', 'from A', 'document');
  const store = new ArtifactStore(modern, [legacy]);
  assert.equal(store.dir('q3-report'), join(legacy, 'q3-report'), 'found where it is');
  const again = store.create('Q3 Report', 'again', 'document');
  assert.deepEqual([again.existing, again.id, store.dir(again.slug)], [true, old.id, join(legacy, 'q3-report')]);
  assert.equal(existsSync(join(modern, 'q3-report')), false, 'no second folder');
  mkdirSync(join(modern, 'notes'), { recursive: true });
  writeFileSync(join(modern, 'notes', 'mine.txt'), 'not an artifact');
  const fresh = store.create('Notes', 'n', 'document');
  assert.deepEqual([fresh.slug, fresh.existing], ['notes-2', undefined]);
  assert.equal(store.dir('notes-2'), join(modern, 'notes-2'), 'new ones go to the main root');
  assert.deepEqual(store.list().map((m) => m.slug).sort(), ['notes-2', 'q3-report']);
  assert.equal(store.update('q3-report', (m) => ({ ...m, description: 'edited' }))!.description, 'edited');
  assert.equal(new ArtifactStore(legacy).read('q3-report')!.description, 'edited', 'updated in place');
});
