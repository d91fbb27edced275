import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../testing/test-app.js';

/** A file outside every project that a planted link tries to reach. */
function plantSecret(ta: TestApp): string {
  const secret = join(ta.home, '.anton', '.env');
  mkdirSync(join(ta.home, '.anton'), { recursive: true });
  writeFileSync(secret, 'ANTON_ANTHROPIC_API_KEY=sk-ant-planted-secret\n');
  return secret;
}

function multipart(name: string, content: string) {
  const b = '----link' + Math.random().toString(16).slice(2);
  const body = `--${b}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n\r\n${content}\r\n--${b}--\r\n`;
  return { payload: Buffer.from(body), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

test('symlinks: an attachment that links out of the project is never served, moved or followed', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const secret = plantSecret(ta);
  const session = '20260101_000000_linked';
  const folder = join(ta.ctx.paths.projectsDir, 'general', '.anton', 'uploads', session, 'att_0123456789abcdef');
  mkdirSync(folder, { recursive: true });
  symlinkSync(secret, join(folder, 'notes.txt'));
  const raw = await ta.app.inject(`/v1/attachments/general/${session}/att_0123456789abcdef/raw`);
  assert.ok(!raw.body.includes('planted-secret'), `raw served the linked file (${raw.statusCode})`);
  assert.ok([403, 404].includes(raw.statusCode), String(raw.statusCode));
  const moved = await ta.app.inject({ method: 'POST', url: `/v1/attachments/general/${session}/att_0123456789abcdef/move-to-project` });
  assert.ok([403, 404].includes(moved.statusCode), String(moved.statusCode));

  // A whole session folder linked elsewhere: listing, raw and delete stay out of it.
  const outside = join(ta.home, 'outside-session');
  mkdirSync(join(outside, 'att_aaaaaaaaaaaaaaaa'), { recursive: true });
  writeFileSync(join(outside, 'att_aaaaaaaaaaaaaaaa', 'x.txt'), 'outside');
  symlinkSync(outside, join(ta.ctx.paths.projectsDir, 'general', '.anton', 'uploads', 'linked_session'));
  const list = await ta.app.inject('/v1/attachments/general/linked_session');
  assert.ok(!list.body.includes('att_aaaaaaaaaaaaaaaa'), list.body);
  const del = await ta.app.inject({ method: 'DELETE', url: '/v1/attachments/general/linked_session/att_aaaaaaaaaaaaaaaa' });
  assert.ok([403, 404].includes(del.statusCode), String(del.statusCode));
  assert.ok(existsSync(join(outside, 'att_aaaaaaaaaaaaaaaa', 'x.txt')), 'nothing outside the project was deleted');
});

test('symlinks: a linked uploads folder receives no uploads', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const outside = join(ta.home, 'elsewhere');
  mkdirSync(outside);
  const anton = join(ta.ctx.paths.projectsDir, 'general', '.anton');
  mkdirSync(anton, { recursive: true });
  symlinkSync(outside, join(anton, 'uploads'));
  const up = await ta.app.inject({ method: 'POST', url: '/v1/attachments/general/s1/upload', ...multipart('a.txt', 'hello') });
  assert.equal(up.statusCode, 403, up.body);
  assert.deepEqual(readdirSync(outside), [], 'nothing was written through the link');
});

test('symlinks: artifact preview, open and preview-mount refuse a link out of the artifacts folder', async (t) => {
  const ta = await startTestApp({ env: { ANTON_OPEN_COMMAND: 'true' } });
  t.after(() => ta.close());
  const secret = plantSecret(ta);
  const dir = join(ta.ctx.paths.projectsDir, 'general', '.anton', 'artifacts', 'report');
  mkdirSync(dir, { recursive: true });
  symlinkSync(secret, join(dir, 'leak.txt'));
  for (const path of ['report/leak.txt', join(dir, 'leak.txt')]) {
    const r = await ta.app.inject(`/v1/artifacts/preview?path=${encodeURIComponent(path)}`);
    assert.ok(!r.body.includes('planted-secret'), `preview served ${path}`);
    assert.ok([403, 404].includes(r.statusCode), `${path} → ${r.statusCode}`);
  }
  // A linked artifact folder (to a folder outside the project) is refused the same way.
  const outside = join(ta.home, 'outside-art');
  mkdirSync(outside);
  writeFileSync(join(outside, 'page.html'), '<p>outside</p>');
  symlinkSync(outside, join(ta.ctx.paths.projectsDir, 'general', '.anton', 'artifacts', 'linked'));
  const mount = await ta.app.inject({ method: 'POST', url: '/v1/artifacts/preview-mount', payload: { path: 'linked/page.html' } });
  assert.ok([403, 404].includes(mount.statusCode), String(mount.statusCode));
  const open = await ta.app.inject({ method: 'POST', url: '/v1/artifacts/open', payload: { path: 'linked/page.html' } });
  assert.ok([403, 404].includes(open.statusCode), String(open.statusCode));
});

test('symlinks: a linked project memory folder is not read, written or deleted through', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const general = join(ta.ctx.paths.projectsDir, 'general');
  const outside = join(ta.home, 'outside-memory');
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.md'), 'outside content');
  mkdirSync(join(general, '.anton'), { recursive: true });
  symlinkSync(outside, join(general, '.anton', 'memory'));
  const list = await ta.app.inject(`/v1/memory?project_path=${encodeURIComponent(general)}`);
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes('outside content'), 'listing read through the link');
  const write = await ta.app.inject({ method: 'POST', url: '/v1/memory', payload: { scope: 'Project', projectPath: general, relativePath: 'new.md', content: 'x' } });
  assert.ok(write.statusCode >= 400 && write.statusCode < 500, String(write.statusCode));
  assert.ok(!existsSync(join(outside, 'new.md')), 'written through the link');
  const del = await ta.app.inject({ method: 'DELETE', url: `/v1/memory?scope=Project&project_path=${encodeURIComponent(general)}&relative_path=victim.md` });
  assert.ok(del.statusCode >= 400 && del.statusCode < 500, String(del.statusCode));
  assert.ok(existsSync(join(outside, 'victim.md')), 'deleted through the link');
});

test('symlinks: an adopted (A-layout) attachment whose file links elsewhere is not served', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const secret = plantSecret(ta);
  const id = 'att_abcdefabcdefabcd';
  const folder = join(ta.ctx.legacyAttachments.root, id);
  mkdirSync(folder, { recursive: true });
  symlinkSync(secret, join(folder, 'notes.txt'));
  const now = new Date().toISOString();
  ta.ctx.legacyAttachments.insert({ id, kind: 'file', name: 'notes.txt', mime: 'text/plain', size: 10, path: join(folder, 'notes.txt'), sessionId: 'sess_a', createdAt: now, updatedAt: now });
  const raw = await ta.app.inject(`/v1/attachments/general/sess_a/${id}/raw`);
  assert.ok(!raw.body.includes('planted-secret'), `served (${raw.statusCode})`);
  assert.equal(raw.statusCode, 404);
});
