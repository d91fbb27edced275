import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeContext, createContext } from '../cowork/server/context.js';
import { spawnServer, waitForHealth } from '../testing/spawn-server.js';
import { cleanEnv, makeTempHome } from '../testing/temp-home.js';
import { waitFor } from '../testing/wait.js';
import { projectForFolder } from './workspace.js';

test('a folder maps to a project: inside the projects dir → that project; elsewhere → one named after the folder, remembered; --project wins', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const ctx = createContext(cleanEnv(home), { logLevel: 'silent' });
  t.after(() => closeContext(ctx));
  const sales = ctx.projects.create('sales');
  mkdirSync(join(sales.path, 'raw'));
  assert.deepEqual(projectForFolder(ctx, join(sales.path, 'raw')), { project: { name: 'sales', path: sales.path }, created: false, folder: null });

  // Another folder called "sales" reuses the app's project of that name the first time…
  const a = join(home, 'work', 'sales');
  mkdirSync(a, { recursive: true });
  const first = projectForFolder(ctx, a);
  assert.equal(first.project.name, 'sales');
  assert.equal(first.folder, a);
  // …but a second, different "sales" folder gets its own project, and each folder keeps its mapping.
  const b = join(home, 'other', 'sales');
  mkdirSync(b, { recursive: true });
  const second = projectForFolder(ctx, b);
  assert.equal(second.project.name, 'sales-2');
  assert.equal(second.created, true);
  assert.equal(projectForFolder(ctx, a).project.name, 'sales');
  assert.equal(projectForFolder(ctx, b).project.name, 'sales-2');

  assert.equal(projectForFolder(ctx, home).project.name, 'general'); // the home folder → the active project
  const forced = projectForFolder(ctx, a, 'Quarterly Report');
  assert.equal(forced.project.name, 'Quarterly-Report');
  assert.equal(forced.created, true);
});

test('a turn left running is not sealed as interrupted while another Anton process (a server) has the state dir open', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const env = cleanEnv(home);
  const server = await spawnServer([], env);
  t.after(() => server.stop());
  await waitForHealth(server.url);
  await waitFor(async () => (await fetch(`${server.url}/v1/projects`).catch(() => null))?.status === 200); // fully booted, not only the early port
  const first = createContext(env, { logLevel: 'silent', role: 'terminal' });
  first.conversations.ensure('c1', 'general');
  const turnId = first.conversations.startTurn('c1', Date.now()); // a turn that is running somewhere
  await closeContext(first);
  // A terminal opening the state dir while the server is live leaves it alone.
  const terminal = createContext(env, { logLevel: 'silent', role: 'terminal' });
  assert.equal(terminal.conversations.latestTurn('c1')?.status, 'running');
  await closeContext(terminal);

  await server.stop();
  const alone = createContext(env, { logLevel: 'silent' });
  t.after(() => closeContext(alone));
  assert.deepEqual(alone.conversations.latestTurn('c1'), { id: turnId, status: 'interrupted', latest_seq: 0 });
});
