import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';
import { cleanEnv, makeTempHome } from '../../../testing/temp-home.js';
import { REPO_ROOT } from '../../../testing/spawn-server.js';
import { StubLlm } from '../../../testing/stub-llm.js';
import { postJson, readSse } from '../../../testing/sse-client.js';
import { VAULT_KEEP } from '../../../core/vault/vault.js';
import { A_IDS, appendPythonTurn, changedSince, exchange, snapshot, writeAHome, writeCHome, writeConversation } from './import-fixtures.js';
import { runImportCommand } from './import-command.js';
import { importInstall } from './importer.js';
import { openBackup } from './vault-import.js';

const [G1, G2] = A_IDS.general;

/** Run the import command in-process and return what it printed. */
async function importCommand(home: string, argv: string[] = []): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    const code = await runImportCommand(argv, cleanEnv(home));
    return { code, out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

function systemText(body: Record<string, unknown>): string {
  const s = body.system;
  return typeof s === 'string' ? s : JSON.stringify(s);
}

test("A's install is served in place: artifacts (list, preview, mount, open, publish, search), attachments (file and snippet), instructions reach the model, dates kept", async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  const before = snapshot(join(home, '.antontron'), join(home, '.anton'));
  const published: string[] = [];
  const publisher = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      published.push(String(req.url));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ report_id: 'rep_10', view_url: 'https://pub.example/r/rep_10', md5: 'm', user_prefix: 'u', version: 1 }));
    });
  });
  await new Promise<void>((r) => publisher.listen(0, '127.0.0.1', r));
  t.after(() => publisher.close());
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const ta = await startTestApp({
    home,
    listen: true,
    env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_OPEN_COMMAND: 'true', ANTON_MINDS_API_KEY: 'mdb_test_123456', ANTON_PUBLISH_URL: `http://127.0.0.1:${(publisher.address() as { port: number }).port}` },
  });
  t.after(() => ta.close());
  const get = async (url: string) => {
    const r = await ta.app.inject(url);
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    return r.json();
  };
  const post = async (url: string, payload: object) => {
    const r = await ta.app.inject({ method: 'POST', url, payload });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    return r.json();
  };

  // Conversations, with their dates and the schedule run's scheduled_id.
  const all = (await get('/v1/conversations?project=all')).conversations as Record<string, unknown>[];
  assert.equal(all.length, 4);
  const c1 = all.find((c) => c.id === G1)!;
  assert.deepEqual([c1.created_at, c1.updated_at, c1.project], ['2026-05-11T18:19:02.100000+00:00', '2026-05-11T18:21:40.900000+00:00', 'general']);
  assert.equal(all.find((c) => c.id === A_IDS.scheduledRun)!.scheduled_id, A_IDS.schedules[0]);

  // Artifacts in A's <project>/artifacts/<slug>/.
  const cards = await get('/v1/artifacts');
  assert.equal(cards.length, 1);
  const card = cards[0];
  assert.deepEqual([card.title, card.kind, card.folder, card.path, card.fileCount], ['Q3 revenue dashboard', 'Dashboard', a.artifactDir, join(a.artifactDir, 'dashboard.html'), 2]);
  assert.equal((await get(`/v1/artifacts?project_path=${encodeURIComponent(join(a.projects, 'finance'))}`)).length, 1);
  assert.match((await get(`/v1/artifacts/preview?path=${encodeURIComponent('artifacts/q3-revenue-dashboard/dashboard.html')}`)).content, /Q3 revenue/);
  assert.match((await get(`/v1/artifacts/preview?path=${encodeURIComponent(card.path)}`)).content, /Q3 revenue/);
  const mount = await post('/v1/artifacts/preview-mount', { path: card.path });
  assert.match((await ta.app.inject(`/v1${mount.relUrl}`)).body, /<h1>Q3 revenue/);
  assert.equal((await ta.app.inject(`/v1/artifacts/preview-asset/${mount.token}/chart.js`)).statusCode, 200, 'sibling assets load');
  assert.deepEqual(await post('/v1/artifacts/open', { path: card.path }), { status: 'ok', path: card.path });
  const pub = await get('/v1/publish');
  assert.ok(pub.artifacts.some((x: { path: string }) => x.path === card.path), 'the publish page lists it');
  assert.ok(pub.history.some((h: { reportId: string }) => h.reportId === 'rep_9'), "A's publish history is kept");
  assert.equal((await post('/v1/publish', { path: card.path })).url, 'https://pub.example/r/rep_10');
  assert.deepEqual(published, ['/upload']);
  assert.equal((await get('/v1/artifacts'))[0].publishedUrl, 'https://pub.example/r/rep_10');
  const found = (await get('/v1/search?q=revenue')).results as { type: string; id: string }[];
  assert.ok(found.some((r) => r.type === 'artifact' && r.id === card.path), 'search finds the artifact');

  // Attachments: the file and the snippet, through the legacy and the per-conversation routes, and search.
  const legacy = (await get('/v1/attachments')).attachments as { id: string }[];
  assert.deepEqual(legacy.map((x) => x.id).sort(), [A_IDS.fileAttachment, A_IDS.snippet].sort());
  const perTask = (await get(`/v1/attachments/general/${G1}`)) as { id: string; path: string | null; name: string }[];
  assert.deepEqual(perTask.map((x) => x.id).sort(), [A_IDS.fileAttachment, A_IDS.snippet].sort());
  assert.equal(perTask.find((x) => x.id === A_IDS.fileAttachment)!.path, a.attachmentFile);
  assert.equal((await ta.app.inject(`/v1/attachments/general/${G1}/${A_IDS.fileAttachment}/raw`)).body, 'region,units\nAPAC,77\n');
  assert.equal((await ta.app.inject(`/v1/attachments/general/${G1}/${A_IDS.snippet}/raw`)).body, 'Enterprise tier discount: 18 percent on renewals');
  assert.deepEqual((await get(`/v1/attachments/general/${G2}`)) as unknown[], [], 'only that conversation');
  const bySnippet = (await get('/v1/search?q=discount')).results as { type: string; id: string; sessionId?: string }[];
  assert.ok(bySnippet.some((r) => r.type === 'attachment' && r.id === A_IDS.snippet && r.sessionId === G1), 'search finds the snippet by its text');
  assert.ok(((await get('/v1/search?q=regional')).results as { id: string }[]).some((r) => r.id === A_IDS.fileAttachment), 'and the file by its name');

  // Pins, connection, preferences and the active project.
  const pins = (await get('/v1/pins')).pins as { key: string; createdAt: string; updatedAt: string }[];
  assert.deepEqual(pins.map((p) => [p.key, p.createdAt, p.updatedAt]), [
    [`task:${G1}`, '2026-05-11T18:30:00.000000+00:00', '2026-05-11T18:31:00.000000+00:00'],
    ['project:finance', '2026-05-10T08:00:00.000000+00:00', '2026-05-10T08:00:00.000000+00:00'],
  ]);
  const ds = await get('/v1/datasources/postgres/prod');
  assert.deepEqual([ds.createdAt, ds.updatedAt], ['2026-05-03T12:00:00.000000+00:00', '2026-05-04T12:00:00.000000+00:00']);
  assert.deepEqual(ds.fields, { host: '127.0.0.1', port: '5432', database: 'test', username: 'postgres', password: VAULT_KEEP, _method: 'host-port', _connector_id: 'postgres' }, 'the reference form’s field names are kept');
  const settings = await get('/v1/settings');
  assert.deepEqual([settings.defaultModel, settings.greeting, settings.tone], ['claude-opus-4-1', 'Morning, Ada', 'direct']);
  assert.deepEqual(await get('/v1/projects/active'), { name: 'finance' });

  // Instructions: A's .context/anton.md is what the project shows and what the model gets.
  assert.equal((await get('/v1/projects/finance/files/.anton/anton.md')).content, 'Always report amounts in euros, rounded to thousands.\n');
  stub.enqueue({ toolCalls: [{ name: 'create_artifact', input: { name: 'Q3 revenue dashboard', description: 'refresh', type: 'html-app' } }] }, { text: 'Refreshed.' });
  await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Refresh the Q3 dashboard', project: 'finance' }));
  assert.match(systemText(stub.requests[0].body), /Always report amounts in euros, rounded to thousands\./);
  const messages = stub.requests[1].body.messages as { content: { type: string; content?: string }[] | string }[];
  const toolResult = JSON.parse((messages[2].content as { content: string }[])[0].content);
  assert.deepEqual([toolResult.path, toolResult.existing], [a.artifactDir, true], 'the same name reuses A’s folder');
  assert.equal(existsSync(join(a.projects, 'finance', '.anton', 'artifacts', 'q3-revenue-dashboard')), false, 'no second folder');
  assert.equal((await get('/v1/artifacts')).length, 1);

  // A's files were only read, except the documented instructions copy (with a backup of what it replaced).
  const anton = join(a.projects, 'finance', '.anton', 'anton.md');
  const publishedRecord = join(a.artifactDir, '.published.json');
  assert.deepEqual(changedSince(before).filter((f) => f !== publishedRecord), [anton]);
  assert.equal(readFileSync(`${anton}.before-import`, 'utf8'), '# Anton Workspace\n\nDescribe your project here.\n');
  assert.equal(readFileSync(join(a.projects, 'finance', '.context', 'anton.md'), 'utf8'), 'Always report amounts in euros, rounded to thousands.\n');

  // The user moves A's uploaded file and snippet into the project (C's move-to-project).
  const moved = await post(`/v1/attachments/general/${G1}/${A_IDS.fileAttachment}/move-to-project`, {});
  assert.deepEqual([moved.project_path, readFileSync(moved.absolute_path, 'utf8')], ['regional sales.csv', 'region,units\nAPAC,77\n']);
  const snip = await post(`/v1/attachments/general/${G1}/${A_IDS.snippet}/move-to-project`, {});
  assert.equal(readFileSync(snip.absolute_path, 'utf8'), 'Enterprise tier discount: 18 percent on renewals');
  assert.deepEqual(await get(`/v1/attachments/general/${G1}`), []);
  assert.equal(existsSync(a.attachmentFile), false);

  // A's model pick lasts until the user chooses a planning model here.
  assert.equal((await ta.app.inject({ method: 'PUT', url: '/v1/settings', payload: { planningModel: 'claude-haiku-4-5-20251001' } })).statusCode, 200);
  assert.equal((await get('/v1/settings')).defaultModel, 'claude-haiku-4-5-20251001');
});

