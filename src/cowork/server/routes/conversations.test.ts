import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startTestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { cleanEnv, makeTempHome } from '../../../testing/temp-home.js';
import { spawnServer, waitForHealth } from '../../../testing/spawn-server.js';
import { INTERRUPTED_NOTE } from '../context.js';

type T = { after: (fn: () => unknown) => void };

async function setup(t: T) {
  const stub = await new StubLlm().start();
  const ta = await startTestApp({ env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url }, listen: true });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  const turn = async (input: string, extra: Record<string, unknown> = {}) => {
    stub.enqueue({ text: `answer to ${input}` });
    const { frames } = await readSse(await postJson(`${ta.url}/v1/responses`, { input, ...extra }));
    return frames[0].conversation_id as string;
  };
  const inject = async (method: string, url: string, payload?: unknown) => {
    const res = await ta.app.inject({ method: method as 'GET', url, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: res.json() };
  };
  return { ta, stub, turn, inject };
}

test('list by project or all, get, 404s, and project moves and renames follow', async (t) => {
  const { turn, inject } = await setup(t);
  await inject('POST', '/v1/projects', { name: 'research' });
  const a = await turn('in general');
  const b = await turn('in research', { project: 'research' });
  assert.deepEqual((await inject('GET', '/v1/conversations')).body.conversations.map((c: { id: string }) => c.id), [a]);
  assert.deepEqual((await inject('GET', '/v1/conversations?project=research')).body.conversations.map((c: { id: string }) => c.id), [b]);
  assert.equal((await inject('GET', '/v1/conversations?project=all')).body.conversations.length, 2);
  assert.deepEqual((await inject('GET', '/v1/conversations?project=nope')).body, { project: 'nope', conversations: [] });
  assert.equal((await inject('GET', '/v1/projects/research/conversations')).body.conversations[0].id, b);
  assert.deepEqual((await inject('GET', '/v1/conversations/missing')).body, { detail: 'Conversation not found', code: 'not_found' });
  assert.equal((await inject('GET', '/v1/conversations/missing/messages')).status, 404);

  let moved = await inject('PATCH', `/v1/conversations/${a}`, { project: 'research', title: '  New   title ' });
  assert.equal(moved.body.project, 'research');
  assert.equal(moved.body.title, 'New title');
  moved = await inject('PATCH', `/v1/conversations/${a}`, { project: 'nowhere' });
  assert.deepEqual(moved.body, { detail: 'Project not found: nowhere', code: 'not_found' });
  assert.deepEqual((await inject('PATCH', `/v1/conversations/${a}`, {})).body, { detail: 'No valid fields to update', code: 'bad_input' });
  const muted = await inject('PATCH', `/v1/conversations/${a}`, { disabled_connections: [{ engine: 'postgres', name: 'prod' }, { engine: 'POSTGRES', name: 'Prod' }] });
  assert.deepEqual(muted.body.disabled_connections, [{ engine: 'postgres', name: 'prod' }]);

  await inject('PATCH', '/v1/projects/research', { name: 'lab' });
  assert.equal((await inject('GET', `/v1/conversations/${b}`)).body.project, 'lab');
  await inject('DELETE', '/v1/projects/lab');
  assert.equal((await inject('GET', `/v1/conversations/${b}`)).status, 404, 'deleting a project deletes its conversations');
});

test('the conversation list goes out as UTF-8 JSON, with its content type and byte length, when titles are not ASCII', async (t) => {
  const { ta, turn, inject } = await setup(t);
  const id = await turn('hello');
  const title = 'Café “quotes” 📈';
  await inject('PATCH', `/v1/conversations/${id}`, { title });
  const res = await ta.app.inject({ method: 'GET', url: '/v1/conversations' });
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(Number(res.headers['content-length']), res.rawPayload.length);
  assert.equal(res.json().conversations[0].title, title);
});

test('conversation lists page with an optional cursor; without one the answer is unchanged', async (t) => {
  const { ta, inject } = await setup(t);
  for (let i = 0; i < 5; i++) ta.ctx.conversations.ensure(`c${i}`, 'general');
  const whole = (await inject('GET', '/v1/conversations')).body;
  assert.deepEqual(Object.keys(whole).sort(), ['conversations', 'project'], 'no next_cursor when everything fits');
  const ids: string[] = [];
  let url = '/v1/conversations?limit=2';
  for (;;) {
    const page = (await inject('GET', url)).body;
    ids.push(...page.conversations.map((c: { id: string }) => c.id));
    if (!page.next_cursor) break;
    url = `/v1/conversations?limit=2&cursor=${page.next_cursor}`;
  }
  assert.deepEqual(ids, whole.conversations.map((c: { id: string }) => c.id));
  const proj = (await inject('GET', '/v1/projects/general/conversations?limit=4')).body;
  assert.equal(proj.conversations.length, 4);
  assert.equal((await inject('GET', `/v1/projects/general/conversations?cursor=${proj.next_cursor}`)).body.conversations.length, 1);
  assert.deepEqual((await inject('GET', '/v1/conversations?cursor=bogus')).body, { detail: 'Invalid cursor: pass the next_cursor of a previous page, or none for the first page.', code: 'bad_input' });
});

