import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SkillStore } from '../core/memory/skills.js';
import { join } from 'node:path';
import { createContext, closeContext } from '../cowork/server/context.js';
import { REPO_ROOT, spawnServer, waitForHealth } from '../testing/spawn-server.js';
import { spawnAnton } from '../testing/pty.js';
import { StubLlm } from '../testing/stub-llm.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';
import { startTestApp } from '../testing/test-app.js';

// These drive the built bin (dist/bundle): run `npm run build` first.

async function setup(t: { after: (fn: () => unknown) => void }, withKey = true) {
  const stub = await new StubLlm().start();
  const { home, cleanup } = makeTempHome('anton-cli-');
  const folder = join(home, 'sales-data');
  mkdirSync(folder);
  const env = cleanEnv(home, { ANTON_ANTHROPIC_BASE_URL: stub.url, ...(withKey ? { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test' } : {}) });
  t.after(async () => {
    await stub.stop();
    cleanup();
  });
  return { stub, home, folder, env };
}

function runAnton(args: string[], opts: { cwd: string; env: Record<string, string>; input?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'anton.js'), ...args], { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The conversation store of a temp HOME, opened the way the server opens it. */
async function withStore<T>(env: Record<string, string>, fn: (ctx: ReturnType<typeof createContext>) => T): Promise<T> {
  const ctx = createContext(env, { logLevel: 'silent' });
  try {
    return fn(ctx);
  } finally {
    await closeContext(ctx);
  }
}

const SCRATCHPAD_TURN = [
  { toolCalls: [{ name: 'scratchpad', input: { action: 'exec', name: 'main', code: 'print(6 * 7)', one_line_description: 'Multiply six by seven' } }] },
  { text: 'The answer is **42**.' },
];

test('first run without a provider starts the setup wizard, checks the key with a real call, and writes ~/.anton/.env as onboarding does', async (t) => {
  const { stub, home, folder, env } = await setup(t, false);
  stub.enqueue({ text: 'pong' }); // the key check
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('Which LLM provider?');
  s.write('\r'); // Anthropic is the first choice
  await s.waitForText('API key');
  s.write('sk-ant-wizard\r');
  await s.waitForText('The key works');
  // Ctrl-D once the prompt listens, not at the help line printed before it: under a loaded full run, a Ctrl-D sent
  // at the help line once went unseen and the terminal never exited.
  await s.waitForText('Ctrl-D exits');
  await s.waitForText('› ', 10_000, s.text().lastIndexOf('Ctrl-D exits'));
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
  assert.equal(stub.requests.length, 1);
  assert.equal(stub.requests[0].headers['x-api-key'], 'sk-ant-wizard');

  // The same choice made through the server's onboarding route writes the same file.
  const app = await startTestApp({ env: { ANTON_ANTHROPIC_BASE_URL: stub.url } });
  t.after(() => app.close());
  const res = await app.app.inject({ method: 'PUT', url: '/v1/settings', payload: { providers: [{ type: 'anthropic', apiKey: 'sk-ant-wizard', isDefault: true }], modelMode: 'default' } });
  assert.equal(res.statusCode, 200);
  const wizard = readFileSync(join(home, '.anton', '.env'), 'utf8');
  assert.equal(wizard, readFileSync(join(app.home, '.anton', '.env'), 'utf8'));
  assert.match(wizard, /ANTON_ANTHROPIC_API_KEY=sk-ant-wizard/);
});

test('a chat turn in the terminal shows the scratchpad code, its output, elapsed time, the answer and token usage', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue(...SCRATCHPAD_TURN);
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('› ');
  assert.match(s.text(), /project sales-data/);
  s.write('what is 6 times 7?\r');
  await s.waitForText(/\d+ in · \d+ out/);
  await s.waitForText('› ', 10_000, s.text().lastIndexOf(' out '));
  const screen = s.text();
  assert.match(screen, /▸ scratchpad \(main\) Multiply six by seven/);
  assert.match(screen, /│ print\(6 \* 7\)/);
  assert.match(screen, /  42\n\s+✓ done in/);
  assert.match(screen, /✓ done in \d+\.\ds/);
  assert.match(screen, /The answer is 42\./);
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
});

test('Esc cancels a streaming turn; the partial reply is kept in the conversation history', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue({ text: 'Here is the partial analysis so far. ', hang: true });
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('› ');
  s.write('analyse everything\r');
  await s.waitForText('partial analysis');
  s.write('\x1b');
  await s.waitForText('partial reply is kept');
  await s.waitForText('› ', 10_000, s.text().indexOf('partial reply is kept'));
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
  await withStore(env, (ctx) => {
    const [conv] = ctx.conversations.list('all', 1);
    const last = ctx.conversations.displayMessages(conv.id).at(-1)!;
    assert.equal(last.role, 'assistant');
    assert.match(last.content, /Here is the partial analysis so far\./);
    assert.match(last.content, /Stopped/);
    assert.equal(ctx.conversations.latestTurn(conv.id)?.status, 'cancelled');
  });
});

test('/resume picks an earlier conversation and the next turn continues its history', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue({ text: 'Revenue was 10k in March.' });
  const first = await runAnton(['-p', 'what was revenue in March?'], { cwd: folder, env });
  assert.equal(first.code, 0, first.stderr);
  stub.enqueue({ text: 'April was 12k.' });
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('› ');
  s.write('/resume\r');
  await s.waitForText('Resume which conversation?');
  s.write('\r');
  await s.waitForText('Revenue was 10k in March.');
  s.write('and April?\r');
  await s.waitForText('April was 12k.');
  await s.waitForText(/\d+ in · \d+ out/, 10_000, s.text().indexOf('and April?'));
  await s.waitForText('› ', 10_000, s.text().lastIndexOf(' out '));
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
  const sent = JSON.stringify(stub.requests.at(-1)!.body.messages);
  assert.match(sent, /what was revenue in March\?/);
  assert.match(sent, /Revenue was 10k in March\./);
  await withStore(env, (ctx) => assert.deepEqual(ctx.conversations.list('all', 10).map((c) => c.turns), [2]));
});

test('anton -p prints only the answer when piped; --json prints every frame as one JSON line; piped stdin is a prompt', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue(...SCRATCHPAD_TURN);
  const plain = await runAnton(['-p', 'what is 6 times 7?'], { cwd: folder, env });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'The answer is **42**.\n');

  stub.enqueue(...SCRATCHPAD_TURN);
  const json = await runAnton(['-p', 'again', '--json'], { cwd: folder, env });
  assert.equal(json.code, 0, json.stderr);
  const frames = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; thought_role?: string; conversation_id: string });
  assert.equal(frames[0].type, 'response.created');
  assert.equal(frames.at(-1)!.type, 'response.completed');
  assert.ok(frames.some((f) => f.thought_role === 'thought.scratchpad.result'));
  assert.ok(frames.every((f) => f.conversation_id === frames[0].conversation_id));

  stub.enqueue({ text: 'From stdin.' });
  const piped = await runAnton([], { cwd: folder, env, input: 'hello from a pipe\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, 'From stdin.\n');
  assert.match(JSON.stringify(stub.requests.at(-1)!.body.messages), /hello from a pipe/);
});