test('a re-import never brings back what was deleted here, takes a new Python-side turn, and reports honestly (fresh install included)', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);

  // Fresh install: the command itself imports, and says so.
  const first = await importCommand(home);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out.split('\n')[0], /^imported 15, updated 0, skipped 0, tombstoned 0$/);
  assert.match(first.out, /conversation: imported 4/);
  assert.match(first.out, /plaintext credential file\(s\)/, 'it points at the plaintext file left behind');

  const ta = await startTestApp({ home });
  for (const url of [`/v1/conversations/${G2}`, `/v1/pins/${G1}?item_type=task`, `/v1/schedules/${A_IDS.schedules[1]}`, '/v1/datasources/postgres/prod', `/v1/attachments/general/${G1}/${A_IDS.snippet}`]) {
    const r = await ta.app.inject({ method: 'DELETE', url });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
  }
  const tombstones = ta.ctx.db.prepare<[], { kind: string }>('SELECT kind FROM import_tombstones ORDER BY kind').all().map((x) => x.kind);
  assert.deepEqual(tombstones, ['attachment', 'connection', 'conversation', 'pin', 'schedule'], 'each deletion route records its tombstone');
  await ta.close();

  // Meanwhile the user continued a conversation in the Python app.
  appendPythonTurn(join(a.projects, 'general'), G1, 'And Q4?', 'Q4 is up.');
  const second = await importCommand(home, ['--json']);
  const r = JSON.parse(second.out);
  assert.equal(r.summary, 'imported 0, updated 1, skipped 9, tombstoned 5');
  assert.deepEqual(r.conversations.updated, [G1]);
  assert.deepEqual(
    Object.fromEntries(Object.entries(r.kinds as Record<string, { tombstoned: number }>).filter(([, c]) => c.tombstoned).map(([k, c]) => [k, c.tombstoned])),
    { conversation: 1, pin: 1, schedule: 1, attachment: 1, connection: 1 },
  );

  // A boot reconciles too: still nothing comes back, and the new turn is there.
  const again = await startTestApp({ home });
  t.after(() => again.close());
  const get = async (url: string) => (await again.app.inject(url)).json();
  const ids = (await get('/v1/conversations?project=all')).conversations.map((c: { id: string }) => c.id);
  assert.ok(!ids.includes(G2) && ids.includes(G1));
  const msgs = (await get(`/v1/conversations/${G1}/messages`)).messages as { role: string; content: string; events?: { delta?: string }[] }[];
  assert.equal(msgs.length, 6);
  assert.deepEqual([msgs[4].content, msgs[5].content], ['And Q4?', 'Q4 is up.']);
  assert.deepEqual(msgs[5].events!.map((e) => e.delta).filter(Boolean), ['turn 2'], 'the new turn’s recorded frames come along');
  assert.equal((await get('/v1/conversations?project=all')).conversations.find((c: { id: string }) => c.id === G1).updated_at, '2026-05-20T10:00:00.000000+00:00');
  assert.deepEqual((await get('/v1/pins')).pins.map((p: { key: string }) => p.key), ['project:finance']);
  assert.deepEqual((await get('/v1/schedules')).schedules.map((s: { id: string }) => s.id), [A_IDS.schedules[0]]);
  assert.deepEqual((await get('/v1/datasources')).connections, []);
  assert.deepEqual((await get(`/v1/attachments/general/${G1}`)).map((x: { id: string }) => x.id), [A_IDS.fileAttachment]);
  const third = importInstall(again.ctx);
  assert.deepEqual(third.totals, { imported: 0, updated: 0, skipped: 10, tombstoned: 5 });

  // A boot alone (no command) picks up the next Python-side turn too.
  appendPythonTurn(join(a.projects, 'general'), G1, 'And next year?', 'Growth.');
  const fourth = await startTestApp({ home });
  t.after(() => fourth.close());
  const latest = (await fourth.app.inject(`/v1/conversations/${G1}/messages`)).json().messages as { content: string }[];
  assert.deepEqual(latest.slice(-2).map((m) => m.content), ['And next year?', 'Growth.']);
});

