import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COWORK_SERVER_VERSION, PACKAGE_NAME } from '../../core/version.js';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { REPO_ROOT, spawnServer, waitForHealth, type SpawnedServer } from '../../testing/spawn-server.js';
import { fingerprint, stillRunning } from '../../testing/processes.js';
import { TestRegistry, buildRelease, makeReleaseKey, pollHealth, type ReleaseKey } from '../../testing/release-channel.js';
import { waitFor } from '../../testing/wait.js';
import { readState, type UpdateState } from '../../core/updater/state.js';

const run = promisify(execFile);
const bump = (v: string, by = 1) => v.replace(/(\d+)$/, (n) => String(Number(n) + by));
const N = COWORK_SERVER_VERSION;

/** A release that starts fine (so it passes verification) but exits with code 3 this long after it serves real data. */
const crashAfter = (ms: number) => `if (process.env.ANTON_SUPERVISED === '1') setTimeout(() => process.exit(3), ${ms});`;

interface Rig {
  home: string;
  /** The real bin on this rig's HOME; stopped (and waited for) before the HOME is removed. */
  spawn: (env?: Record<string, string>) => Promise<SpawnedServer>;
  key: ReleaseKey;
  registry: TestRegistry;
  env: Record<string, string>;
  state: () => UpdateState;
  health: (srv: SpawnedServer) => Promise<string>;
}

async function rig(t: import('node:test').TestContext, extra: Record<string, string> = {}): Promise<Rig> {
  const { home, cleanup } = makeTempHome('anton-update-');
  const key = makeReleaseKey(join(home, 'keys'));
  const registry = await new TestRegistry().start();
  const servers: SpawnedServer[] = [];
  t.after(async () => {
    // SIGTERM first: a supervisor waits for its child; SIGKILL would leave the child finishing on its own.
    await Promise.all(servers.map((s) => Promise.race([s.stop('SIGTERM'), new Promise((r) => setTimeout(r, 10_000))]).then(() => s.stop('SIGKILL'))));
    await registry.close();
    cleanup();
  });
  const env = cleanEnv(home, {
    ANTON_DISABLE_AUTOUPDATES: 'false',
    ANTON_UPDATE_REGISTRY: registry.url,
    ANTON_UPDATE_KEYS: key.publicRaw,
    ANTON_UPDATE_CHECK_DELAY_MS: '0',
    ANTON_UPDATE_CHECK_INTERVAL_S: '1',
    ...extra,
  });
  return {
    home,
    spawn: async (e = env) => {
      const srv = await spawnServer([], e);
      servers.push(srv);
      return srv;
    },
    key,
    registry,
    env,
    state: () => readState(join(home, '.anton', 'cowork', 'versions')),
    health: async (srv) => ((await (await fetch(`${srv.url}/health`)).json()) as { cowork_server_version: string }).cowork_server_version,
  };
}

async function waitForVersion(r: Rig, srv: SpawnedServer, version: string, ms = 60_000): Promise<void> {
  await waitFor(async () => {
    try {
      return (await r.health(srv)) === version;
    } catch {
      return false;
    }
  }, ms).catch(() => assert.fail(`/health never reported ${version}\n${srv.output().slice(-3000)}`));
}

const quarantinedReason = (r: Rig, v: string) => r.state().quarantined.find((q) => q.version === v)?.reason;

test('a signed update is taken with no refused connection while /health is polled every 10 ms, then a second one (N+1 → N+2), under the same PID; --version agrees', async (t) => {
  const r = await rig(t);
  const srv = await r.spawn();
  await waitForHealth(srv.url);
  const pid = fingerprint(srv.child.pid!);
  const poll = pollHealth(srv.url, 10);
  t.after(() => poll.stop());

  r.registry.publish(bump(N), buildRelease(r.home, bump(N), { signWith: r.key }));
  await waitForVersion(r, srv, bump(N));
  r.registry.publish(bump(N, 2), buildRelease(r.home, bump(N, 2), { signWith: r.key }));
  await waitForVersion(r, srv, bump(N, 2));
  const stats = await poll.stop();

  assert.equal(stats.refused, 0, `refused connections during the switches (${stats.lastError})`);
  assert.equal(stats.otherErrors, 0, `failed /health requests during the switches (${stats.lastError})`);
  assert.deepEqual(stats.versions, [N, bump(N), bump(N, 2)], 'the versions seen, in order, with no flapping');
  assert.ok(stillRunning(pid), 'the PID the desktop app holds is still the server');
  const s = r.state();
  assert.equal(s.current?.version, bump(N, 2));
  assert.deepEqual(s.quarantined, []);
  assert.equal(execFileSync(process.execPath, ['bin/anton-cowork-server.js', '--version'], { cwd: REPO_ROOT, env: r.env, encoding: 'utf8' }).trim(), bump(N, 2));
  assert.equal(await srv.stop('SIGTERM'), 0, 'a stop signal reaches the serving version and its exit code comes back');

  // The next start runs N+2 at once, as the child of a small supervisor; /health answers as soon as a plain start does.
  const again = await r.spawn({ ...r.env, ANTON_UPDATE_REGISTRY: 'http://127.0.0.1:9' });
  await waitForHealth(again.url);
  assert.equal(await r.health(again), bump(N, 2));
  assert.equal(await again.stop('SIGTERM'), 0);
});

