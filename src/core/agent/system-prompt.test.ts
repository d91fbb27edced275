import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempHome } from '../../testing/temp-home.js';
import { readProjectInstructions } from './system-prompt.js';

test('project instructions: .anton/anton.md when written, else A\'s .context/anton.md (an empty file or the untouched template counts as unwritten)', (t) => {
  const { home: dir, cleanup } = makeTempHome();
  t.after(cleanup);
  mkdirSync(join(dir, '.anton'));
  mkdirSync(join(dir, '.context'));
  const main = (s: string) => writeFileSync(join(dir, '.anton', 'anton.md'), s);
  assert.equal(readProjectInstructions(dir), '', 'nothing anywhere');
  writeFileSync(join(dir, '.context', 'anton.md'), 'From A.\n');
  assert.equal(readProjectInstructions(dir), 'From A.\n', 'no .anton/anton.md');
  main('  \n');
  assert.equal(readProjectInstructions(dir), 'From A.\n', 'an empty .anton/anton.md');
  main('# Anton Workspace\n\nDescribe your project here.\n');
  assert.equal(readProjectInstructions(dir), 'From A.\n', "anton-core's template");
  main('Written here.\n');
  assert.equal(readProjectInstructions(dir), 'Written here.\n', 'what the user wrote here wins');
});