test('a conversation continued both here and in the Python app keeps both versions', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const env = { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url };
  const ta = await startTestApp({ home, listen: true, env });
  stub.enqueue({ text: 'Here: Q4 forecast is 1.4M.' });
  await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Forecast Q4', conversation: G1 }));
  await ta.close();
  appendPythonTurn(join(a.projects, 'general'), G1, 'And Q4?', 'Q4 is up.');

  const again = await startTestApp({ home, env });
  t.after(() => again.close());
  const here = (await again.app.inject(`/v1/conversations/${G1}/messages`)).json().messages as { content: string }[];
  assert.equal(here[here.length - 1].content, 'Here: Q4 forecast is 1.4M.', 'the turn made here is kept');
  const copy = `${G1}_py2`;
  const there = (await again.app.inject(`/v1/conversations/${copy}/messages`)).json().messages as { content: string }[];
  assert.equal(there[there.length - 1].content, 'Q4 is up.', 'the Python version is imported beside it');
  assert.equal((await again.app.inject(`/v1/conversations/${copy}`)).json().title, 'Summarize Q3 revenue by region (from the Python app)');
});

test('--remove-plaintext-credentials shreds the imported plaintext vault file and keeps an encrypted backup that restores it', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  const original = readFileSync(a.vaultFile);
  const r = await importCommand(home, ['--remove-plaintext-credentials']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /removed 1 plaintext credential file/);
  assert.equal(existsSync(a.vaultFile), false);
  const backupDir = join(home, '.anton', 'cowork', 'backups', 'data_vault');
  const [backup] = readdirSync(backupDir);
  const sealed = readFileSync(join(backupDir, backup), 'utf8');
  assert.ok(!sealed.includes('pg-secret-4821'), 'the backup is encrypted');
  const ta = await startTestApp({ home });
  t.after(() => ta.close());
  assert.ok(openBackup(ta.ctx.vault, sealed).content.equals(original), 'the backup restores the exact file');
  const ds = (await ta.app.inject('/v1/datasources/postgres/prod')).json();
  assert.equal(ds.fields.username, 'postgres', 'the connection itself is still in the encrypted vault');
  assert.equal(ta.ctx.vault.get('postgres', 'prod')!.fields.password, 'pg-secret-4821');
  assert.equal((await importCommand(home, ['--bogus'])).code, 2, 'an unknown option is a usage error');
});

