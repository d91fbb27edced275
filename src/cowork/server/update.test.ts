import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COWORK_SERVER_VERSION, PACKAGE_NAME } from '../../core/version.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { REPO_ROOT, spawnServer, waitForHealth } from '../../testing/spawn-server.js';
import { fingerprint, stillRunning } from '../../testing/processes.js';

const bump = (v: string) => v.replace(/(\d+)$/, (n) => String(Number(n) + 1));

/** Version N+1 of this package as a registry tarball, built from the current build output. */
function buildRelease(dir: string, version: string): Buffer {
  const pkg = join(dir, 'package');
  mkdirSync(pkg, { recursive: true });
  for (const d of ['dist', 'bin', 'python', 'connectors']) cpSync(join(REPO_ROOT, d), join(pkg, d), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ ...manifest, version }, null, 2));
  execFileSync('tar', ['-czf', 'release.tgz', 'package'], { cwd: dir });
  return readFileSync(join(dir, 'release.tgz'));
}

test('self-update: N → N+1 installed side by side, verified, switched; /health reports N+1 under the same PID; next start runs N+1', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const next = bump(COWORK_SERVER_VERSION);
  const tarball = buildRelease(join(home, 'release'), next);
  const registry = createServer((req, res) => {
    const url = `http://127.0.0.1:${(registry.address() as { port: number }).port}`;
    if (req.url === `/${PACKAGE_NAME}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          name: PACKAGE_NAME,
          'dist-tags': { latest: next },
          versions: { [next]: { name: PACKAGE_NAME, version: next, dist: { tarball: `${url}/release.tgz`, integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}` } } },
        }),
      );
    } else if (req.url === '/release.tgz') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
  t.after(() => registry.close());
  const env = cleanEnv(home, { ANTON_DISABLE_AUTOUPDATES: 'false', ANTON_UPDATE_REGISTRY: `http://127.0.0.1:${(registry.address() as { port: number }).port}`, ANTON_UPDATE_CHECK_DELAY_MS: '0' });

  const srv = await spawnServer([], env);
  t.after(() => srv.stop('SIGKILL'));
  const first = (await (await waitForHealth(srv.url)).json()) as { cowork_server_version: string };
  assert.equal(first.cowork_server_version, COWORK_SERVER_VERSION);
  const parent = fingerprint(srv.child.pid!);
  const deadline = Date.now() + 90_000;
  let version = first.cowork_server_version;
  while (version !== next && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      version = ((await (await fetch(`${srv.url}/health`)).json()) as { cowork_server_version: string }).cowork_server_version;
    } catch {
      /* switching */
    }
  }
  assert.equal(version, next, srv.output());
  assert.ok(stillRunning(parent), 'the PID the desktop app holds is still the server');
  assert.equal(srv.child.exitCode, null);
  const staged = JSON.parse(readFileSync(join(home, '.anton', 'cowork', 'versions', 'current.json'), 'utf8'));
  assert.equal(staged.version, next);
  assert.equal(staged.previous.version, COWORK_SERVER_VERSION, 'the previous version is kept for rollback');
  assert.equal(await srv.stop('SIGTERM'), 0, 'signals reach the new version and its exit code comes back');

  // The next start runs N+1 straight away (it is the staged, verified version), without updating again.
  const again = await spawnServer([], { ...env, ANTON_UPDATE_REGISTRY: 'http://127.0.0.1:9' });
  t.after(() => again.stop('SIGKILL'));
  assert.equal(((await (await waitForHealth(again.url)).json()) as { cowork_server_version: string }).cowork_server_version, next);
  assert.equal(await again.stop('SIGTERM'), 0);
});

test('packaging: the packed tarball installs into a fresh prefix and serves /health and 150+ connectors', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', home], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  const files = execFileSync('tar', ['-tzf', join(home, packed)], { encoding: 'utf8' });
  for (const f of ['package/dist/bundle/cli.mjs', 'package/bin/anton-cowork-server.js', 'package/python/anton_scratchpad_runner.py', 'package/connectors/postgres.json']) assert.ok(files.includes(f), f);
  assert.ok(!files.includes('.test.'), 'tests are not shipped');
  const prefix = join(home, 'prefix');
  mkdirSync(prefix);
  // Dependencies come from the registry (cache); the native SQLite binding is the one this checkout built.
  execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', join(home, packed)], { stdio: 'ignore' });
  const installed = join(prefix, 'node_modules', PACKAGE_NAME);
  cpSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'build'), join(prefix, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
  const srv = await spawnServer([], cleanEnv(home), join(prefix, 'node_modules', '.bin', 'anton-cowork-server'));
  t.after(() => srv.stop('SIGKILL'));
  const health = (await (await waitForHealth(srv.url)).json()) as { status: string; cowork_server_version: string };
  assert.deepEqual([health.status, health.cowork_server_version], ['ok', COWORK_SERVER_VERSION]);
  const conns = (await (await fetch(`${srv.url}/v1/connectors`)).json()) as { connectors: unknown[] };
  assert.ok(conns.connectors.length >= 150);
  assert.ok(readFileSync(join(installed, 'package.json'), 'utf8').includes(PACKAGE_NAME));
  assert.equal(await srv.stop('SIGTERM'), 0);
});
