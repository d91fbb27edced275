import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppWithStub, startTestApp } from '../../../testing/test-app.js';
import { postJson, readSse } from '../../../testing/sse-client.js';

test('an agent turn creates an artifact and writes it; the card, provenance, preview and sandboxed mount follow', async (t) => {
  const { ta, stub } = await startAppWithStub(t, { ANTON_OPEN_COMMAND: 'true' });
  const dir = join(ta.ctx.paths.projectsDir, 'general', '.anton', 'artifacts', 'q3-dashboard');
  stub.enqueue(
    { toolCalls: [{ name: 'create_artifact', input: { name: 'Q3 Dashboard', description: 'Revenue by region', type: 'html-app', primary: 'dashboard.html' } }] },
    {
      toolCalls: [
        {
          name: 'scratchpad',
          input: { action: 'exec', name: 'main', code: `open(${JSON.stringify(join(dir, 'dashboard.html'))}, "w").write("<h1>Q3</h1><script>fetch('/v1/settings/raw')</script>")` },
        },
      ],
    },
    { text: 'Your dashboard is ready.' },
  );
  const { frames } = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Build the Q3 dashboard' }));
  const cid = frames[0].conversation_id;
  const createEnd = frames.find((f) => f.type === 'response.in_progress' && String(f.content).includes('"Q3 Dashboard"'));
  assert.ok(createEnd, 'the create_artifact input is streamed for the client to build a card');
  const toolResult = JSON.parse((stub.requests[1].body.messages as { content: { content: string }[] }[])[2].content[0].content);
  assert.equal(toolResult.path, dir);

  const cards = (await ta.app.inject('/v1/artifacts')).json();
  assert.equal(cards.length, 1);
  const card = cards[0];
  assert.equal(card.slug, 'q3-dashboard');
  assert.equal(card.kind, 'Dashboard');
  assert.equal(card.primary, 'dashboard.html');
  assert.equal(card.fileCount, 1);
  assert.equal(card.path, join(dir, 'dashboard.html'));
  assert.equal(card.live, true);
  for (const k of ['id', 'title', 'description', 'type', 'ext', 'updated', 'bg', 'folder', 'publishedUrl']) assert.ok(k in card, k);
  assert.deepEqual((await ta.app.inject(`/v1/artifacts?project_path=${encodeURIComponent('/etc')}`)).json(), []);

  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
  assert.equal(meta.provenance[0].conversation, cid);
  assert.deepEqual(meta.provenance[0].turns[0].files_touched, ['dashboard.html']);
  assert.equal(meta.provenance[0].turns[0].summary, 'Build the Q3 dashboard');

  const preview = (await ta.app.inject(`/v1/artifacts/preview?path=${encodeURIComponent('q3-dashboard/dashboard.html')}`)).json();
  assert.match(preview.content, /<h1>Q3<\/h1>/);
  assert.equal(preview.mime, 'text/html');
  const mount = (await ta.app.inject({ method: 'POST', url: '/v1/artifacts/preview-mount', payload: { path: card.path } })).json();
  assert.equal(mount.relUrl, `/artifacts/preview-asset/${mount.token}/dashboard.html`, 'relUrl has no /v1 prefix (the client adds it)');
  const page = await ta.app.inject(`/v1${mount.relUrl}`);
  assert.match(page.body, /<h1>Q3/);

  // The artifact page cannot call the API with the user's rights: the CSP sandbox (no allow-same-origin) makes it an
  // opaque origin, its requests carry `Origin: null`, and the API never grants CORS to `null`.
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /(^|;)\s*sandbox\b/);
  assert.doesNotMatch(csp, /allow-same-origin/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  const fromArtifact = await ta.app.inject({ url: '/v1/settings/raw', headers: { origin: 'null' } });
  assert.equal(fromArtifact.headers['access-control-allow-origin'], undefined);
  const preflight = await ta.app.inject({ method: 'OPTIONS', url: '/v1/settings/raw', headers: { origin: 'null', 'access-control-request-method': 'GET' } });
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);

  assert.deepEqual((await ta.app.inject({ method: 'POST', url: '/v1/artifacts/open', payload: { path: card.path } })).json(), { status: 'ok', path: card.path });
  assert.deepEqual((await ta.app.inject({ method: 'POST', url: '/v1/artifacts/reveal', payload: { path: card.path } })).json(), { status: 'ok', path: card.path });
});

test('artifact paths: traversal 400, outside roots 404, ambiguous 400, non-text preview 415, missing opener 500', async (t) => {
  const ta = await startTestApp({ env: { ANTON_OPEN_COMMAND: '/nonexistent/opener' } });
  t.after(() => ta.close());
  const { ArtifactStore } = await import('../../../core/artifacts/store.js');
  await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'other' } });
  for (const p of ['general', 'other']) {
    const s = new ArtifactStore(join(ta.ctx.paths.projectsDir, p, '.anton', 'artifacts'));
    const m = s.create('Report', 'r', 'document');
    writeFileSync(join(s.dir(m.slug), 'report.md'), '# r');
    writeFileSync(join(s.dir(m.slug), 'chart.png'), 'png');
  }
  const q = (p: string) => ta.app.inject(`/v1/artifacts/preview?path=${encodeURIComponent(p)}`);
  assert.deepEqual((await q('report/../../x')).json(), { detail: 'Invalid artifact path', code: 'bad_input' });
  assert.deepEqual((await q('/etc/passwd')).json(), { detail: 'Artifact is not in a known artifacts directory', code: 'not_found' });
  assert.match((await q('report/report.md')).json().detail, /multiple project artifact roots/);
  const abs = join(ta.ctx.paths.projectsDir, 'other', '.anton', 'artifacts', 'report', 'report.md');
  assert.equal((await q(abs)).json().content, '# r');
  assert.equal((await q(join(ta.ctx.paths.projectsDir, 'other', '.anton', 'artifacts', 'report', 'chart.png'))).statusCode, 415);
  assert.equal((await q('nope/x.md')).statusCode, 404);
  assert.deepEqual((await ta.app.inject({ method: 'POST', url: '/v1/artifacts/open', payload: { path: abs } })).json(), { detail: 'Could not open artifact', code: 'internal' });
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/artifacts/preview-mount', payload: { path: abs } })).statusCode, 415);
});
