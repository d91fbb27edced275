import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvStore } from './env-store.js';
import { getConfigStatus } from './config-status.js';
import { makeTempHome } from '../../testing/temp-home.js';
import { waitFor } from '../../testing/wait.js';

test('process env wins over the file; server writes win over both and persist with mode 0600', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, '.anton', '.env');
  mkdirSync(join(home, '.anton'));
  writeFileSync(file, '# hand-written\nANTON_PLANNING_MODEL=from-file\nONLY_FILE=1\n');
  const env = new EnvStore({ ANTON_PLANNING_MODEL: 'from-env' }, file);
  assert.equal(env.get('ANTON_PLANNING_MODEL'), 'from-env');
  assert.equal(env.get('ONLY_FILE'), '1');

  env.write({ ANTON_PLANNING_MODEL: 'written', ONLY_FILE: null });
  assert.equal(env.get('ANTON_PLANNING_MODEL'), 'written');
  assert.equal(env.get('ONLY_FILE'), undefined);
  assert.equal(readFileSync(file, 'utf8'), '# hand-written\nANTON_PLANNING_MODEL=written\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, '.anton')).mode & 0o777, 0o700);
});

test('hand edits to the file are picked up without a restart', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, '.anton', '.env');
  const env = new EnvStore({}, file);
  assert.equal(getConfigStatus(env).config_ready, false);
  mkdirSync(join(home, '.anton'));
  writeFileSync(file, 'ANTON_ANTHROPIC_API_KEY=sk-test\n');
  await waitFor(() => getConfigStatus(env).config_ready);
});

test('a key the server wrote still follows later hand edits of the file, without a restart (over the boot env too)', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, '.anton', '.env');
  const env = new EnvStore({ ANTON_PLANNING_MODEL: 'from-boot-env' }, file);
  env.write({ ANTON_PLANNING_MODEL: 'written-by-server', ANTON_MAX_TOKENS: '100' });
  assert.equal(env.get('ANTON_PLANNING_MODEL'), 'written-by-server');
  const changed = new Promise<void>((resolve) => env.onChange(resolve));
  // A hand edit in place (same inode, same length as before for one key: only the content differs).
  writeFileSync(file, readFileSync(file, 'utf8').replace('written-by-server', 'edited-by-hand-xx').replace('ANTON_MAX_TOKENS=100', 'ANTON_MAX_TOKENS=200'));
  await waitFor(() => env.get('ANTON_PLANNING_MODEL') === 'edited-by-hand-xx');
  await changed;
  assert.equal(env.int('ANTON_MAX_TOKENS', 0), 200);
  // Removing the line by hand unsets it: the boot env does not come back for a key the server took over.
  writeFileSync(file, 'OTHER=1\n');
  await waitFor(() => env.get('OTHER') === '1');
  assert.equal(env.get('ANTON_PLANNING_MODEL'), undefined);
});

test('lookups are served from memory: the file is checked once per recheck window, and a missing file is not an error', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, '.anton', '.env');
  let clock = 0;
  const env = new EnvStore({}, file, { recheckMs: 250, now: () => clock });
  for (let i = 0; i < 1000; i++) assert.equal(env.get('ANTON_LOG_LEVEL'), undefined);
  mkdirSync(join(home, '.anton'));
  writeFileSync(file, 'ANTON_LOG_LEVEL=debug\n');
  clock += 249;
  assert.equal(env.get('ANTON_LOG_LEVEL'), undefined, 'inside the window the cached (missing) file is used');
  clock += 1;
  assert.equal(env.get('ANTON_LOG_LEVEL'), 'debug');
  rmSync(file);
  clock += 250;
  assert.equal(env.get('ANTON_LOG_LEVEL'), undefined);
  // A server write is effective at once, whatever the window.
  env.write({ ANTON_LOG_LEVEL: 'warn' });
  assert.equal(env.get('ANTON_LOG_LEVEL'), 'warn');
});

test('replaceFile unsets keys that are no longer in the file', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = new EnvStore({}, join(home, '.anton', '.env'));
  env.replaceFile('A=1\nB=2');
  env.replaceFile('B=3\n');
  assert.equal(env.get('A'), undefined);
  assert.equal(env.get('B'), '3');
});

test('config status names the missing key per provider, and legacy keys count', () => {
  const mk = (vars: Record<string, string>) => new EnvStore(vars, '/nonexistent/.env');
  assert.equal(getConfigStatus(mk({})).config_error, 'Configure ANTON_ANTHROPIC_API_KEY for Anthropic.');
  assert.equal(getConfigStatus(mk({ ANTHROPIC_API_KEY: 'k' })).config_ready, true);
  const compat = getConfigStatus(mk({ ANTON_PLANNING_PROVIDER: 'openai-compatible' }));
  assert.equal(compat.config_error, 'Configure ANTON_OPENAI_BASE_URL (or ANTON_MINDS_API_KEY), ANTON_PLANNING_MODEL for OpenAI-compatible.');
  const viaMinds = getConfigStatus(mk({ ANTON_PLANNING_PROVIDER: 'openai-compatible', ANTON_MINDS_API_KEY: 'm' }));
  assert.deepEqual([viaMinds.config_ready, viaMinds.model], [true, '_reason_'], 'Minds behind openai-compatible gets the Minds models');
  // An unknown provider value is OpenAI-shaped: it is usable only once it has an endpoint (a turn would fail otherwise).
  assert.equal(getConfigStatus(mk({ ANTON_PLANNING_PROVIDER: 'something-else' })).config_ready, false);
  assert.equal(getConfigStatus(mk({ ANTON_PLANNING_PROVIDER: 'something-else', ANTON_OPENAI_API_KEY: 'k', ANTON_OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', ANTON_PLANNING_MODEL: 'm' })).config_ready, true);
});