test("C's install: model mode, provider name, scheduled_id by title, muted connections, .anton artifacts and uploads, instructions reach the model", async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const stub = await new StubLlm().start();
  t.after(() => stub.stop());
  const c = writeCHome(home, `${stub.url}/v1`);
  const ta = await startTestApp({ home, listen: true });
  t.after(() => ta.close());
  const get = async (url: string) => (await ta.app.inject(url)).json();
  const settings = await get('/v1/settings');
  assert.equal(settings.modelMode, 'custom');
  assert.deepEqual(settings.modelOverrides.planning, { providerType: 'openai-compatible', model: 'qwen2.5-72b' });
  assert.equal(settings.providers.find((p: { type: string }) => p.type === 'openai-compatible')?.name, 'Office vLLM');
  assert.equal(settings.greeting, 'Bonjour');
  const conv = (await get('/v1/conversations?project=all')).conversations[0];
  assert.equal(conv.scheduled_id, 'sch_00000000000003');
  assert.deepEqual(conv.disabled_connections, [{ engine: 'postgres', name: 'prod' }]);
  const cards = await get('/v1/artifacts');
  assert.deepEqual(cards.map((x: { slug: string; kind: string }) => [x.slug, x.kind]), [['weekly-kpis', 'Document']]);
  assert.deepEqual((await get(`/v1/attachments/general/${c.runConversation}`)).map((x: { path: string }) => x.path), [c.uploadFile]);
  const hits = (await get('/v1/search?q=brief.txt')).results as { type: string; id: string; sessionId?: string }[];
  assert.ok(hits.some((r) => r.type === 'attachment' && r.id === 'att_1111222233334444' && r.sessionId === c.runConversation), 'search finds C uploads');
  stub.enqueue({ text: 'Bien.' });
  await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'Bonjour', project: 'general' }));
  assert.equal(stub.requests[0].path, '/v1/chat/completions', 'the custom endpoint of C is the one used');
  assert.match(JSON.stringify(stub.requests[0].body.messages), /Answer in French\./);
});

