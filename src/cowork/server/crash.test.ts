import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanEnv, makeTempHome } from '../../testing/temp-home.js';
import { spawnServer, waitForHealth, type SpawnedServer } from '../../testing/spawn-server.js';
import { StubLlm } from '../../testing/stub-llm.js';
import { postJson, readSse } from '../../testing/sse-client.js';
import { waitFor } from '../../testing/wait.js';

const INTERRUPTED = '_[Interrupted: the server stopped before this turn finished.]_';

/** Text of the output_text deltas the server has stored for a conversation's latest turn (read beside the live server). */
function storedDeltas(dbFile: string, conversationId: string): string {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[string], { payload: string }>(
        "SELECT e.payload FROM turn_events e JOIN turns t ON t.id = e.turn_id WHERE t.conversation_id = ? AND e.payload LIKE '%output_text.delta%' ORDER BY t.id, e.seq",
      )
      .all(conversationId);
    return rows.map((r) => String((JSON.parse(r.payload) as { delta: string }).delta)).join('');
  } finally {
    db.close();
  }
}

async function killHard(srv: SpawnedServer): Promise<void> {
  await srv.stop('SIGKILL');
}

test('kill -9 mid-stream: the interrupted turn keeps its streamed text in the history, and the model sees it next turn', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const env = cleanEnv(home, { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_DISABLE_AUTOUPDATES: 'true' });
  const dbFile = join(home, '.anton', 'cowork', 'cowork.db');
  const story = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
  stub.enqueue({ text: story, chunkDelayMs: 5, hang: true });

  const srv = await spawnServer([], env);
  t.after(() => srv.stop('SIGKILL'));
  await waitForHealth(srv.url);
  const sse = await readSse(await postJson(`${srv.url}/v1/responses`, { input: 'Tell me a long story' }), {
    stopAfter: (f) => f.type === 'response.output_text.delta' && String(f.delta).startsWith('word20 '),
  });
  const cid = String(sse.frames[0].conversation_id);
  // Wait until the server has stored some of the text (frames may be persisted up to a tick late), then crash it.
  await waitFor(() => storedDeltas(dbFile, cid).length > 50);
  await killHard(srv);
  const persisted = storedDeltas(dbFile, cid);
  assert.ok(story.startsWith(persisted), 'stored deltas are a prefix of the story');

  const again = await spawnServer([], env);
  t.after(() => again.stop('SIGKILL'));
  await waitForHealth(again.url);
  const msgs = (await (await fetch(`${again.url}/v1/conversations/${cid}/messages`)).json()) as { messages: { role: string; content: string }[] };
  const last = msgs.messages.at(-1)!;
  assert.equal(last.role, 'assistant');
  assert.ok(last.content.startsWith(persisted.trim()), `the partial text is kept: ${last.content.slice(0, 80)}…`);
  assert.ok(last.content.endsWith(INTERRUPTED));

  stub.enqueue({ text: 'Continuing.' });
  await readSse(await postJson(`${again.url}/v1/responses`, { input: 'Go on', conversation: cid }));
  const sent = JSON.stringify(stub.requests.at(-1)!.body.messages);
  assert.ok(sent.includes(persisted.trim().slice(-40)), 'the model sees the partial text on the next turn');
  assert.equal(await again.stop('SIGTERM'), 0);
});
