import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { startTestApp } from '../../../testing/test-app.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';

type T = { after: (fn: () => unknown) => void };

/** A Minds API answering datasource queries, recording what it was sent. */
async function mindsApi(t: T) {
  const seen: { path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    seen.push({ path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ column_names: ['region', 'total'], data: [['EU', 42]] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

test('the Minds mind/datasource settings are applied: the agent is told about them and query_minds_data runs SQL server-side', async (t) => {
  const stub = await new StubLlm().start();
  const minds = await mindsApi(t);
  // Chat goes to Anthropic; the Minds key is only used for the datasource.
  const ta = await startTestApp({
    listen: true,
    env: {
      ANTON_ANTHROPIC_API_KEY: 'k',
      ANTON_ANTHROPIC_BASE_URL: stub.url,
      ANTON_MINDS_API_KEY: 'mdb_secret_key_123',
      ANTON_MINDS_URL: minds.url,
      ANTON_MINDS_MIND_NAME: 'sales-analyst',
      ANTON_MINDS_DATASOURCE: 'warehouse',
      ANTON_MINDS_DATASOURCE_ENGINE: 'postgres',
    },
  });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  stub.enqueue({ toolCalls: [{ name: 'query_minds_data', input: { sql: 'SELECT region, SUM(x) FROM sales GROUP BY 1' } }] }, { text: 'EU leads with 42.' });
  const sse = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Which region sells most?', stream: true }));
  assert.equal(sse.frames.at(-1)?.type, 'response.completed');
  const first = stub.requests[0].body as { system: string; tools: { name: string }[] };
  assert.match(first.system, /Mind: sales-analyst/);
  assert.match(first.system, /Datasource: warehouse \(postgres\)/);
  assert.ok(first.tools.some((x) => x.name === 'query_minds_data'));
  assert.deepEqual(minds.seen.map((s) => [s.path, s.headers.authorization, s.body]), [
    ['/api/v1/datasources/warehouse/query', 'Bearer mdb_secret_key_123', { query: 'SELECT region, SUM(x) FROM sales GROUP BY 1', native_query: true }],
  ]);
  const second = JSON.stringify(stub.requests[1].body.messages);
  assert.match(second, /EU/);
  assert.ok(!second.includes('mdb_secret_key_123') && !JSON.stringify(first).includes('mdb_secret_key_123'), 'the key never reaches the model');
});

test('ANTON_PROACTIVE_DASHBOARDS switches the visualisation guidance in the system prompt', async (t) => {
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const systems: string[] = [];
  for (const flag of ['false', 'true']) {
    const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'k', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_PROACTIVE_DASHBOARDS: flag } });
    stub.enqueue({ text: 'ok' });
    await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'chart it', stream: true }));
    systems.push(String(stub.requests.at(-1)!.body.system));
    await ta.close();
  }
  assert.match(systems[0], /Build HTML dashboards only when the user asks/);
  assert.match(systems[1], /proactively build an interactive HTML dashboard/);
});
