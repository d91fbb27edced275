import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';

test('memory files: list global and project sections, write with backup, delete, path safety', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const general = join(ta.ctx.paths.projectsDir, 'general');
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() };
  };
  let res = await call('POST', '/v1/memory', { scope: 'global', relativePath: 'rules', content: '# Rules\n- Always cite sources' });
  assert.equal(res.body.file.relativePath, 'rules.md');
  assert.equal(res.body.file.name, 'Rules');
  res = await call('POST', '/v1/memory', { scope: 'Project', relativePath: 'topics/sales-notes.md', content: 'q3', projectPath: general });
  assert.equal(res.body.file.projectName, 'general');
  await call('POST', '/v1/memory', { scope: 'global', relativePath: 'rules.md', content: '# Rules v2' });
  assert.equal(readdirSync(join(ta.ctx.paths.coworkStateDir, 'backups', 'memory')).length, 1, 'the overwritten file was backed up');
  const list = (await call('GET', `/v1/memory?project_path=${encodeURIComponent(general)}`)).body.sections;
  assert.deepEqual(list.map((s: { scope: string }) => s.scope), ['Global', 'Project']);
  assert.equal(list[0].files[0].content, '# Rules v2');
  assert.equal(list[1].files[0].name, 'Sales Notes');

  assert.equal((await call('POST', '/v1/memory', { relativePath: '../../.env', content: 'x' })).status, 400);
  assert.equal((await call('POST', '/v1/memory', { relativePath: '/etc/x.md', content: 'x' })).status, 400);
  assert.equal((await call('POST', '/v1/memory', { relativePath: 'x.txt', content: 'x' })).status, 415);
  assert.equal((await call('POST', '/v1/memory', { scope: 'weird', relativePath: 'x', content: 'x' })).status, 400);
  assert.deepEqual((await call('POST', '/v1/memory', { scope: 'project', relativePath: 'x', content: 'x', projectPath: '/tmp' })).body, { detail: 'Unknown project path.', code: 'bad_input' });
  assert.deepEqual((await call('DELETE', '/v1/memory?scope=global&relative_path=nope.md')).body, { detail: 'Memory file not found.', code: 'not_found' });
  const del = await call('DELETE', '/v1/memory?scope=global&relative_path=rules.md');
  assert.equal(del.body.status, 'ok');
  assert.equal(existsSync(join(ta.ctx.paths.memoryDir, 'rules.md')), false);
});

test('skills: upsert keeps created_at and stats, list, validation, and DELETE cannot escape the skills folder', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const r = await ta.app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() };
  };
  const made = await call('POST', '/v1/skills', { label: 'Quarterly Report!', name: 'Quarterly report', whenToUse: 'end of quarter', declarative: 'Steps...' });
  assert.equal(made.body.label, 'quarterly_report');
  const created = (await call('GET', '/v1/skills')).body.skills[0];
  assert.equal(created.declarative, 'Steps...\n');
  assert.deepEqual(created.stats, { totalRecalls: 0 });
  await call('POST', '/v1/skills', { label: 'quarterly_report', name: 'Quarterly report v2', declarative: 'New steps' });
  const updated = (await call('GET', '/v1/skills')).body.skills[0];
  assert.equal(updated.name, 'Quarterly report v2');
  assert.equal(updated.createdAt, created.createdAt);
  assert.deepEqual((await call('POST', '/v1/skills', { label: '!!!', name: 'x', declarative: 'x' })).body, { detail: 'Skill label is required.', code: 'bad_input' });
  assert.deepEqual((await call('POST', '/v1/skills', { label: 'a', name: ' ', declarative: 'x' })).body, { detail: 'Skill name is required.', code: 'bad_input' });
  assert.deepEqual((await call('POST', '/v1/skills', { label: 'a', name: 'A', declarative: '' })).body, { detail: 'Skill instructions are required.', code: 'bad_input' });

  // The reference's DELETE /v1/skills/%2E%2E removed ~/.anton entirely.
  mkdirSync(ta.ctx.paths.antonHome, { recursive: true });
  writeFileSync(join(ta.ctx.paths.antonHome, '.env'), 'KEEP=1\n');
  for (const label of ['%2E%2E', '..', '.', '%2E%2E%2F%2E%2E', 'QUARTERLY_REPORT']) {
    assert.ok([404, 405].includes((await call('DELETE', `/v1/skills/${label}`)).status), label);
  }
  assert.equal(readFileSync(join(ta.ctx.paths.antonHome, '.env'), 'utf8'), 'KEEP=1\n');
  assert.deepEqual((await call('DELETE', '/v1/skills/quarterly_report')).body, { status: 'ok', deleted: 'quarterly_report' });
  assert.deepEqual((await call('GET', '/v1/skills')).body, { skills: [] });
});