test('the conversation list follows every change to the table, whoever writes it (the store, raw SQL, another connection)', async (t) => {
  const { ta, inject } = await setup(t);
  ta.ctx.conversations.ensure('c1', 'general');
  const titles = async () => (await inject('GET', '/v1/conversations?project=all')).body.conversations.map((c: { title: string }) => c.title);
  assert.deepEqual(await titles(), ['']);
  assert.deepEqual(await titles(), [''], 'asked again, unchanged');
  ta.ctx.conversations.setTitle('c1', 'by the store');
  assert.deepEqual(await titles(), ['by the store']);
  ta.ctx.db.prepare("UPDATE conversations SET title = 'by raw SQL' WHERE id = 'c1'").run();
  assert.deepEqual(await titles(), ['by raw SQL']);
  const other = new Database(ta.ctx.paths.databaseFile); // a terminal on the same file
  t.after(() => other.close());
  other.prepare("UPDATE conversations SET title = 'by another process' WHERE id = 'c1'").run();
  assert.deepEqual(await titles(), ['by another process']);
  other.prepare("DELETE FROM conversations WHERE id = 'c1'").run();
  assert.deepEqual(await titles(), []);
});

test('delete a turn removes one user→answer exchange; delete a conversation', async (t) => {
  const { turn, inject } = await setup(t);
  const cid = await turn('first');
  await turn('second', { conversation: cid });
  await turn('third', { conversation: cid });
  assert.deepEqual((await inject('DELETE', `/v1/conversations/${cid}/turns/-1`)).body, { detail: 'turn_index must be non-negative', code: 'bad_input' });
  assert.equal((await inject('DELETE', `/v1/conversations/${cid}/turns/x`)).status, 422);
  assert.deepEqual((await inject('DELETE', `/v1/conversations/${cid}/turns/9`)).body, { detail: 'Turn not found', code: 'not_found' });
  const del = await inject('DELETE', `/v1/conversations/${cid}/turns/1`);
  assert.deepEqual(del.body, { conversation_id: cid, turn_index: 1, removed_count: 2, remaining_messages: 4 });
  const msgs = (await inject('GET', `/v1/conversations/${cid}/messages`)).body.messages;
  assert.deepEqual(msgs.map((m: { content: string }) => m.content), ['first', 'answer to first', 'third', 'answer to third']);
  assert.ok(msgs[3].events.length > 2, 'remaining bubbles keep their own events');
  assert.equal((await inject('GET', `/v1/conversations/${cid}`)).body.turns, 2);
  assert.deepEqual((await inject('DELETE', `/v1/conversations/${cid}`)).body, { status: 'deleted', id: cid });
  assert.equal((await inject('DELETE', `/v1/conversations/${cid}`)).status, 404);
});

test('kill -9 mid-turn, restart: the turn is marked interrupted and /messages replays it with its events', async (t) => {
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = cleanEnv(home, { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url });
  const first = await spawnServer([], env);
  t.after(() => first.stop('SIGKILL'));
  await waitForHealth(first.url);
  stub.enqueue({ text: 'Step one done.', toolCalls: [{ name: 'list_conversation_datasources', input: {} }] }, { text: 'Now streaming the second round', hang: true });
  const ac = new AbortController();
  const reading = readSse(await postJson(`${first.url}/v1/responses`, { input: 'do the work' }, ac.signal), {
    stopAfter: (f) => f.type === 'response.output_text.delta' && String(f.delta).includes('round'),
  });
  const { frames } = await reading;
  const cid = frames[0].conversation_id as string;
  assert.equal(await first.stop('SIGKILL'), null);

  const second = await spawnServer([], env);
  t.after(() => second.stop('SIGKILL'));
  await waitForHealth(second.url);
  const msgs = (await (await fetch(`${second.url}/v1/conversations/${cid}/messages`)).json()) as { messages: { role: string; content: string; events?: { type: string }[] }[] };
  assert.equal(msgs.messages[0].content, 'do the work');
  // The completed round survived, the streamed part of the second is kept (as far as it was stored), the turn is marked.
  const parts = msgs.messages[1].content.split('\n\n');
  assert.equal(parts[0], 'Step one done.');
  assert.equal(parts.at(-1), INTERRUPTED_NOTE);
  if (parts.length === 3) assert.ok('Now streaming the second round'.startsWith(parts[1]), parts[1]);
  else assert.equal(parts.length, 2, msgs.messages[1].content);
  assert.ok((msgs.messages[1].events ?? []).some((e) => e.type === 'response.output_text.delta'), 'recorded events replay');
  const flight = (await (await fetch(`${second.url}/v1/responses/in-flight?conversation_id=${cid}`)).json()) as { in_flight: boolean; has_buffer: boolean };
  assert.deepEqual([flight.in_flight, flight.has_buffer], [false, true]);
  // the history is valid for the provider: a follow-up turn works and pairs every tool_use
  stub.enqueue({ text: 'Resumed.' });
  const follow = await readSse(await postJson(`${second.url}/v1/responses`, { input: 'continue', conversation: cid }));
  assert.equal(follow.frames[follow.frames.length - 1].type, 'response.completed');
  const sent = stub.requests[stub.requests.length - 1].body.messages as { role: string; content: unknown }[];
  assert.deepEqual(sent.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
  assert.equal(await second.stop('SIGTERM'), 0);
});