test('an install imported by an earlier version (no ledger): what was deleted since is tombstoned, not resurrected; new Python turns arrive', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  const ta = await startTestApp({ home });
  t.after(() => ta.close());
  // The earlier version's state: items imported, no ledger, and a conversation and a pin deleted without tombstones.
  ta.ctx.db.exec('DELETE FROM import_ledger; DELETE FROM import_tombstones');
  ta.ctx.kv.set('importReconciled', false);
  ta.ctx.conversations.delete(G2);
  ta.ctx.pins.delete('task', G1);
  // …and a turn added in Python after that import (the earlier version never imported again: 8 there, 6 here).
  appendPythonTurn(join(a.projects, 'general'), G1, 'And Q4?', 'Q4 is up.');
  // …and a conversation started in Python after that import: never imported, so it is not a deletion.
  const later = '20261201_080000_f00d01';
  writeConversation(join(a.projects, 'general'), later, { title: 'Started later', created_at: '2026-12-01T08:00:00+00:00', updated_at: '2026-12-01T08:00:00+00:00', project: 'general' }, exchange(8, 'Started later', 'Yes.'), [1]);
  const r = importInstall(ta.ctx);
  assert.deepEqual(r.conversations.imported, [later], JSON.stringify(r.kinds));
  assert.equal(r.totals.imported, 1);
  assert.deepEqual([r.kinds.conversation?.tombstoned, r.kinds.pin?.tombstoned, r.kinds.conversation?.updated], [1, 1, 1]);
  assert.equal(ta.ctx.conversations.displayMessages(G1).length, 6);
  assert.equal(ta.ctx.conversations.get(G2), null);
  assert.equal(importInstall(ta.ctx).totals.tombstoned, 2, 'and they stay tombstoned');
});

