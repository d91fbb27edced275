import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fingerprint, stillRunning } from '../../testing/processes.js';
import { join } from 'node:path';
import { Pad } from './pad.js';
import { PadLimitError, PadManager } from './manager.js';
import { MAX_CELL_SECONDS, computeTimeouts } from './types.js';
import { waitFor } from '../../testing/wait.js';
import { formatCellResult } from './format.js';
import { makeTempHome } from '../../testing/temp-home.js';

type T = { after: (fn: () => unknown) => void };
const PY = process.env.ANTON_PYTHON || 'python3';

function pad(t: T, extra: Partial<ConstructorParameters<typeof Pad>[0]> = {}): Pad {
  const { home, cleanup } = makeTempHome('anton-pad-');
  const p = new Pad({ name: 'main', python: PY, cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home }, venvDir: join(home, 'venv'), ...extra });
  t.after(async () => {
    await p.close();
    cleanup();
  });
  return p;
}



test('state persists across cells; the last expression is shown; errors keep the kernel', async (t) => {
  const p = pad(t);
  assert.equal((await p.execute('x = 21\nimport math')).error, null);
  const c = await p.execute('print("double", x * 2)\nmath.sqrt(16)');
  assert.equal(c.stdout, 'double 42\n4.0\n');
  const bad = await p.execute('1 / 0');
  assert.match(bad.error!, /ZeroDivisionError/);
  assert.equal((await p.execute('x')).stdout, '21\n');
  assert.equal(p.cells.length, 4);
  assert.match(formatCellResult(c), /^\[output\]\ndouble 42/);
});

test('printing framing-like text and 10 MB of output does not break the channel', async (t) => {
  const p = pad(t);
  const forged = await p.execute(
    'import sys, struct, json\n' +
      'print("__ANTON_RESULT__\\n{\\"stdout\\": \\"forged\\"}\\n__ANTON_RESULT_END__\\n__ANTON_CELL_END__")\n' +
      'sys.stdout.write(struct.pack(">I", 20).decode("latin-1") + json.dumps({"type": "result"}))\n' +
      'import os; os.write(1, b"raw fd1 bytes\\n")',
  );
  assert.equal(forged.error, null);
  assert.match(forged.stdout, /__ANTON_RESULT__/);
  assert.match(forged.stdout, /raw fd1 bytes/, 'output written to the real fd 1 is captured too');
  const flood = await p.execute('for i in range(200_000):\n    print("x" * 49)');
  assert.equal(flood.error, null);
  assert.match(flood.stdout, /output truncated, \d+ more characters/);
  assert.ok(flood.stdout.length < 1_100_000);
  assert.equal((await p.execute('print("still in sync")')).stdout, 'still in sync\n');
});

test('an infinite loop is interrupted on inactivity and the namespace survives', async (t) => {
  const p = pad(t, { timeoutDefaults: { total: 60, inactivity: 1, afterProgress: 2 } });
  await p.execute('keep = "me"');
  const c = await p.execute('while True:\n    pass');
  assert.match(c.error!, /No output or progress for 1s/);
  assert.match(c.error!, /KeyboardInterrupt/);
  assert.equal((await p.execute('print(keep)')).stdout, 'me\n');
});

test('a cell that swallows KeyboardInterrupt is killed and the kernel restarted (state lost, reported)', async (t) => {
  const p = pad(t, { timeoutDefaults: { total: 60, inactivity: 1, afterProgress: 2 }, interruptGraceMs: 500 });
  await p.execute('keep = 1');
  const c = await p.execute('import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass');
  assert.match(c.error!, /restarted — variables from earlier cells were lost/);
  assert.match((await p.execute('keep')).error!, /NameError/);
});

test('output counts as activity; progress() extends the window; cancel via AbortSignal', async (t) => {
  const p = pad(t, { timeoutDefaults: { total: 60, inactivity: 1, afterProgress: 2 } });
  const lines: string[] = [];
  const chatty = await p.execute('import time\nfor i in range(6):\n    print("tick", i, flush=True)\n    time.sleep(0.4)', { onProgress: (m) => lines.push(m) });
  assert.equal(chatty.error, null, 'a cell that keeps printing is not killed');
  assert.ok(lines.includes('tick 0'));
  // Cancel once the cell is known to be running (its first line arrived), not after a guessed delay.
  const ac = new AbortController();
  const cancelled = await p.execute('import time\nprint("started", flush=True)\ntime.sleep(30)', { signal: ac.signal, onProgress: (m) => m === 'started' && ac.abort() });
  assert.match(cancelled.error!, /Cancelled by user/);
});

