import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { webSearchTool } from './web.js';

async function searchServer(t: { after: (fn: () => unknown) => void }, status: number, body: unknown) {
  const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const run = (url: string, provider: 'brave' | 'tavily' | 'searxng') =>
  webSearchTool({ provider, apiKey: 'bad-key', url: provider === 'searxng' ? url : `${url}/search` }).handler({ query: 'anton' }, { signal: new AbortController().signal, toolUseId: 't', emit: () => {} });

for (const provider of ['brave', 'tavily', 'searxng'] as const) {
  test(`web_search (${provider}): a rejected key is a clear error, not "No results."`, async (t) => {
    const url = await searchServer(t, 401, { error: 'unauthorized' });
    const out = await run(url, provider);
    assert.equal(typeof out, 'object');
    const o = out as { content: string; isError?: boolean };
    assert.equal(o.isError, true);
    assert.match(o.content, /rejected the API key \(HTTP 401\)/);
    assert.match(o.content, /ANTON_WEB_SEARCH_API_KEY/);
  });
}

test('web_search: rate limiting and server errors are reported with their status; an empty result is "No results."', async (t) => {
  const limited = (await run(await searchServer(t, 429, {}), 'brave')) as { content: string; isError?: boolean };
  assert.match(limited.content, /HTTP 429/);
  const broken = (await run(await searchServer(t, 503, {}), 'tavily')) as { content: string; isError?: boolean };
  assert.match(broken.content, /HTTP 503/);
  assert.equal(await run(await searchServer(t, 200, { results: [] }), 'searxng'), 'No results.');
});
