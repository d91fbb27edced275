import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppWithStub } from '../../../testing/test-app.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { htmlToText, isPrivateAddress } from '../../../core/web/web.js';

type Req = { body: Record<string, unknown> };
const toolNames = (r: Req) => (r.body.tools as { name: string }[]).map((t) => t.name);
const toolResult = (r: Req) => JSON.stringify((r.body.messages as unknown[]).at(-1));

async function setup(t: { after: (fn: () => unknown) => void }, env: Record<string, string> = {}) {
  const { ta, stub } = await startAppWithStub(t, { ...env });
  const turn = async (input: string, extra: object = {}) => readSse(await postJson(`${ta.url}/v1/responses`, { input, ...extra }));
  return { stub, ta, turn };
}

test('memorize → the memory reaches later system prompts; recall finds earlier conversations (stub-LLM turns)', async (t) => {
  const { stub, ta, turn } = await setup(t);
  stub.enqueue({ toolCalls: [{ name: 'memorize', input: { entries: [{ text: 'Always answer in metric units', kind: 'always', scope: 'global' }, { text: 'Team: Data platform', kind: 'profile', scope: 'global' }] } }] }, { text: 'Noted.' });
  const first = await turn('Remember: metric units please. The kangaroo budget is 42k.');
  const roles = first.frames.filter((f) => f.type === 'response.in_progress').map((f) => f.thought_role);
  assert.ok(roles.includes('thought.memorize.start') && roles.includes('thought.memorize.end'));
  assert.match(toolResult(stub.requests[1]), /Memory updated/);
  assert.match(readFileSync(join(ta.ctx.paths.memoryDir, 'rules.md'), 'utf8'), /## Always\n- Always answer in metric units <!-- confidence:high source:user ts:/);

  stub.enqueue({ toolCalls: [{ name: 'recall', input: { query: 'kangaroo budget' } }] }, { text: 'It was 42k.' });
  const second = await turn('What was the kangaroo budget?');
  assert.match(String(stub.requests[2].body.system), /## Your Memory[\s\S]*Always answer in metric units/);
  assert.match(String(stub.requests[2].body.system), /Team: Data platform/);
  assert.ok(second.frames.some((f) => f.thought_role === 'thought.recall.start'));
  assert.match(toolResult(stub.requests[3]), /kangaroo budget is 42k/);
});

test('memory off removes memorize and the memory section; project instructions (.anton/anton.md) reach the prompt', async (t) => {
  const { stub, ta, turn } = await setup(t, { ANTON_MEMORY_MODE: 'off', ANTON_EPISODIC_MEMORY: 'false' });
  await ta.app.inject({ method: 'PUT', url: '/v1/projects/general/files/.anton/anton.md', payload: { content: 'Fiscal year starts in April.' } });
  stub.enqueue({ text: 'ok' });
  await turn('hi');
  assert.ok(!toolNames(stub.requests[0]).includes('memorize'));
  assert.ok(!toolNames(stub.requests[0]).includes('recall'));
  assert.ok(toolNames(stub.requests[0]).includes('web_fetch'));
  assert.match(String(stub.requests[0].body.system), /## Project Context \(anton.md\)\nFiscal year starts in April\./);
});

test('recall_skill loads a saved skill (closest match on a typo) and counts the recall', async (t) => {
  const { stub, ta, turn } = await setup(t);
  await ta.app.inject({ method: 'POST', url: '/v1/skills', payload: { label: 'monthly_close', name: 'Monthly close', whenToUse: 'closing the books', declarative: '1. Export the ledger\n2. Reconcile' } });
  stub.enqueue({ toolCalls: [{ name: 'recall_skill', input: { label: 'monthly_clse' } }] }, { text: 'Following the skill.' });
  await turn('do the monthly close');
  assert.match(String(stub.requests[0].body.system), /`monthly_close` — closing the books/);
  assert.match(toolResult(stub.requests[1]), /closest match \\"monthly_close\\"[\s\S]*Reconcile/);
  assert.equal((await ta.app.inject('/v1/skills')).json().skills[0].stats.totalRecalls, 1);
});

test('web_fetch refuses loopback and private addresses by default, reads pages when allowed; web_search via SearXNG; browse status', async (t) => {
  const site = createServer((req, res) => {
    if (req.url === '/search?q=anton+cowork&format=json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ title: 'Anton', url: 'https://example.com/anton', content: 'An AI coworker' }] }));
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Report</title><script>evil()</script></head><body><h1>Q3 &amp; Q4</h1><p>Revenue grew.</p></body></html>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  t.after(() => site.close());
  const base = `http://127.0.0.1:${(site.address() as { port: number }).port}`;

  const blocked = await setup(t);
  blocked.stub.enqueue({ toolCalls: [{ name: 'web_fetch', input: { url: `${base}/page` } }] }, { text: 'blocked' });
  await blocked.turn('read it');
  assert.match(toolResult(blocked.stub.requests[1]), /private or local address/);
  assert.equal((await blocked.ta.app.inject('/v1/browse/status')).json().mode, 'url_context_only');

  const open = await setup(t, { ANTON_WEB_FETCH_ALLOW_PRIVATE: '1', ANTON_WEB_SEARCH_PROVIDER: 'searxng', ANTON_WEB_SEARCH_URL: base });
  open.stub.enqueue({ toolCalls: [{ name: 'web_search', input: { query: 'anton cowork' } }, { name: 'web_fetch', input: { url: `${base}/page` } }] }, { text: 'done' });
  await open.turn('search and read');
  const results = toolResult(open.stub.requests[1]);
  assert.match(results, /1\. Anton\\n {3}https:\/\/example.com\/anton/);
  assert.match(results, /Title: Report[\s\S]*Q3 & Q4[\s\S]*Revenue grew/);
  assert.doesNotMatch(results, /evil/);
  const status = (await open.ta.app.inject('/v1/browse/status')).json();
  assert.deepEqual([status.supported, status.mode], [true, 'anton_browse']);
  assert.deepEqual(status.evidence, ['provider:searxng', 'web_fetch', 'web_search']);
});

test('address classification and readable text', () => {
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0']) assert.ok(isPrivateAddress(ip), ip);
  for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) assert.ok(!isPrivateAddress(ip), ip);
  assert.deepEqual(htmlToText('<title>T</title><style>x{}</style><p>a&nbsp;b &#65;&#x42;</p><br>c'), { title: 'T', text: 'a b AB\nc' });
});
