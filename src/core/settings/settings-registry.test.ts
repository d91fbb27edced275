import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOT_SETTINGS, SETTINGS, parseSetting, toMs, type SettingSpec } from './settings-registry.js';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, renderConfigTable } from './config-table.js';
import { EnvStore } from './env-store.js';
import { makeTempHome } from '../../testing/temp-home.js';

const SRC = fileURLToPath(new URL('../../', import.meta.url));
const ROOT = join(SRC, '..');
const REGISTRY = join(SRC, 'core', 'settings', 'settings-registry.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : /\.(ts|js|mjs)$/.test(d.name) && !d.name.endsWith('.test.ts') ? [join(dir, d.name)] : [],
  );
}

/** Code without comments (a name only mentioned in a comment is not read). URLs inside strings keep their `//`. */
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

const PREFIX = '(?:ANTON|GOOGLE|UI|OPENAI|ANTHROPIC|VITE)_[A-Z0-9_]+';
/** Names in quotes ('X', "X", `X`) and property reads or writes on an env object (process.env.X, env.X, processEnv.X). */
function namesUsedIn(text: string): Set<string> {
  const code = stripComments(text);
  const names = new Set<string>();
  for (const m of code.matchAll(new RegExp(`['"\`](${PREFIX})['"\`]`, 'g'))) names.add(m[1]!);
  for (const m of code.matchAll(new RegExp(`\\b[A-Za-z]*[eE]nv\\??\\.(${PREFIX})\\b`, 'g'))) names.add(m[1]!);
  for (const m of code.matchAll(new RegExp(`[{,]\\s*(${PREFIX})\\s*:`, 'g'))) names.add(m[1]!); // object keys ({ ANTON_X: … })
  return names;
}

function usage(): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const f of [...sourceFiles(SRC), ...sourceFiles(join(ROOT, 'bin'))]) {
    if (f === REGISTRY) continue;
    for (const n of namesUsedIn(readFileSync(f, 'utf8'))) where.set(n, [...(where.get(n) ?? []), relative(ROOT, f)]);
  }
  return where;
}

test('every environment name the code uses is declared in the settings registry (or listed as not a setting)', () => {
  const undeclared = [...usage()].filter(([n]) => !(n in SETTINGS) && !(n in NOT_SETTINGS)).map(([n, files]) => `${n} (${files.join(', ')})`);
  assert.deepEqual(undeclared, [], 'declare these in src/core/settings/settings-registry.ts');
});

test('every declared setting is used somewhere in the code (no stale declarations)', () => {
  const used = usage();
  const unused = [...Object.keys(SETTINGS), ...Object.keys(NOT_SETTINGS)].filter((n) => !used.has(n));
  assert.deepEqual(unused, [], 'remove these from the registry, or read them');
  assert.deepEqual(Object.keys(NOT_SETTINGS).filter((n) => n in SETTINGS), [], 'a name is either a setting or not');
});

test('the scanner finds quoted names and env property reads but not names only mentioned in comments', () => {
  const found = namesUsedIn(
    "// ANTON_IN_LINE_COMMENT\n/* 'ANTON_IN_BLOCK' */ env.get('ANTON_A'); process.env.ANTON_B; x = `ANTON_C`; f({ a, ANTON_E: 1 }); const GOOGLE_LIST: string[] = []; const u = 'https://x.y/z'; env.get('ANTON_D');",
  );
  assert.deepEqual([...found].sort(), ['ANTON_A', 'ANTON_B', 'ANTON_C', 'ANTON_D', 'ANTON_E']);
});

test('declarations are coherent: defaults match their type, enum defaults are allowed values, secrets have no default', () => {
  for (const [name, s] of Object.entries(SETTINGS as Record<string, SettingSpec>)) {
    const d = (s as { default?: unknown }).default;
    assert.ok(s.description.trim().length > 0, `${name} needs a description`);
    if (s.secret) assert.equal(d, undefined, `${name} is a secret: no default`);
    if (d === undefined) continue;
    if (s.type === 'int') assert.ok(Number.isInteger(d), name);
    if (s.type === 'number' || s.type === 'duration') assert.equal(typeof d, 'number', name);
    if (s.type === 'bool') assert.equal(typeof d, 'boolean', name);
    if (s.type === 'string') assert.equal(typeof d, 'string', name);
    if (s.type === 'enum') assert.ok(s.values.includes(d as string), `${name}: default ${String(d)} is not one of its values`);
  }
});