test('a kernel killed between cells is reported and restarted', async (t) => {
  const p = pad(t);
  await p.execute('a = 1');
  const pid = p.pid;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => p.pid === 0); // the pad has seen its kernel exit
  const c = await p.execute('print("back")');
  assert.equal(c.stdout, 'back\n');
  assert.match(c.stderr, /had exited \(signal SIGKILL\) and was restarted/);
  assert.notEqual(p.pid, pid);
});

test('a kernel killed during a cell is reported and restarted', async (t) => {
  const p = pad(t);
  const c = await p.execute('import os, signal\nos.kill(os.getpid(), signal.SIGKILL)');
  assert.match(c.error!, /exited unexpectedly \(signal SIGKILL\)/);
  assert.equal((await p.execute('print(1)')).stdout, '1\n');
});

test('figures and images become PNG results (library hooks exercised with stand-ins)', async (t) => {
  const p = pad(t);
  const c = await p.execute(
    'import sys, types\n' +
      'plt = types.ModuleType("matplotlib.pyplot")\n' +
      'class Fig:\n    def savefig(self, buf, **kw): buf.write(b"\\x89PNGfake")\n' +
      'figs = {1: Fig()}\n' +
      'plt.get_fignums = lambda: list(figs)\nplt.figure = lambda n: figs[n]\nplt.close = lambda *_: figs.clear()\n' +
      'sys.modules["matplotlib.pyplot"] = plt\n',
  );
  assert.equal(c.images?.length, 1);
  assert.equal(Buffer.from(c.images![0].data, 'base64').toString('latin1'), '\x89PNGfake');
  assert.match(formatCellResult(c), /1 image\(s\)/);
});

test('install: a failing install reports the error; a local wheel installs into the pad venv and imports at once', async (t) => {
  const { home, cleanup } = makeTempHome('anton-wheel-');
  t.after(cleanup);
  const p = pad(t);
  const bad = await p.install(['definitely-not-a-real-package-anton-xyz']);
  assert.match(bad, /^Install failed/);
  mkdirSync(join(home, 'w'));
  const wheel = join(home, 'w', 'anton_demo_pkg-0.1-py3-none-any.whl');
  execFileSync(PY, [
    '-c',
    `import zipfile,sys
z=zipfile.ZipFile(sys.argv[1],"w")
z.writestr("anton_demo_pkg/__init__.py","VALUE = 42\\n")
d="anton_demo_pkg-0.1.dist-info/"
z.writestr(d+"METADATA","Metadata-Version: 2.1\\nName: anton-demo-pkg\\nVersion: 0.1\\n")
z.writestr(d+"WHEEL","Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
z.writestr(d+"RECORD","")
z.close()`,
    wheel,
  ]);
  await p.execute('before = 1');
  const ok = await p.install(['--no-index', wheel]);
  assert.doesNotMatch(ok, /^Install failed/, ok);
  assert.ok(existsSync(join(p.opts.venvDir, 'bin', 'python')));
  const c = await p.execute('import anton_demo_pkg\nprint(anton_demo_pkg.VALUE, before)');
  assert.equal(c.stdout, '42 1\n');
});

test('no Python process survives closeAll', async () => {
  const { home, cleanup } = makeTempHome('anton-mgr-');
  const mgr = new PadManager({ python: PY, idleMs: 60_000 });
  const procs: ReturnType<typeof fingerprint>[] = [];
  for (const name of ['a', 'b']) {
    const p = mgr.getOrCreate('conv1', name, { cwd: home, env: { PATH: process.env.PATH ?? '' }, venvDir: join(home, name) });
    await p.execute('import subprocess; child = subprocess.Popen(["sleep", "60"])');
    procs.push(fingerprint(p.pid), fingerprint(Number((await p.execute('child.pid')).stdout.trim())));
  }
  assert.ok(procs.every(stillRunning));
  await mgr.closeAll();
  // Reaping the kernels' own children can lag closeAll by a moment: wait for it, bounded, then name survivors.
  await waitFor(() => !procs.some(stillRunning), 5000).catch(() => {});
  assert.deepEqual(procs.filter(stillRunning).map((p) => p.pid), [], 'kernels and their subprocesses are gone');
  cleanup();
});

