import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EnvStore } from '../../core/settings/env-store.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { REPO_ROOT, freePort } from '../../testing/spawn-server.js';
import { RotatingFile, createLogger } from './logging.js';
import { waitFor } from '../../testing/wait.js';

test('the log file rotates at its size cap and keeps three old files', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const file = join(home, 'logs', 'server.log');
  const f = new RotatingFile(file, 1000, 3);
  for (let i = 0; i < 100; i++) f.write(`${JSON.stringify({ i, pad: 'x'.repeat(80) })}\n`);
  for (const p of [file, `${file}.1`, `${file}.2`, `${file}.3`]) assert.ok(statSync(p).size <= 1000, p);
  assert.ok(!existsSync(`${file}.4`));
  assert.match(readFileSync(file, 'utf8'), /"i":99/);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'only the owner reads the log');
});

test('the server logs JSON into the state dir log file, with keys and tokens redacted', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = new EnvStore({}, join(home, '.env'));
  const log = createLogger(env, join(home, 'state'), 'info');
  log.info({ cfg: { apiKey: 'sk-ant-secret', token: 'tok-secret' } }, 'hello');
  const text = readFileSync(join(home, 'state', 'logs', 'server.log'), 'utf8');
  assert.match(text, /"msg":"hello"/);
  assert.doesNotMatch(text, /sk-ant-secret|tok-secret/);
});

test('on a terminal the server prints short readable lines, not JSON', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const port = await freePort();
  // `script` runs the real bin on a pseudo-terminal.
  const envs = Object.entries(cleanEnv(home, { ANTON_SERVER_PORT: String(port) }))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const term = spawn('script', ['-qc', `env -i ${envs} ${process.execPath} bin/anton-cowork-server.js`, '/dev/null'], { cwd: REPO_ROOT, detached: true });
  t.after(() => process.kill(-term.pid!, 'SIGKILL'));
  let out = '';
  term.stdout.on('data', (d) => (out += d));
  await waitFor(() => /server listening/.test(out), 15_000).catch(() => assert.fail(out));
  assert.match(out, /^\d\d:\d\d:\d\d info  server listening/m, out);
  assert.doesNotMatch(out, /"level":30/, out);
});