test('typed reads parse as declared and fall back to the declared default when unset or unusable', () => {
  assert.equal(parseSetting('ANTON_MAX_TOKENS', undefined), 8192);
  assert.equal(parseSetting('ANTON_MAX_TOKENS', ''), 8192);
  assert.equal(parseSetting('ANTON_MAX_TOKENS', '4096'), 4096);
  assert.equal(parseSetting('ANTON_MAX_TOKENS', 'lots'), 8192);
  assert.equal(parseSetting('ANTON_MINDS_SSL_VERIFY', 'off'), false);
  assert.equal(parseSetting('ANTON_MINDS_SSL_VERIFY', ' YES '), true);
  assert.equal(parseSetting('ANTON_MINDS_SSL_VERIFY', undefined), true);
  assert.equal(parseSetting('ANTON_SCHEDULE_MISSED_POLICY', 'skip'), 'skip');
  assert.equal(parseSetting('ANTON_SCHEDULE_MISSED_POLICY', 'sometimes'), 'run_once');
  assert.equal(parseSetting('ANTON_WEB_SEARCH_PROVIDER', 'bing'), undefined);
  assert.equal(parseSetting('ANTON_UPDATE_PROBATION_S', '-5'), 600);
  assert.equal(parseSetting('ANTON_UPDATE_PROBATION_S', '1.5'), 1.5);
  assert.equal(toMs('ANTON_SCRATCHPAD_IDLE_MINUTES', 2), 120_000);
  assert.equal(parseSetting('ANTON_SERVER_TOKEN', undefined), undefined);
});

test('EnvStore.setting keeps the store precedence and hand-edit refresh, and applies the declared default', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, '.anton', '.env');
  mkdirSync(join(home, '.anton'));
  writeFileSync(file, 'ANTON_MAX_TOOL_ROUNDS=3\nANTON_MAX_TOKENS=1000\n');
  let clock = 0;
  const env = new EnvStore({ ANTON_MAX_TOOL_ROUNDS: '7' }, file, { now: () => clock });
  assert.equal(env.setting('ANTON_MAX_TOOL_ROUNDS'), 7, 'process env beats the file');
  assert.equal(env.setting('ANTON_MAX_TOKENS'), 1000);
  writeFileSync(file, 'ANTON_MAX_TOOL_ROUNDS=3\nANTON_MAX_TOKENS=2000\n'); // a hand edit
  clock += 60_000; // past the store's re-check interval
  assert.equal(env.setting('ANTON_MAX_TOKENS'), 2000, 'a hand edit is picked up');
  env.write({ ANTON_MAX_TOKENS: null });
  assert.equal(env.setting('ANTON_MAX_TOKENS'), 8192, 'unset falls back to the declared default');
  assert.equal(env.settingMs('ANTON_LLM_IDLE_TIMEOUT_S'), 120_000);
});

test('the README configuration table is the one generated from the registry (npm run docs:config)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  assert.ok(start >= 0 && end > start, 'README.md lacks the config-table markers');
  const current = readme.slice(start + CONFIG_TABLE_START.length, end).trim();
  assert.equal(current, renderConfigTable().trim(), 'README.md is out of date: run `npm run docs:config`');
});

test('the generated table marks secrets and never shows a value for them', () => {
  const table = renderConfigTable();
  for (const [name, s] of Object.entries(SETTINGS as Record<string, SettingSpec>)) {
    const row = table.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    assert.ok(row, `${name} has a row`);
    if (s.secret) assert.match(row, /\*\*secret\*\* \| — \|/, name);
  }
});