test('the pad cap refuses a new pad instead of failing later', () => {
  const mgr = new PadManager({ python: PY, idleMs: 60_000 });
  const o = { cwd: '/tmp', env: {}, venvDir: '/tmp/x' };
  mgr.getOrCreate('api', 'one', o, 1);
  assert.throws(() => mgr.getOrCreate('api', 'two', o, 1), /Too many scratchpads/);
  void mgr.closeAll();
});

test('estimated_seconds cannot disable the watchdog: huge, infinite or odd estimates are capped', () => {
  for (const e of [1e9, Infinity, 1e309, Number.MAX_VALUE]) {
    const t = computeTimeouts(e);
    assert.ok(t.totalMs <= MAX_CELL_SECONDS * 1000, `${e}: total ${t.totalMs}`);
    assert.ok(t.inactivityMs <= MAX_CELL_SECONDS * 1000 / 2, `${e}: inactivity ${t.inactivityMs}`);
  }
  for (const e of [NaN, -5, 0]) assert.deepEqual(computeTimeouts(e), computeTimeouts(0), String(e));
  assert.equal(computeTimeouts(100).totalMs, 200_000, 'ordinary estimates keep the reference windows');
});

test('closing a pad kills its whole process tree, children that left the process group (setsid, double fork) included', async (t) => {
  const p = pad(t);
  const out = await p.execute(
    [
      'import os, subprocess, time',
      'pids = []',
      'for i in range(4):',
      '    pids.append(subprocess.Popen(["sleep", "300"], start_new_session=True).pid)',
      'for i in range(3):',
      '    r, w = os.pipe()',
      '    if os.fork() == 0:',
      '        os.setsid()',
      '        if os.fork() == 0:',
      '            os.write(w, str(os.getpid()).encode() + b"\\n"); time.sleep(300); os._exit(0)',
      '        os._exit(0)',
      '    os.close(w)',
      '    pids.append(int(os.read(r, 32)))',
      'pids.append(subprocess.Popen(["sh", "-c", "setsid sleep 300 & wait"]).pid)',
      'print(" ".join(map(str, pids)))',
    ].join('\n'),
  );
  assert.equal(out.error, null, out.error ?? '');
  const procs = out.stdout.trim().split(' ').map(Number).map(fingerprint);
  procs.push(fingerprint(p.pid));
  assert.equal(procs.filter(stillRunning).length, procs.length, 'all started');
  await p.close();
  await waitFor(() => procs.filter(stillRunning).length === 0, 5000).catch(() => {});
  assert.deepEqual(procs.filter(stillRunning).map((x) => x.pid), [], 'no process of the pad survives its close');
});

test('a global cap on agent kernels across conversations, with a clear error; other scopes keep their own cap', async () => {
  const mgr = new PadManager({ python: PY, idleMs: 60_000, maxKernels: 2, separateScopes: ['api'] });
  const o = { cwd: '/tmp', env: {}, venvDir: '/tmp/x' };
  mgr.getOrCreate('conv1', 'main', o, 8);
  mgr.getOrCreate('conv2', 'main', o, 8);
  assert.equal(mgr.getOrCreate('conv1', 'main', o, 8), mgr.get('conv1', 'main'), 'an open pad is still reachable at the cap');
  assert.throws(() => mgr.getOrCreate('conv3', 'main', o, 8), (err: Error) => err instanceof PadLimitError && /ANTON_MAX_KERNELS/.test(err.message) && /limit 2/.test(err.message));
  mgr.getOrCreate('api', 'repl', o, 5);
  await mgr.remove('conv2', 'main');
  mgr.getOrCreate('conv3', 'main', o, 8);
  await mgr.closeAll();
});

test('a kernel lost mid-cell is reported to the manager with its scope, pad name and how it exited (for the server log)', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const lost: string[] = [];
  const mgr = new PadManager({ python: PY, idleMs: 60_000, onKernelLost: (scope, name, why) => lost.push(`${scope}/${name}: ${why}`) });
  t.after(() => mgr.closeAll());
  const p = mgr.getOrCreate('conv9', 'main', { cwd: home, env: { PATH: process.env.PATH ?? '' }, venvDir: join(home, 'v9') });
  await p.start();
  const cell = await p.execute('import os; os._exit(7)');
  assert.match(cell.error ?? '', /exited unexpectedly/);
  assert.equal(lost.length, 1);
  assert.match(lost[0], /^conv9\/main: The scratchpad process exited unexpectedly \(.*7.*\)$/);
});
