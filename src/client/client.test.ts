import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnServer, waitForHealth } from '../testing/spawn-server.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';
import { createCoworkClient, type Schema } from './index.js';

/** The real bin, spawned as the desktop app does, driven only through the generated typed client. */
async function server(t: { after: (fn: () => unknown) => void }) {
  const { home, cleanup } = makeTempHome();
  const srv = await spawnServer([], cleanEnv(home, { ANTON_PROJECTS_DIR: join(home, 'p') }));
  t.after(async () => {
    await srv.stop('SIGKILL');
    cleanup();
  });
  await waitForHealth(srv.url);
  return { api: createCoworkClient(srv.url), home };
}

test('typed client: /health and the projects API of a spawned server (create, list, rename, active)', async (t) => {
  const { api, home } = await server(t);
  const health = await api.GET('/health');
  assert.equal(health.response.status, 200);
  assert.equal(health.data?.status, 'ok');
  assert.equal(health.data?.config_ready, false);

  const created = await api.POST('/v1/projects', { body: { name: 'Q3 report' } });
  assert.equal(created.data?.name, 'Q3-report');
  assert.equal(created.data?.renamed, true);
  const list = await api.GET('/v1/projects');
  const projects: Schema<'Project'>[] = list.data?.projects ?? [];
  assert.deepEqual(projects.map((p) => p.name).sort(), ['Q3-report', 'general']);
  const renamed = await api.PATCH('/v1/projects/{name}', { params: { path: { name: 'Q3-report' } }, body: { name: 'q4' } });
  assert.equal(renamed.data?.path, join(home, 'p', 'q4'));
  await api.PUT('/v1/projects/active', { body: { name: 'q4' } });
  assert.equal((await api.GET('/v1/projects/active')).data?.name, 'q4');
});

test('typed client: project files through the {path} wildcard, and a typed {detail} error for a missing file', async (t) => {
  const { api } = await server(t);
  const path = { name: 'general', path: 'notes/today.md' };
  const put = await api.PUT('/v1/projects/{name}/files/{path}', { params: { path }, body: { content: '# Today\n' } });
  assert.equal(put.data?.size, 8);
  const read = await api.GET('/v1/projects/{name}/files/{path}', { params: { path } });
  assert.equal(read.data?.content, '# Today\n');
  const files = await api.GET('/v1/projects/{name}/files', { params: { path: { name: 'general' } } });
  assert.ok(files.data?.files.some((f) => f.path === 'notes/today.md'));

  const missing = await api.GET('/v1/projects/{name}/files/{path}', { params: { path: { name: 'general', path: 'nope.md' } } });
  assert.equal(missing.response.status, 404);
  assert.deepEqual(missing.error, { detail: 'File not found', code: 'not_found' });
});

test('typed client: pins and schedules round-trip, and a 422 comes back as the validation list', async (t) => {
  const { api } = await server(t);
  const pinned = await api.POST('/v1/pins', { body: { item_type: 'task', item_id: 'c1', title: 'First' } });
  assert.equal(pinned.data?.pin.title, 'First');
  assert.deepEqual((await api.GET('/v1/pins')).data?.pins.map((p) => p.id), ['c1']);

  const sch = await api.POST('/v1/schedules', { body: { prompt: 'Summarise the inbox', next_run_at: '2030-01-01T09:00:00Z', cadence: 'daily' } });
  const id = sch.data!.schedule.id;
  const paused = await api.POST('/v1/schedules/{id}/pause', { params: { path: { id } } });
  assert.equal(paused.data?.schedule.enabled, false);

  const bad = await api.POST('/v1/projects', { body: {} as never });
  assert.equal(bad.response.status, 422);
  const detail = bad.error?.detail;
  assert.ok(Array.isArray(detail) && detail[0].loc.join('.') === 'body.name', JSON.stringify(detail));
});
