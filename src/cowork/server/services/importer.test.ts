import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';
import { cleanEnv, makeTempHome } from '../../../testing/temp-home.js';
import { REPO_ROOT } from '../../../testing/spawn-server.js';

/** A Python-server install as it sits on disk: 3 projects, 20 conversations, pins, 2 schedules, 2 vault connections. */
function writeFixture(home: string): { conversations: string[] } {
  const projects = join(home, '.antontron', 'projects');
  const conversations: string[] = [];
  ['general', 'finance', 'ops'].forEach((p, pi) => {
    const ep = join(projects, p, '.anton', 'episodes');
    mkdirSync(ep, { recursive: true });
    const count = [8, 7, 5][pi];
    for (let i = 0; i < count; i++) {
      const id = `20260${pi + 1}0${(i % 9) + 1}_1200${String(i).padStart(2, '0')}_${(pi * 16 + i).toString(16).padStart(6, 'a')}`;
      conversations.push(id);
      const created = `2026-0${pi + 1}-0${(i % 9) + 1}T12:00:00+00:00`;
      writeFileSync(join(ep, `${id}_meta.json`), JSON.stringify({ id, title: `${p} question ${i}`, turns: 2, preview: `${p} question ${i}`, created_at: created, updated_at: created, project: p }));
      const history = [
        { role: 'user', content: `${p} question ${i}` },
        { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: `tu_${i}`, name: 'scratchpad', input: { action: 'exec', name: 'main', code: 'print(1)' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: `tu_${i}`, content: '[output]\n1' }] },
        { role: 'assistant', content: [{ type: 'text', text: `Answer ${i}.` }] },
        { role: 'user', content: 'SYSTEM: An error interrupted execution: retry' },
        { role: 'assistant', content: 'Retried.' },
        { role: 'user', content: `follow-up ${i}\n\nAttached context supplied by the user:\n\n### a.csv (text/csv)\n\nFile path: /x/a.csv` },
        { role: 'assistant', content: `Second answer ${i}.` },
      ];
      writeFileSync(join(ep, `${id}_history.json`), JSON.stringify(history));
      const ev = (n: number) => [{ type: 'response.created', sequence_number: 1, conversation_id: id }, { type: 'response.output_text.delta', sequence_number: 2, delta: `turn ${n}` }];
      writeFileSync(join(ep, `${id}_turns.json`), JSON.stringify({ by_assistant_turn: { '0': { started_at: 1747000000000 + i, events: ev(0) }, '1': { started_at: 1747000100000 + i, events: ev(1) } } }));
    }
  });
  writeFileSync(join(home, '.antontron', 'state.json'), JSON.stringify({ activeProject: 'finance' }));
  mkdirSync(join(home, '.anton', 'cowork'), { recursive: true });
  writeFileSync(
    join(home, '.anton', 'cowork', 'state.json'),
    JSON.stringify({
      version: 3,
      pins: [
        { key: `task:${conversations[0]}`, type: 'task', id: conversations[0], title: 'First pinned', createdAt: 'x', updatedAt: 'x' },
        { key: 'project:ops', type: 'project', id: 'ops', title: 'Ops', createdAt: 'x', updatedAt: 'x' },
      ],
      preferences: { greeting: 'Morning, Ada', tone: 'direct' },
      schedules: [
        { id: 'sch_00000000000001', title: 'Daily digest', prompt: 'digest', cadence: 'daily', timezone: 'local', nextRunAt: '2099-01-01T09:00:00+00:00', enabled: true, project: 'general', missedRuns: 0, createdAt: '2026-01-01T00:00:00+00:00', updatedAt: '2026-01-01T00:00:00+00:00' },
        { id: 'sch_00000000000002', title: 'Weekly', prompt: 'weekly', cadence: 'weekly', timezone: 'local', nextRunAt: '2099-01-05T09:00:00+00:00', enabled: false, project: 'ops', missedRuns: 1, createdAt: '2026-01-01T00:00:00+00:00', updatedAt: '2026-01-01T00:00:00+00:00' },
      ],
      schedule_runs: { sch_00000000000001: [{ id: 'run_00000000000001', scheduleId: 'sch_00000000000001', startedAt: '2026-01-02T09:00:00+00:00', finishedAt: '2026-01-02T09:01:00+00:00', durationMs: 60000, status: 'success', error: null, sessionId: conversations[1], manual: false }] },
      visit_counts: { [conversations[0]]: 4 },
    }),
  );
  mkdirSync(join(home, '.anton', 'data_vault'), { recursive: true });
  for (const [engine, name] of [['postgres', 'prod'], ['hubspot', 'crm']]) {
    writeFileSync(join(home, '.anton', 'data_vault', `${engine}-${name}`), JSON.stringify({ engine, name, created_at: 'x', updated_at: 'x', fields: { password: `${name}-secret-value` }, secure_keys: ['password'] }));
  }
  return { conversations };
}