test('releases that are unsigned, tampered, integrity-mismatched, of a lower protocol or broken at start are refused and quarantined, with no downtime', async (t) => {
  const r = await rig(t);
  const srv = await r.spawn();
  await waitForHealth(srv.url);
  const poll = pollHealth(srv.url, 10);
  t.after(() => poll.stop());
  const other = makeReleaseKey(join(r.home, 'keys'));
  const cases: [string, Buffer, RegExp, { wrongIntegrity?: boolean }?][] = [
    [bump(N, 1), buildRelease(r.home, bump(N, 1), { signWith: null }), /unsigned/],
    [bump(N, 2), buildRelease(r.home, bump(N, 2), { signWith: other }), /key this version does not trust/],
    [bump(N, 3), buildRelease(r.home, bump(N, 3), { signWith: r.key, tamper: true }), /tampered: dist\/bundle\/server-bin\.mjs/],
    [bump(N, 4), buildRelease(r.home, bump(N, 4), { signWith: r.key }), /integrity/, { wrongIntegrity: true }],
    [bump(N, 5), buildRelease(r.home, bump(N, 5), { signWith: r.key, protocol: 0 }), /protocol version 0 is lower than the running 1/],
    [bump(N, 6), buildRelease(r.home, bump(N, 6), { signWith: r.key, binPrelude: 'process.exit(4);' }), /exited with code 4|--version printed/],
  ];
  for (const [version, tgz, reason, opts] of cases) {
    r.registry.publish(version, tgz, opts);
    await waitFor(() => quarantinedReason(r, version) !== undefined, 60_000).catch(() => assert.fail(`${version} was not refused\n${srv.output().slice(-3000)}`));
    assert.match(quarantinedReason(r, version)!, reason);
    const logged = new RegExp(`"version":"${version.replace(/\./g, '\\.')}"[^\\n]*"reason":"[^"]+"[^\\n]*update refused`);
    await waitFor(() => logged.test(srv.output())).catch(() => assert.fail(`no log line names ${version} and the reason\n${srv.output().slice(-2000)}`));
  }
  const stats = await poll.stop();
  assert.equal(stats.refused + stats.otherErrors, 0, stats.lastError);
  assert.deepEqual(stats.versions, [N], 'only the running version ever answered');
  assert.equal(r.state().current, null);
  assert.deepEqual(readdirSync(join(r.home, '.anton', 'cowork', 'versions')).filter((f) => !f.endsWith('.json')), [], 'refused releases leave nothing installed');
});

for (const [label, ms] of [
  ['2 s', 2000],
  ['20 s (after the old 15 s grace)', 20_000],
] as const) {
  test(`a release that crashes ${label} after the switch is rolled back and quarantined; the server never dies and never takes it again`, async (t) => {
    const r = await rig(t);
    const srv = await r.spawn();
    await waitForHealth(srv.url);
    const poll = pollHealth(srv.url, 10);
    t.after(() => poll.stop());
    const bad = bump(N);
    r.registry.publish(bad, buildRelease(r.home, bad, { signWith: r.key, binPrelude: crashAfter(ms) }));
    await waitForVersion(r, srv, bad);
    await waitFor(() => quarantinedReason(r, bad) !== undefined, ms + 30_000);
    assert.match(quarantinedReason(r, bad)!, /exited with code 3 during probation/);
    await waitForVersion(r, srv, N);
    // Three more checks of the channel, and the quarantined release is not downloaded again.
    const checks = r.registry.packumentRequests;
    await waitFor(() => r.registry.packumentRequests >= checks + 3, 30_000);
    assert.equal(r.registry.downloads.get(bad), 1, 'downloaded once, never again');
    assert.equal(await r.health(srv), N);
    const stats = await poll.stop();
    assert.equal(stats.refused, 0, `a refused connection (${stats.lastError})`);
    assert.equal(srv.child.exitCode, null, 'the server the desktop app started is still running');
    assert.equal(r.state().current, null, 'back on the installed version');
  });
}

