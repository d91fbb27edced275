import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { closeContext, createContext } from '../cowork/server/context.js';
import { REPO_ROOT } from '../testing/spawn-server.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';

function anton(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'anton.js'), ...args], { env, cwd: env.HOME, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const HISTORY = [
  { role: 'user' as const, content: 'how many rows?' },
  { role: 'assistant' as const, content: 'There are 1200 rows.' },
];

async function seed(env: Record<string, string>) {
  const ctx = createContext(env, { logLevel: 'silent' });
  try {
    ctx.conversations.ensure('20260101_000000_abcdef', 'general');
    ctx.conversations.saveHistory('20260101_000000_abcdef', HISTORY, 0, null);
    const proj = ctx.projects.create('sales');
    writeFileSync(join(proj.path, 'data.csv'), 'a,b\n1,2\n');
    mkdirSync(join(proj.path, '.anton', 'scratchpad-venvs', 'main'), { recursive: true });
    writeFileSync(join(proj.path, '.anton', 'scratchpad-venvs', 'main', 'big.bin'), 'rebuildable');
    mkdirSync(ctx.paths.memoryDir, { recursive: true });
    writeFileSync(join(ctx.paths.memoryDir, 'rules.md'), '- always use UTC\n');
    ctx.vault.save('postgres', 'prod', { host: 'db', password: 's3cret' }, ['password']);
  } finally {
    await closeContext(ctx);
  }
}

test('anton export / import-archive round-trips a workspace: database, project files, memory and the encrypted vault; the previous state is saved first', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = cleanEnv(home);
  await seed(env);
  const file = join(home, 'backup.zip');
  const exp = anton(['export', '-o', file], env);
  assert.equal(exp.code, 0, exp.err);
  assert.equal(exp.out.trim(), file);
  const zipText = readFileSync(file).toString('latin1');
  assert.ok(!zipText.includes('s3cret'), 'vault values stay encrypted in the archive');
  assert.ok(!zipText.includes('scratchpad-venvs'), 'virtualenvs are not archived');
  assert.ok(!zipText.includes('vault.key'), 'the key is left out unless asked for');

  // Something goes wrong after the backup…
  const ctx = createContext(env, { logLevel: 'silent' });
  const projectsDir = ctx.paths.projectsDir;
  const memoryDir = ctx.paths.memoryDir;
  ctx.conversations.delete('20260101_000000_abcdef');
  ctx.vault.delete('postgres', 'prod');
  await closeContext(ctx);
  writeFileSync(join(memoryDir, 'rules.md'), 'broken\n');

  const imp = anton(['import-archive', file], env);
  assert.equal(imp.code, 0, imp.err);
  const backup = /saved to (\S+\.zip)/.exec(imp.out)?.[1];
  assert.ok(backup && existsSync(backup), imp.out);

  const after = createContext(env, { logLevel: 'silent' });
  try {
    assert.deepEqual(after.conversations.loadHistory('20260101_000000_abcdef'), HISTORY);
    assert.equal(after.vault.get('postgres', 'prod')?.fields.password, 's3cret');
  } finally {
    await closeContext(after);
  }
  assert.equal(readFileSync(join(memoryDir, 'rules.md'), 'utf8'), '- always use UTC\n');
  assert.equal(readFileSync(join(projectsDir, 'sales', 'data.csv'), 'utf8'), 'a,b\n1,2\n');
});

test('a workspace import is refused while another Anton process has the state dir open', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = cleanEnv(home);
  await seed(env);
  const file = join(home, 'backup.zip');
  assert.equal(anton(['export', '-o', file], env).code, 0);
  const running = createContext(env, { logLevel: 'silent' }); // this test process now counts as a live server
  t.after(() => closeContext(running));
  const imp = anton(['import-archive', file], env);
  assert.equal(imp.code, 1);
  assert.match(imp.err, /Close the Cowork app/);
});

test('one conversation exports and imports into another workspace; an existing id needs --as-new', async (t) => {
  const a = makeTempHome();
  const b = makeTempHome();
  t.after(() => (a.cleanup(), b.cleanup()));
  const envA = cleanEnv(a.home);
  const envB = cleanEnv(b.home);
  await seed(envA);
  const file = join(a.home, 'conv.zip');
  assert.equal(anton(['export', '--conversation', '20260101_000000_abcdef', '-o', file], envA).code, 0);
  const first = anton(['import-archive', file], envB);
  assert.equal(first.code, 0, first.err);
  const again = anton(['import-archive', file], envB);
  assert.equal(again.code, 1);
  assert.match(again.err, /--as-new/);
  assert.equal(anton(['import-archive', file, '--as-new'], envB).code, 0);
  const ctx = createContext(envB, { logLevel: 'silent' });
  try {
    const list = ctx.conversations.list('all', 10);
    assert.equal(list.length, 2);
    for (const c of list) assert.deepEqual(ctx.conversations.loadHistory(c.id), HISTORY);
  } finally {
    await closeContext(ctx);
  }
});

test('an archive entry that would escape the unpack folder is refused', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'evil.zip');
  writeFileSync(file, zipSync({ 'manifest.json': new TextEncoder().encode('{}'), '../../escaped.txt': new TextEncoder().encode('x') }));
  const r = anton(['import-archive', file], cleanEnv(home));
  assert.equal(r.code, 1);
  assert.match(r.err, /unsafe path/);
});
