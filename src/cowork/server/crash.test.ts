import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, type Dirent } from 'node:fs';
import { createConnection } from 'node:net';
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

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with the same kill moments. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Files a crash may leave: upload temp files, and attachment folders with nothing in them. */
function leftovers(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    if (/\/att_[0-9a-f]+$/.test(d) && entries.length === 0) out.push(`${d} (empty)`);
    for (const e of entries) {
      if (e.isDirectory() && depth < 8) walk(join(d, e.name), depth + 1);
      else if (/^\.upload-.*\.tmp$/.test(e.name)) out.push(join(d, e.name));
    }
  };
  walk(root, 0);
  return out;
}

/** Stream a multipart upload in small pieces (so a kill lands mid-body); resolves when the server answers or drops it. */
function slowUpload(port: number, url: string, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const b = 'crashb';
    const head = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="files"; filename="data.bin"\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${b}--\r\n`);
    const sock = createConnection(port, '127.0.0.1');
    sock.resume(); // read (and drop) the answer, so the close is seen
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
    sock.write(`POST ${url} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: multipart/form-data; boundary=${b}\r\ncontent-length: ${head.length + bytes + tail.length}\r\nconnection: close\r\n\r\n`);
    sock.write(head);
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const pump = () => {
      if (sock.destroyed) return;
      if (sent >= bytes) return void sock.write(tail);
      const n = Math.min(chunk.length, bytes - sent);
      sent += n;
      sock.write(chunk.subarray(0, n), () => setTimeout(pump, 4));
    };
    pump();
  });
}

type Snapshot = { cid: string; messages: unknown };

test('crash test: 20 kill -9 at random moments during streaming turns, uploads and schedule runs lose nothing', async (t) => {
  const seed = Number(process.env.ANTON_CRASH_SEED ?? 20261125);
  const rnd = seeded(seed);
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const env = cleanEnv(home, { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_SCHEDULER_TICK_MS: '3600000' });
  const dbFile = join(home, '.anton', 'cowork', 'cowork.db');
  const completed: Snapshot[] = [];
  const checkedInterrupted = new Set<number>();
  let interruptedWithText = 0;
  let kills = 0;
  const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

  for (let round = 0; round <= 20; round++) {
    const srv = await spawnServer([], env);
    try {
      await waitForHealth(srv.url);
      const port = Number(new URL(srv.url).port);
      assert.equal((await fetch(`${srv.url}/v1/projects`)).status, 200, 'the full app is up');

      // --- invariants after the previous crash -------------------------------------------------------
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity_check`);
        const interrupted = db.prepare<[], { id: number; conversation_id: string }>("SELECT id, conversation_id FROM turns WHERE status = 'interrupted'").all();
        for (const turn of interrupted.filter((x) => !checkedInterrupted.has(x.id))) {
          checkedInterrupted.add(turn.id);
          const streamed = db
            .prepare<[number], { payload: string }>("SELECT payload FROM turn_events WHERE turn_id = ? AND payload LIKE '%output_text.delta%' ORDER BY seq")
            .all(turn.id)
            .map((r) => String((JSON.parse(r.payload) as { delta: string }).delta))
            .join('');
          const history = db
            .prepare<[string], { content: string }>("SELECT content FROM messages WHERE conversation_id = ? AND role = 'assistant' ORDER BY idx")
            .all(turn.conversation_id)
            .map((r) => r.content)
            .join('');
          const squash = (s: string) => s.replace(/\s+/g, '');
          if (streamed.trim()) {
            interruptedWithText++;
            assert.ok(squash(history).includes(squash(streamed).slice(-40)), `round ${round}: turn ${turn.id} lost its streamed text`);
          }
        }
      } finally {
        db.close();
      }
      for (const snap of completed) {
        const now = await (await fetch(`${srv.url}/v1/conversations/${snap.cid}/messages`)).json();
        assert.deepEqual(now, snap.messages, `round ${round}: completed conversation ${snap.cid} changed`);
      }
      assert.deepEqual(leftovers(join(home, '.antontron', 'projects')), [], `round ${round}: temp files left after boot`);
      assert.deepEqual(leftovers(join(home, '.anton', 'cowork', 'attachments')), []);
      if (round === 20) break;

      // --- activity, then a kill at a random moment --------------------------------------------------
      const jobs: Promise<unknown>[] = [];
      const turn = async (body: Record<string, unknown>) => {
        let cid = '';
        try {
          const sse = await readSse(await postJson(`${srv.url}/v1/responses`, body));
          cid = String(sse.frames[0]?.conversation_id ?? '');
          if (sse.frames.at(-1)?.type !== 'response.completed') return;
          const messages = await (await fetch(`${srv.url}/v1/conversations/${cid}/messages`)).json();
          completed.push({ cid, messages });
        } catch {
          /* killed mid-turn */
        }
      };
      // Every few rounds one short turn runs to the end first, so completed turns are always in the mix, however
      // slow the machine is (the random kills below mostly interrupt).
      if (round % 4 === 0) {
        stub.enqueue({ text: words(20) });
        await turn({ input: `settled ${round}` });
      }
      const n = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) {
        const kind = rnd();
        if (kind < 0.5) {
          const reply = { text: words(40 + Math.floor(rnd() * 300)), chunkDelayMs: 1 + Math.floor(rnd() * 4) };
          if (rnd() < 0.3) stub.enqueue({ text: 'Checking first.', toolCalls: [{ name: 'list_conversation_datasources', input: {} }] }, reply);
          else stub.enqueue(reply);
          jobs.push(turn({ input: `question ${round}.${i}` }));
        } else if (kind < 0.8) {
          const url = rnd() < 0.5 ? `/v1/attachments/general/s${round}/upload` : rnd() < 0.5 ? '/v1/projects/general/files/upload' : '/v1/attachments/upload';
          jobs.push(slowUpload(port, url, (1 + Math.floor(rnd() * 4)) * 1024 * 1024));
        } else {
          stub.enqueue({ text: words(60 + Math.floor(rnd() * 200)), chunkDelayMs: 2 });
          jobs.push(
            (async () => {
              const s = await postJson(`${srv.url}/v1/schedules`, { prompt: `scheduled ${round}.${i}`, next_run_at: new Date(Date.now() + 86_400_000).toISOString() });
              const { id } = (await s.json()) as { id: string };
              await fetch(`${srv.url}/v1/schedules/${id}/run-now`, { method: 'POST', headers: { 'content-type': 'application/json' } });
            })().catch(() => {}),
          );
        }
      }
      await new Promise((r) => setTimeout(r, Math.floor(rnd() * 700))); // the random moment (seeded)
      await srv.stop('SIGKILL');
      kills++;
      await Promise.all(jobs);
    } finally {
      await srv.stop('SIGKILL');
    }
  }
  console.log(`crash test (seed ${seed}): ${kills} kills, ${completed.length} completed conversations unchanged, ${checkedInterrupted.size} interrupted turns (${interruptedWithText} with streamed text kept)`);
  assert.equal(kills, 20);
  assert.ok(checkedInterrupted.size > 0 && completed.length > 0, 'the run exercised both completed and interrupted turns');
});
