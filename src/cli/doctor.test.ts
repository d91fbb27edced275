import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { closeContext, createContext } from '../cowork/server/context.js';
import { REPO_ROOT, freePort } from '../testing/spawn-server.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';
import { runDoctor } from './doctor.js';

test('doctor on a healthy install: database integrity ok at the current schema, provider configured, no failures', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = cleanEnv(home, { ANTON_ANTHROPIC_API_KEY: 'sk-ant-x', ANTON_SERVER_PORT: String(await freePort()) });
  await closeContext(createContext(env, { logLevel: 'silent' }));
  const checks = await runDoctor(env, false);
  assert.deepEqual(checks.filter((c) => c.status === 'fail'), []);
  const database = checks.find((c) => c.name === 'database')!;
  assert.equal(database.status, 'ok', database.detail);
  assert.match(database.detail, /integrity ok, schema (\d+) \(this version: \1\)/, 'additive migrations count as applied');
  assert.equal(checks.find((c) => c.name === 'chat model')!.status, 'ok');
});

test('doctor reports a corrupt database, a missing Python and a port taken by another program, each with a fix; the bin exits 1', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const blocker = createServer();
  const port = await freePort();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
  t.after(() => blocker.close());
  const env = cleanEnv(home, { ANTON_ANTHROPIC_API_KEY: 'sk-ant-x', ANTON_PYTHON: join(home, 'no-python'), ANTON_SERVER_PORT: String(port) });
  await closeContext(createContext(env, { logLevel: 'silent' }));
  writeFileSync(join(home, '.anton', 'cowork', 'cowork.db'), 'this is not a database, just garbage bytes '.repeat(200));
  const checks = await runDoctor(env, false);
  const by = (name: string) => checks.find((c) => c.name === name)!;
  assert.equal(by('database').status, 'fail');
  assert.match(by('database').fix!, /backup/);
  assert.equal(by('python').status, 'fail');
  assert.match(by('python').fix!, /ANTON_PYTHON/);
  assert.equal(by('port').status, 'warn');

  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'anton.js'), 'doctor', '--json'], { env, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, false);
});