test('a live scratchpad defers the switch (its state survives); the switch happens once it is closed', async (t) => {
  const r = await rig(t);
  const srv = await r.spawn();
  await waitForHealth(srv.url);
  const post = async (path: string, body: object) => (await fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
  await post('/v1/scratchpad/start', { name: 'keep' });
  await post('/v1/scratchpad/execute', { name: 'keep', code: 'x = 42' });
  r.registry.publish(bump(N), buildRelease(r.home, bump(N), { signWith: r.key }));
  await waitFor(() => r.state().staged?.version === bump(N), 60_000).catch(() => assert.fail(`not staged: ${JSON.stringify(r.state())}\n${srv.output().slice(-2000)}`));
  // Two more checks pass (time for a switch that must not happen).
  const seen = new Set<string>();
  await waitFor(() => seen.add(r.state().lastCheck?.at ?? '').size >= 3, 30_000);
  assert.match(r.state().lastCheck!.result, /waiting for an idle moment/);
  assert.equal(await r.health(srv), N, 'no switch while a kernel holds state');
  const out = JSON.stringify(await post('/v1/scratchpad/execute', { name: 'keep', code: 'print(x)' }));
  assert.match(out, /42/, out);
  await post('/v1/scratchpad/close', { name: 'keep' });
  await waitForVersion(r, srv, bump(N));
});

test('a missing channel (404) is one info line, not a warning at every check', async (t) => {
  const r = await rig(t);
  const srv = await r.spawn();
  await waitForHealth(srv.url);
  await waitFor(() => r.registry.packumentRequests >= 3, 30_000);
  const lines = srv.output().split('\n').filter((l) => l.includes('release channel') || l.includes('"level":40'));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /"level":30/);
  assert.equal(r.state().lastCheck?.result, 'channel not found');
});

test('anton update stages a release, --status reports it, --rollback quarantines the current version', async (t) => {
  const r = await rig(t);
  // Asynchronously: the registry answers from this very process.
  const anton = async (...args: string[]) => (await run(process.execPath, ['bin/anton.js', 'update', ...args], { cwd: REPO_ROOT, env: r.env, encoding: 'utf8' })).stdout;
  r.registry.publish(bump(N), buildRelease(r.home, bump(N), { signWith: r.key }));
  assert.match(await anton(), new RegExp(`${bump(N).replace(/\./g, '\\.')} is installed and verified`));
  const status = JSON.parse(await anton('--status'));
  assert.equal(status.staged, bump(N));
  assert.equal(status.current, N);
  assert.deepEqual(status.quarantined, []);
  assert.match(status.last_check.result, /staged/);
  // A start runs the staged version's switch at once (nothing is live), then --rollback undoes it.
  const srv = await r.spawn();
  await waitForVersion(r, srv, bump(N));
  assert.equal(await srv.stop('SIGTERM'), 0);
  assert.match(await anton('--rollback'), /Rolled back from/);
  const after = JSON.parse(await anton('--status'));
  assert.equal(after.current, N);
  assert.equal(after.quarantined[0].version, bump(N));
  assert.equal(after.quarantined[0].reason, 'rolled back by the user');
});

test('packaging: the packed tarball installs into a fresh prefix and serves /health and 150+ connectors', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', home], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  const files = execFileSync('tar', ['-tzf', join(home, packed)], { encoding: 'utf8' });
  for (const f of ['package/dist/bundle/server.cjs', 'package/bin/anton-cowork-server.js', 'package/python/anton_scratchpad_runner.py', 'package/connectors/postgres.json']) assert.ok(files.includes(f), f);
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
  assert.ok(existsSync(join(installed, 'package.json')));
  assert.equal(await srv.stop('SIGTERM'), 0);
});