test("one id in two projects (A's fork) is imported as two conversations, stable across re-imports; a Python-side move is followed, not duplicated", async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  // A's fork (§10.6): the same id started afresh in the active project.
  writeConversation(join(a.projects, 'finance'), G2, { title: 'Churn, again', turns: 1, preview: 'Churn, again', created_at: '2026-05-16T09:00:00+00:00', updated_at: '2026-05-16T09:00:00+00:00', project: 'finance' }, exchange(7, 'Churn, again', 'Same cohort.'), [1747386000000]);
  const ta = await startTestApp({ home });
  t.after(() => ta.close());
  const titles = () => ta.ctx.conversations.list('all', 100).map((c) => `${c.id}@${c.project}:${c.title}`).sort();
  const afterBoot = titles();
  assert.ok(afterBoot.includes(`${G2}@finance:Churn, again`) && afterBoot.includes(`${G2}_py2@general:Churn cohort analysis`), afterBoot.join('\n'));
  assert.deepEqual(importInstall(ta.ctx).totals, { imported: 0, updated: 0, skipped: 16, tombstoned: 0 });
  assert.deepEqual(titles(), afterBoot, 'nothing flips between the two sources');

  // The user moves a conversation to another project in the Python app (its files are renamed there).
  for (const f of ['meta', 'history', 'turns']) renameSync(join(a.projects, 'general', '.anton', 'episodes', `${G1}_${f}.json`), join(a.projects, 'finance', '.anton', 'episodes', `${G1}_${f}.json`));
  const r = importInstall(ta.ctx);
  assert.deepEqual([r.totals.imported, r.totals.updated], [0, 0]);
  assert.deepEqual(titles(), afterBoot, 'no duplicate of the moved conversation');
});

test('the bin: `anton cowork-server import --json` on a fresh install reports what it imported', (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  writeAHome(home);
  const out = execFileSync(process.execPath, ['bin/anton.js', 'cowork-server', 'import', '--json'], { cwd: REPO_ROOT, env: cleanEnv(home), encoding: 'utf8' });
  const r = JSON.parse(out);
  assert.equal(r.summary, 'imported 15, updated 0, skipped 0, tombstoned 0');
  assert.deepEqual(r.plaintextCredentials, ['postgres-prod']);
});

