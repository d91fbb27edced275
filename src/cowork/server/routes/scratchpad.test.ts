import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startAppWithStub, startTestApp } from '../../../testing/test-app.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { cleanEnv, makeTempHome } from '../../../testing/temp-home.js';
import { spawnServer, waitForHealth } from '../../../testing/spawn-server.js';
import { fingerprint, stillRunning } from '../../../testing/processes.js';
import { waitFor } from '../../../testing/wait.js';



function describe(pid: number): string {
  try {
    return `${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')} | ${readFileSync(`/proc/${pid}/stat`, 'utf8').slice(0, 120)}`;
  } catch {
    return 'gone';
  }
}


test('/v1/scratchpad: start, execute, view/cells/notebook, list, live_pads, close, cleanup, 404s', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() };
  };
  assert.deepEqual((await call('POST', '/v1/scratchpad/execute', { name: 'nb', code: '1' })).body, { detail: "Scratchpad 'nb' not found. Call /v1/scratchpad/start first.", code: 'not_found' });
  assert.deepEqual((await call('POST', '/v1/scratchpad/start', { name: 'nb' })).body, { status: 'started', name: 'nb' });
  const exec = await call('POST', '/v1/scratchpad/execute', { name: 'nb', code: 'x = 5\nprint(x * 2)', description: 'double' });
  assert.deepEqual(exec.body.cell, { code: 'x = 5\nprint(x * 2)', stdout: '10\n', stderr: '', error: null, description: 'double', estimated_time: '', logs: '' });
  assert.match((await call('GET', '/v1/scratchpad/view?name=nb')).body.view, /--- Cell 1: double ---/);
  assert.match((await call('GET', '/v1/scratchpad/notebook?name=nb')).body.notebook, /```python\nx = 5/);
  assert.equal((await call('GET', '/v1/scratchpad/cells?name=nb')).body.cells.length, 1);
  assert.deepEqual((await call('GET', '/v1/scratchpad/list')).body, { pads: ['nb'] });
  assert.deepEqual((await call('GET', '/health')).body.live_pads, ['nb']);
  assert.equal((await call('POST', '/v1/scratchpad/execute', { name: 'nb' })).status, 422);
  assert.deepEqual((await call('POST', '/v1/scratchpad/reset', { name: 'nb' })).body, { status: 'reset', name: 'nb' });
  assert.equal((await call('GET', '/v1/scratchpad/cells?name=nb')).body.cells.length, 0);
  assert.deepEqual((await call('POST', '/v1/scratchpad/close', { name: 'nb' })).body, { status: 'closed', name: 'nb' });
  assert.equal((await call('POST', '/v1/scratchpad/close', { name: 'nb' })).status, 404);
  await call('POST', '/v1/scratchpad/start', { name: 'nb2' });
  assert.deepEqual((await call('POST', '/v1/scratchpad/cleanup', { name: 'nb2' })).body, { status: 'cleaned', name: 'nb2' });
  assert.deepEqual((await call('GET', '/v1/scratchpad/list')).body, { pads: [] });
});

test('ANTON_SERVER_MAX_PADS gives a JSON 429, not a 500', async (t) => {
  const ta = await startTestApp({ env: { ANTON_SERVER_MAX_PADS: '1' } });
  t.after(() => ta.close());
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/start', payload: { name: 'a' } })).statusCode, 200);
  const second = await ta.app.inject({ method: 'POST', url: '/v1/scratchpad/start', payload: { name: 'b' } });
  assert.equal(second.statusCode, 429);
  assert.match(second.json().detail, /Too many scratchpads/);
});

test('execute-stream sends data-only progress frames then the cell; kernels never see the server env', async (t) => {
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-must-not-leak', SOME_SERVER_SECRET: 'nope' } });
  t.after(() => ta.close());
  await postJson(`${ta.url}/v1/scratchpad/start`, { name: 's' });
  const res = await postJson(`${ta.url}/v1/scratchpad/execute-stream`, {
    name: 's',
    code: 'import os\nprogress("halfway")\nprint(os.environ.get("ANTON_ANTHROPIC_API_KEY"), os.environ.get("SOME_SERVER_SECRET"))',
  });
  const raw = await res.text();
  const frames = raw.split('\n\n').filter(Boolean);
  assert.ok(frames.every((f) => f.startsWith('data: ')), 'data-only frames');
  const parsed = frames.map((f) => JSON.parse(f.slice(6)));
  assert.deepEqual(parsed[0], { type: 'progress', message: 'halfway' });
  const cell = parsed[parsed.length - 1];
  assert.equal(cell.type, 'cell');
  assert.equal(cell.cell.stdout, 'None None\n');
});

test('agent turn: the scratchpad tool streams §3.2 scratchpad frames and the model sees the labelled output', async (t) => {
  const { ta, stub } = await startAppWithStub(t);
  stub.enqueue(
    { toolCalls: [{ name: 'scratchpad', input: { action: 'exec', name: 'main', code: 'import os\nprint("cwd", os.getcwd())\nprint(6 * 7)', one_line_description: 'Compute', estimated_execution_time_seconds: 5 } }] },
    { text: 'The answer is 42.' },
  );
  const { frames } = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'compute' }));
  const roles = frames.filter((f) => f.type === 'response.in_progress').map((f) => `${f.thought_role}${f.phase ? `:${f.phase}` : ''}`);
  assert.deepEqual(roles.slice(0, 3), ['thought.scratchpad.start', 'thought.scratchpad.end', 'thought.progress:scratchpad_start']);
  assert.ok(roles.includes('thought.progress:scratchpad_done'));
  const result = frames.find((f) => f.thought_role === 'thought.scratchpad.result')!;
  assert.equal(result.tool_name, 'scratchpad');
  assert.equal(result.tool_action, 'exec');
  const cell = JSON.parse(String(result.content));
  assert.equal(cell.stdout, `cwd ${ta.ctx.paths.projectsDir}/general\n42\n`, 'agent pads run in the project folder');
  const start = frames.find((f) => f.phase === 'scratchpad_start')!;
  assert.equal(start.content, 'Running code: Compute');
  assert.equal(start.eta_seconds, 5);
  assert.match(JSON.stringify(stub.requests[1].body.messages), /\[output\]\\ncwd .*42/);
});

test('POST /v1/scratchpad/cancel (the Stop button) interrupts a running agent cell by pad name', async (t) => {
  const { ta, stub } = await startAppWithStub(t);
  stub.enqueue({ toolCalls: [{ name: 'scratchpad', input: { action: 'exec', name: 'longjob', code: 'import time\nfor i in range(600):\n    progress(i)\n    time.sleep(0.1)' } }] }, { text: 'Stopped as asked.' });
  const reading = readSse(await postJson(`${ta.url}/v1/responses`, { input: 'long' }));
  await waitFor(() => ta.ctx.pads.list().some((p) => p.name === 'longjob' && p.busy));
  const res = await postJson(`${ta.url}/v1/scratchpad/cancel`, { name: 'longjob' });
  assert.deepEqual(await res.json(), { status: 'cancelled', name: 'longjob' });
  const { frames } = await reading;
  const cell = JSON.parse(String(frames.find((f) => f.thought_role === 'thought.scratchpad.result')!.content));
  assert.match(cell.error, /Cancelled by user/);
  assert.equal(frames[frames.length - 1].type, 'response.completed');
  assert.equal((await postJson(`${ta.url}/v1/scratchpad/cancel`, { name: 'nothing-here' })).status, 404);
});

test('no Python process survives server shutdown, graceful or kill -9', async (t) => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const { home, cleanup } = makeTempHome();
    t.after(cleanup);
    const srv = await spawnServer([], cleanEnv(home));
    t.after(() => srv.stop('SIGKILL'));
    await waitForHealth(srv.url);
    await postJson(`${srv.url}/v1/scratchpad/start`, { name: 'p' });
    const cell = (await (await postJson(`${srv.url}/v1/scratchpad/execute`, { name: 'p', code: 'import os, subprocess\nc = subprocess.Popen(["sleep", "60"])\nprint(os.getpid(), c.pid)' })).json()) as {
      cell: { stdout: string };
    };
    const procs = cell.cell.stdout.trim().split(' ').map(Number).map(fingerprint);
    assert.ok(procs.every(stillRunning));
    await srv.stop(signal);
    await waitFor(() => procs.every((p) => !stillRunning(p)), 10_000).catch(() => {});
    const left = procs.filter(stillRunning).map((p) => `${p.pid} ${describe(p.pid)}`);
    assert.deepEqual(left, [], `${signal}: kernel and its children are gone (kernel ${procs[0].pid}, child ${procs[1].pid})`);
  }
});
