import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { COWORK_SERVER_VERSION } from '../core/version.js';
import { REPO_ROOT } from '../testing/spawn-server.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';

function anton(args: string[], env?: Record<string, string>) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'anton.js'), ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the anton bin: --help lists the commands, --version prints the version, unknown flags and commands exit 2 with the usage', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = cleanEnv(home);
  const help = anton(['--help'], env);
  assert.equal(help.code, 0);
  for (const cmd of ['setup', 'sessions', 'session', 'connect', 'list', 'edit', 'remove', 'test', 'doctor', 'export', 'import-archive', 'update', 'cowork-server', 'version']) {
    assert.match(help.out, new RegExp(`\\n  ${cmd}\\b`), `--help lists ${cmd}`);
  }
  assert.equal(anton(['--version'], env).out.trim(), COWORK_SERVER_VERSION);
  assert.equal(anton(['version'], env).out.trim(), COWORK_SERVER_VERSION);

  const flag = anton(['--frob'], env);
  assert.equal(flag.code, 2);
  assert.match(flag.err, /unknown option '--frob'[\s\S]*Usage: anton \[options\] \[command\]/);
  const word = anton(['frobnicate'], env);
  assert.equal(word.code, 2);
  assert.match(word.err, /unknown command 'frobnicate'/);
  const sub = anton(['sessions', '--frob'], env);
  assert.equal(sub.code, 2);
  assert.match(sub.err, /unknown option '--frob'[\s\S]*Usage: anton sessions/);
  // Server flags go to the server's own parser, unchanged.
  const server = anton(['cowork-server', '--frob'], env);
  assert.equal(server.code, 2);
  assert.match(server.err, /--frob/);
});
