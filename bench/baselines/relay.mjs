// Baseline: the least a server can do for the same wire — a bare node:http relay. POST /v1/responses calls the
// stub LLM and passes each text delta on as one SSE frame; /health, /v1/conversations and in-flight-list answer
// bodies shaped like the real ones. No validation, no storage, no framework.
// Usage: node bench/baselines/relay.mjs <stubUrl>  → prints {"port":…}
import { createServer, request } from 'node:http';
import { conversationsBody, healthBody } from './payloads.mjs';
import { sseData } from '../lib/sse-data.mjs';

const STUB = new URL(process.argv[2]);
const live = new Map();
let counter = 0;

const json = (res, body) => {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
};

function relay(req, res) {
  const id = `c${++counter}`;
  let seq = 0;
  const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: ++seq, ...data, at_ms: Date.now() })}\n\n`);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  live.set(id, 0);
  send('response.created', { response: { id: `resp-${id}`, status: 'created' }, conversation_id: id });
  const upstream = request({ host: STUB.hostname, port: STUB.port, path: '/v1/messages', method: 'POST', headers: { 'content-type': 'application/json' } }, (up) => {
    up.setEncoding('utf8');
    let text = '';
    up.on(
      'data',
      sseData((data) => {
        const ev = JSON.parse(data);
        if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          text += ev.delta.text;
          live.set(id, seq + 1);
          send('response.output_text.delta', { item_id: 'msg-1', delta: ev.delta.text });
        }
      }),
    );
    up.on('end', () => {
      send('response.completed', { response: { id: `resp-${id}`, status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text }] }] } });
      live.delete(id);
      res.end();
    });
  });
  upstream.end(JSON.stringify({ model: 'stub', max_tokens: 8192, stream: true, messages: [{ role: 'user', content: 'x' }] }));
}

const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/v1/responses') {
    req.resume();
    req.on('end', () => relay(req, res));
  } else if (path === '/health') json(res, healthBody([...live.keys()]));
  // As many rows as ours would list: one conversation per turn relayed, up to the limit asked for.
  else if (path === '/v1/conversations') json(res, conversationsBody(Math.min(counter, Number(new URL(req.url, 'http://x').searchParams.get('limit') ?? 200))));
  else if (path === '/v1/responses/in-flight-list') json(res, { in_flight: [...live].map(([conversation_id, latest_seq]) => ({ conversation_id, turn_id: 1, latest_seq })) });
  else json(res, { ok: true });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
