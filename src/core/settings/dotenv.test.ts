import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDotenv, updateDotenvText } from './dotenv.js';

test('parseDotenv strips quotes, skips comments and keeps the first = split', () => {
  const env = parseDotenv('# comment\nA=1\nB="two words"\nC=\'x=y\'\n\nexport D=4 # trailing\nE=\n');
  assert.deepEqual(env, { A: '1', B: 'two words', C: 'x=y', D: '4', E: '' });
});

test('updateDotenvText edits in place, keeps comments and unknown keys, deletes and appends', () => {
  const before = '# my keys\nFOO=bar\nANTON_PLANNING_MODEL=old\n# keep me\nOTHER="q v"\n';
  const after = updateDotenvText(before, { ANTON_PLANNING_MODEL: 'new', FOO: null, NEW_KEY: 'with space' });
  assert.equal(after, '# my keys\nANTON_PLANNING_MODEL=new\n# keep me\nOTHER="q v"\nNEW_KEY="with space"\n');
  assert.deepEqual(parseDotenv(after), { ANTON_PLANNING_MODEL: 'new', OTHER: 'q v', NEW_KEY: 'with space' });
});

test('values with quotes, backslashes and newlines round-trip', () => {
  const tricky = 'a"b\\c\nd #e';
  assert.equal(parseDotenv(updateDotenvText('', { K: tricky })).K, tricky);
});
