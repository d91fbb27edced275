import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyReply } from 'fastify';
import { openSse, SSE_COALESCE_MS, type SseStream } from './sse.js';

/**
 * A real HTTP server whose one route opens an SSE stream, and a client that records each chunk it reads; resolves
 * once the stream is open. `socketWrites()` counts the writes the response's socket made to the kernel.
 */
async function sseOverLoopback(t: import('node:test').TestContext) {
  let res!: ServerResponse;
  let stream!: SseStream;
  let writes = 0;
  let markOpened!: () => void;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const server = createServer((_req, r) => {
    res = r;
    const socket = r.socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    for (const m of ['_write', '_writev'] as const) {
      const original = socket[m].bind(socket);
      socket[m] = (...a: unknown[]) => (writes++, original(...a));
    }
    stream = openSse({ raw: r, getHeaders: () => ({}), hijack: () => {} } as unknown as FastifyReply);
    markOpened();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => (server.closeAllConnections(), server.close()));
  const chunks: string[] = [];
  const waiting: { text: string; resolve: () => void }[] = [];
  // A raw TCP client: each 'data' is one read of the socket (an HTTP client would split the chunked body).
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  t.after(() => client.destroy());
  client.setEncoding('utf8');
  client.on('data', (c: string) => {
    chunks.push(c);
    for (const w of waiting.filter((w) => chunks.join('').includes(w.text))) w.resolve();
  });
  client.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
  await opened; // the server has the request and its stream is open
  /** Resolves once the client has read `text` (timers are mocked here: this waits on the data itself). */
  const received = (text: string) => new Promise<void>((resolve) => (chunks.join('').includes(text) ? resolve() : waiting.push({ text, resolve })));
  /** Bytes handed to the socket so far (sent or queued in it), counted synchronously. */
  const handed = () => res.socket!.bytesWritten;
  return { stream: () => stream, chunks, handed, received, socketWrites: () => writes };
}

const frame = (n: number) => ({ type: 'response.output_text.delta', delta: `t${n}` });

test('SSE frames that follow each other within the window go out in one socket write; one after a quiet spell goes out at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { stream, chunks, handed, received } = await sseOverLoopback(t);
  t.mock.timers.tick(SSE_COALESCE_MS); // no frame yet: the headers go out alone
  await received('text/event-stream');
  let before = handed();
  stream().send(frame(1));
  assert.ok(handed() > before, 'the first frame is written at once');
  await received('"t1"');

  before = handed();
  stream().send(frame(2));
  stream().send(frame(3));
  assert.equal(handed(), before, 'frames right after another wait for the window');
  const reads = chunks.length;
  t.mock.timers.tick(SSE_COALESCE_MS);
  await received('"t3"');
  assert.equal(chunks.length, reads + 1, 'the held frames arrive together');
  assert.match(chunks[chunks.length - 1], /"t2"[\s\S]*"t3"/);

  t.mock.timers.tick(10 * SSE_COALESCE_MS);
  before = handed();
  stream().send(frame(4));
  assert.ok(handed() > before, 'after a quiet spell a frame is written at once');
  await received('"t4"');
});

test('ending an SSE stream writes the frames it still holds', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { stream, handed, received } = await sseOverLoopback(t);
  t.mock.timers.tick(SSE_COALESCE_MS);
  await received('text/event-stream');
  stream().send(frame(1));
  const before = handed();
  stream().send(frame(2));
  assert.equal(handed(), before, 'the second frame is held');
  stream().end();
  await received('"t2"');
});

test("a new stream's headers go out with its first frame when it comes within the window: one socket write", async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { stream, received, socketWrites } = await sseOverLoopback(t);
  await new Promise((resolve) => setImmediate(resolve)); // a later turn of the loop: the turn has started meanwhile
  t.mock.timers.tick(SSE_COALESCE_MS - 1);
  stream().send(frame(1));
  await received('"t1"');
  assert.equal(socketWrites(), 1);
});

test('a stream with no frame within the window sends its headers alone at its end', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { handed, received, socketWrites } = await sseOverLoopback(t);
  t.mock.timers.tick(SSE_COALESCE_MS - 1);
  assert.equal(handed(), 0, 'nothing yet');
  t.mock.timers.tick(1);
  assert.ok(handed() > 0, 'the headers, at the end of the window');
  await received('text/event-stream');
  assert.equal(socketWrites(), 1);
});