test('a conversation made in the terminal is read through a running server’s /messages, and a server conversation continues in the terminal', async (t) => {
  const { stub, folder, env } = await setup(t);
  const server = await spawnServer([], env);
  t.after(() => server.stop());
  await waitForHealth(server.url);

  // Terminal → server, while the server is running on the same state dir.
  stub.enqueue({ text: 'Terminal answer.' });
  const r = await runAnton(['-p', 'asked in the terminal', '--json'], { cwd: folder, env });
  assert.equal(r.code, 0, r.stderr);
  const id = (JSON.parse(r.stdout.split('\n')[0]) as { conversation_id: string }).conversation_id;
  const msgs = (await (await fetch(`${server.url}/v1/conversations/${id}/messages`).catch((e) => { throw new Error(`${e}: ${server.output()}`); })).json()) as { messages: { role: string; content: string }[] };
  assert.deepEqual(
    msgs.messages.map((m) => [m.role, m.content]),
    [
      ['user', 'asked in the terminal'],
      ['assistant', 'Terminal answer.'],
    ],
  );

  // Server → terminal.
  stub.enqueue({ text: 'Server answer.' });
  const posted = await fetch(`${server.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: 'asked in the app', stream: false }),
  });
  assert.equal(posted.status, 200);
  const appId = ((await posted.json()) as { conversation_id: string }).conversation_id;
  const shown = await runAnton(['session', appId], { cwd: folder, env });
  assert.match(shown.stdout, /asked in the app/);
  assert.match(shown.stdout, /Server answer\./);
  stub.enqueue({ text: 'Continued in the terminal.' });
  const cont = await runAnton(['--resume', appId, '-p', 'follow-up from the terminal'], { cwd: folder, env });
  assert.equal(cont.code, 0, cont.stderr);
  assert.match(JSON.stringify(stub.requests.at(-1)!.body.messages), /asked in the app/);
  const after = (await (await fetch(`${server.url}/v1/conversations/${appId}/messages`)).json()) as { messages: { content: string }[] };
  assert.equal(after.messages.at(-1)!.content, 'Continued in the terminal.');
});

test('with NO_COLOR the terminal prints no colour codes, and Ctrl-C stops a running turn without leaving anton', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue({ text: '# Heading\n\nSome **bold** text.\n\n' }, { text: 'Still thinking about it', hang: true }, { text: 'Back again.' });
  const s = spawnAnton([], { cwd: folder, env: { ...env, NO_COLOR: '1' } });
  t.after(() => s.kill());
  await s.waitForText('› ');
  s.write('format something\r');
  await s.waitForText('Some bold text.');
  s.write('and now think\r');
  await s.waitForText('Still thinking');
  s.write('\x03');
  await s.waitForText('partial reply is kept');
  s.write('still there?\r');
  await s.waitForText('Back again.');
  // eslint-disable-next-line no-control-regex
  assert.deepEqual(s.raw().match(/\x1b\[[0-9;]*m/g) ?? [], []);
  s.write('/exit\r');
  assert.equal(await s.exitCode(), 0);
});

test('a step that writes an artifact file says which file it wrote', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue(
    { toolCalls: [{ name: 'create_artifact', input: { name: 'Sales report', description: 'Q3 totals', type: 'document' } }] },
    { toolCalls: [{ name: 'scratchpad', input: { action: 'exec', name: 'main', code: "open('.anton/artifacts/sales-report/report.md', 'w').write('# Q3')", one_line_description: 'Write the report' } }] },
    { text: 'The report is ready.' },
  );
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('› ');
  s.write('write the report\r');
  await s.waitForText(/\d+ in · \d+ out/);
  assert.match(s.text(), /▸ create_artifact name="Sales report"/);
  assert.match(s.text(), /✎ wrote \.anton\/artifacts\/sales-report\/report\.md/);
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
});

test('slash commands: /llm switches the model for the next turn, /memory and /skills read the shared files, /explain lists the last turn’s steps', async (t) => {
  const { stub, home, folder, env } = await setup(t);
  mkdirSync(join(home, '.anton', 'memory'), { recursive: true });
  writeFileSync(join(home, '.anton', 'memory', 'rules.md'), '- Always answer in euros.\n');
  const seed = createContext(env, { logLevel: 'silent' });
  new SkillStore(seed.paths.skillsDir).upsert('monthly_close', { name: 'Monthly close', description: '', whenToUse: 'closing the books', declarative: 'Step 1.' });
  await closeContext(seed);
  stub.enqueue(...SCRATCHPAD_TURN);
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  const run = async (line: string, expect: string | RegExp) => {
    const from = s.text().length;
    s.write(`${line}\r`);
    await s.waitForText(expect, 20_000, from);
  };
  await s.waitForText('› ');
  await run('/help', '/resume');
  await run('/memory', 'rules.md');
  await run('/memory rules', 'Always answer in euros.');
  await run('/skills', /monthly_close\s+Monthly close — closing the books/);
  await run('/llm claude-opus-4-1', 'Using claude-opus-4-1 for this session');
  await run('what is 6 times 7?', /\d+ in · \d+ out/);
  assert.equal(stub.requests.at(-1)!.body.model, 'claude-opus-4-1');
  await run('/explain', /1\. scratchpad exec Multiply six by seven[\s\S]*print\(6 \* 7\)[\s\S]*completed, 1 step/);
  await run('/bogus', 'Unknown command /bogus');
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
});

test('Esc during a long scratchpad cell stops the cell and the turn; the history stays valid for the next turn', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue(
    { toolCalls: [{ name: 'scratchpad', input: { action: 'exec', name: 'main', code: 'import time\nprint("started", flush=True)\ntime.sleep(60)', one_line_description: 'Wait a long time', estimated_execution_time_seconds: 90 } }] },
    { text: 'Next answer.' },
  );
  const s = spawnAnton([], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('› ');
  s.write('wait for a minute\r');
  await s.waitForText('Running code');
  await s.waitForText('started'); // the cell is really running
  s.write('\x1b');
  await s.waitForText('partial reply is kept', 15_000);
  const from = s.text().length;
  s.write('and now?\r');
  await s.waitForText('Next answer.', 20_000, from);
  await s.waitForText(/\d+ in · \d+ out[^\n]*\n› /, 10_000, from);
  // The model saw a paired tool_use / tool_result, then the new question.
  const sent = stub.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
  const blocks = sent.flatMap((m) => (Array.isArray(m.content) ? (m.content as { type: string; tool_use_id?: string; id?: string }[]) : []));
  const uses = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id);
  const results = blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id);
  assert.equal(uses.length, 1);
  assert.deepEqual(results, uses);
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
});

test('anton setup with flags checks the key against the endpoint and saves an OpenAI-compatible provider; a refused key saves nothing', async (t) => {
  const { stub, home, folder, env } = await setup(t, false);
  stub.enqueue({ error: { status: 401, message: 'bad key' } });
  const refused = await runAnton(['setup', '--provider', 'openai-compatible', '--api-key', 'sk-wrong', '--base-url', `${stub.url}/v1`, '--model', 'llama3'], { cwd: folder, env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused \(HTTP 401\)\. Nothing was saved/);
  assert.ok(!existsSync(join(home, '.anton', '.env')) || !/sk-wrong/.test(readFileSync(join(home, '.anton', '.env'), 'utf8')));

  stub.enqueue({ text: 'pong' });
  const ok = await runAnton(['setup', '--provider', 'openai-compatible', '--api-key', 'sk-local', '--base-url', `${stub.url}/v1`, '--model', 'llama3'], { cwd: folder, env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(stub.requests.at(-1)!.path, '/v1/chat/completions');
  assert.equal(stub.requests.at(-1)!.headers.authorization, 'Bearer sk-local');
  // The chat now runs on it.
  stub.enqueue({ text: 'Local model here.' });
  const chat = await runAnton(['-p', 'hi'], { cwd: folder, env });
  assert.equal(chat.code, 0, chat.stderr);
  assert.equal(chat.stdout, 'Local model here.\n');
  assert.equal(stub.requests.at(-1)!.body.model, 'llama3');
});

test('anton --resume without an id continues the latest conversation of the folder’s project and shows where it left off', async (t) => {
  const { stub, folder, env } = await setup(t);
  stub.enqueue({ text: 'First answer.' }, { text: 'Second answer.' });
  assert.equal((await runAnton(['-p', 'first question'], { cwd: folder, env })).code, 0);
  const s = spawnAnton(['--resume'], { cwd: folder, env });
  t.after(() => s.kill());
  await s.waitForText('› ');
  assert.match(s.text(), /Resuming \d{8}_\d{6}_[0-9a-f]{6}[\s\S]*you › first question[\s\S]*anton › First answer\./);
  s.write('second question\r');
  await s.waitForText(/\d+ in · \d+ out[^\n]*\n› /);
  s.write('\x04');
  assert.equal(await s.exitCode(), 0);
  assert.match(JSON.stringify(stub.requests.at(-1)!.body.messages), /first question[\s\S]*First answer[\s\S]*second question/);
});