test("an attachment path in A's state.json outside A's attachment layout is never served, moved or listed", async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  writeAHome(home);
  const statePath = join(home, '.anton', 'cowork', 'state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  const elsewhere = join(home, 'private', 'notes.txt');
  mkdirSync(dirname(elsewhere));
  writeFileSync(elsewhere, 'private');
  state.attachments.att_aaaabbbbccccdddd = { id: 'att_aaaabbbbccccdddd', kind: 'file', name: 'notes.txt', mime: 'text/plain', size: 7, path: elsewhere, sessionId: G1, createdAt: '2026-05-11T18:19:00+00:00', updatedAt: '2026-05-11T18:19:00+00:00' };
  writeFileSync(statePath, JSON.stringify(state));
  const ta = await startTestApp({ home });
  t.after(() => ta.close());
  const listed = (await ta.app.inject(`/v1/attachments/general/${G1}`)).json() as { id: string }[];
  assert.ok(!listed.some((x) => x.id === 'att_aaaabbbbccccdddd'));
  assert.equal((await ta.app.inject(`/v1/attachments/general/${G1}/att_aaaabbbbccccdddd/raw`)).statusCode, 404);
  assert.equal((await ta.app.inject({ method: 'POST', url: `/v1/attachments/general/${G1}/att_aaaabbbbccccdddd/move-to-project` })).statusCode, 404);
  assert.equal(readFileSync(elsewhere, 'utf8'), 'private', 'left where it is');
});

test("a conversation A only logged episodically (its turn was aborted before A saved the history) is imported from its .jsonl", async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  const id = '20260517_120000_0abcde';
  const log = [
    { ts: '2026-05-17T12:00:00+00:00', session: id, turn: 1, role: 'user', content: 'Which region grew fastest?', meta: {} },
    { ts: '2026-05-17T12:00:05+00:00', session: id, turn: 1, role: 'tool_call', content: 'print(1)', meta: {} },
    { ts: '2026-05-17T12:00:09+00:00', session: id, turn: 1, role: 'assistant', content: 'APAC, by 12 percent.', meta: {} },
    { ts: '2026-05-17T12:01:00+00:00', session: id, turn: 2, role: 'user', content: 'Why?', meta: {} },
  ];
  writeFileSync(join(a.projects, 'general', '.anton', 'episodes', `${id}.jsonl`), log.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const ta = await startTestApp({ home });
  t.after(() => ta.close());
  const meta = (await ta.app.inject(`/v1/conversations/${id}`)).json();
  assert.deepEqual([meta.title, meta.created_at, meta.updated_at], ['Which region grew fastest?', '2026-05-17T12:00:00+00:00', '2026-05-17T12:01:00+00:00']);
  const msgs = (await ta.app.inject(`/v1/conversations/${id}/messages`)).json().messages as { role: string; content: string }[];
  assert.deepEqual(msgs.map((m) => m.content), ['Which region grew fastest?', 'APAC, by 12 percent.', 'Why?', '_[This turn did not finish in the Python app.]_']);
});

test("A's instructions: a later edit in the Python app follows while the copy here is untouched; an edit here wins", async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const a = writeAHome(home);
  const ta = await startTestApp({ home });
  t.after(() => ta.close());
  const legacy = join(a.projects, 'finance', '.context', 'anton.md');
  const here = async () => (await ta.app.inject('/v1/projects/finance/files/.anton/anton.md')).json().content;
  writeFileSync(legacy, 'Report in euros and in dollars.\n');
  assert.equal(importInstall(ta.ctx).kinds.instructions?.updated, 1);
  assert.equal(await here(), 'Report in euros and in dollars.\n');
  assert.equal((await ta.app.inject({ method: 'PUT', url: '/v1/projects/finance/files/.anton/anton.md', payload: { content: 'Written here.\n' } })).statusCode, 200);
  writeFileSync(legacy, 'Changed again in Python.\n');
  const r = importInstall(ta.ctx);
  assert.deepEqual([r.kinds.instructions?.skipped, r.conflicts.length], [1, 1]);
  assert.equal(await here(), 'Written here.\n');
});
