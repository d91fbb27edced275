// The bench's LLM: an Anthropic Messages streaming endpoint on loopback, in its own process.
// Every reply streams TOKENS text deltas DELAY_MS apart. Each token is "@<hrtime ns> " stamped as it is written
// (process.hrtime is CLOCK_MONOTONIC, comparable across processes on one machine), so the load generator can
// time stub → client per token. Request arrival times are kept for "first request at the LLM" figures.
// In 'words' mode tokens are ordinary text pieces instead (history size figures).
// Usage: node bench/lib/stub-llm.mjs <tokens> <delayMs> [stamp|words]  → prints {"port":…} on stdout.
import { createServer } from 'node:http';

const TOKENS = Number(process.argv[2] ?? 200);
const DELAY_MS = Number(process.argv[3] ?? 5);
const WORDS = process.argv[4] === 'words';
// Sub-word pieces averaging ~4 characters, like an English tokenizer's output.
const VOCAB = ['The', ' rev', 'enue', ' grew', ' in', ' each', ' region', ',', ' and', ' marg', 'ins', ' held', '.', ' Next', ' quarter', ' we'];
const arrivals = [];

const frame = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__bench/arrivals') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(arrivals.map(String)));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"stub-model"}]}');
    return;
  }
  arrivals.push(process.hrtime.bigint());
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(
      frame('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', content: [], model: 'stub', stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } }) +
        frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    );
    let sent = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    const tick = () => {
      if (closed) return;
      if (sent === TOKENS) {
        res.end(frame('content_block_stop', { index: 0 }) + frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: TOKENS } }) + frame('message_stop', {}));
        return;
      }
      sent++;
      res.write(frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: WORDS ? VOCAB[sent % VOCAB.length] : `@${process.hrtime.bigint()} ` } }));
      if (DELAY_MS > 0) setTimeout(tick, DELAY_MS);
      else setImmediate(tick);
    };
    tick();
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
