import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeContext, createContext } from '../cowork/server/context.js';
import { PROBE_PASSWORD, PROBE_USER, startPostgres } from '../testing/databases.js';
import { spawnAnton } from '../testing/pty.js';
import { REPO_ROOT } from '../testing/spawn-server.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';

// Drives the built bin (dist/bundle) against the machine's PostgreSQL: run `npm run build` first.

function anton(args: string[], env: Record<string, string>, cwd: string) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'anton.js'), ...args], { env, cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('anton connect fills the PostgreSQL form, tests it live and saves it to the vault; list, test and remove use the same vault', async (t) => {
  const pg = await startPostgres({ tls: true });
  t.after(() => pg.stop());
  const { home, cleanup } = makeTempHome('anton-ds-');
  t.after(cleanup);
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  const env = cleanEnv(home);

  const s = spawnAnton(['connect', 'postgres'], { cwd, env });
  t.after(() => s.kill());
  const answer = async (prompt: string, text: string) => {
    await s.waitForText(`◆  ${prompt}`, 20_000, Math.max(0, s.text().lastIndexOf('◇')));
    s.write(`${text}\r`);
  };
  await answer('How do you sign in?', ''); // the recommended method: host and port
  await answer('Host', pg.host);
  await answer('Port', String(pg.port));
  await answer('Database', 'test');
  await answer('Username', PROBE_USER);
  await answer('Password', PROBE_PASSWORD);
  await answer('Use TLS', ''); // yes (the default)
  await answer('SSL mode', ''); // not set: TLS without a certificate check
  await answer('Root certificate', '');
  await answer('Name for this connection', 'warehouse');
  await s.waitForText('Saved postgres/warehouse');
  assert.equal(await s.exitCode(), 0);
  assert.match(s.text(), /Connected to test as anton_probe/); // the live probe ran before saving

  const list = anton(['list'], env, cwd);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /postgres\/warehouse/);
  const ok = anton(['test'], env, cwd);
  assert.equal(ok.code, 0, ok.err + ok.out);
  assert.match(ok.out, /✓ postgres\/warehouse/);

  // The server's vault is the same one: a wrong password saved there fails the terminal's live test.
  const ctx = createContext(env, { logLevel: 'silent' });
  try {
    const rec = ctx.vault.get('postgres', 'warehouse')!;
    assert.equal(rec.fields.username, PROBE_USER);
    ctx.vault.save('postgres', 'warehouse', { ...rec.fields, password: 'wrong' }, rec.secure_keys);
  } finally {
    await closeContext(ctx);
  }
  const bad = anton(['test', 'warehouse'], env, cwd);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /✗ postgres\/warehouse: .*\(field password\)/);

  const removed = anton(['remove', 'warehouse', '--yes'], env, cwd);
  assert.equal(removed.code, 0, removed.err);
  assert.match(anton(['list'], env, cwd).out, /No data sources connected yet/);
});