/** Every file under `dir` with its content hash, so a later comparison proves the sources were not rewritten. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

const unchanged = (before: Map<string, string>) => [...before].filter(([p, h]) => {
  try {
    return createHash('sha256').update(readFileSync(p)).digest('hex') !== h;
  } catch {
    return true; // deleted
  }
}).map(([p]) => p);

test('an existing install is fully visible after the first boot; a second import changes nothing; sources are untouched', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const { conversations } = writeFixture(home);
  const before = new Map([...snapshot(join(home, '.antontron')), ...snapshot(join(home, '.anton'))]);
  const ta = await startTestApp({ home });
  const call = async (url: string) => (await ta.app.inject(url)).json();

  const all = (await call('/v1/conversations?project=all&limit=200')).conversations;
  assert.equal(all.length, 20);
  assert.deepEqual(new Set(all.map((c: { project: string }) => c.project)), new Set(['general', 'finance', 'ops']));
  const one = all.find((c: { id: string }) => c.id === conversations[3]);
  assert.equal(one.title, 'general question 3');
  assert.equal(one.created_at, '2026-01-04T12:00:00+00:00');
  const msgs = (await call(`/v1/conversations/${conversations[3]}/messages`)).messages;
  assert.deepEqual(msgs.map((m: { role: string; content: string }) => [m.role, m.content]), [
    ['user', 'general question 3'],
    ['assistant', 'Let me check.\n\nAnswer 3.\n\nRetried.'],
    ['user', 'follow-up 3'],
    ['assistant', 'Second answer 3.'],
  ]);
  assert.deepEqual(msgs[1].events.map((e: { delta?: string }) => e.delta).filter(Boolean), ['turn 0'], 'events replay on their bubble');
  assert.deepEqual(msgs[3].events.map((e: { delta?: string }) => e.delta).filter(Boolean), ['turn 1']);
  assert.equal(msgs[3].startedAt, 1747000100003);

  const pins = (await call('/v1/pins')).pins;
  assert.deepEqual(pins.map((p: { key: string }) => p.key), [`task:${conversations[0]}`, 'project:ops']);
  const sched = await call('/v1/schedules');
  assert.equal(sched.schedules.length, 2);
  assert.deepEqual(sched.runs_index, { [conversations[1]]: 'sch_00000000000001' });
  assert.equal((await call('/v1/settings')).greeting, 'Morning, Ada');
  assert.deepEqual(await call('/v1/projects/active'), { name: 'finance' });
  assert.deepEqual((await call('/v1/datasources')).connections.map((c: { engine: string }) => c.engine).sort(), ['hubspot', 'postgres']);
  assert.ok((await call('/v1/search?q=question')).results.length > 0, 'imported messages are searchable');
  await ta.app.close();

  // A second import (the CLI) changes nothing.
  const out = execFileSync(process.execPath, ['bin/anton.js', 'cowork-server', 'import'], { cwd: REPO_ROOT, env: cleanEnv(home), encoding: 'utf8' });
  const report = JSON.parse(out);
  assert.deepEqual([report.conversations.imported, report.conversations.skipped, report.pins, report.schedules, report.runs], [0, 20, 0, 0, 0]);
  assert.equal(report.vault.imported.length, 0);
  assert.deepEqual(unchanged(before), [], 'no source file was rewritten or deleted');
  const again = await startTestApp({ home });
  t.after(() => again.close());
  assert.equal((await again.app.inject('/v1/conversations?project=all')).json().conversations.length, 20);
  assert.equal((await again.app.inject('/v1/pins')).json().pins.length, 2);
});
