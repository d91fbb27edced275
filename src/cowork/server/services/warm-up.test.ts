import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../../../testing/test-app.js';
import { warmUp } from './warm-up.js';

/** Every file and folder under `dir` with its size and modification time. */
function tree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    const st = statSync(p);
    return [`${p} ${d.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`, ...(d.isDirectory() ? tree(p) : [])];
  });
}

test('the idle-time warm-up leaves no trace: no file, folder or row is created or changed', async (t) => {
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.after(() => ta.close());
  ta.ctx.conversations.frameLog.flush();
  const count = (table: string) => (ta.ctx.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const tables = ['conversations', 'turns', 'messages', 'message_text', 'turn_events', 'kv'];
  // The warm-up's turn is rolled back: no turn number is used up either.
  const sequences = () => ta.ctx.db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').all();
  const before = { files: tree(ta.home), rows: tables.map(count), sequences: sequences() };
  await warmUp(ta.app, ta.ctx);
  ta.ctx.conversations.frameLog.flush();
  assert.deepEqual({ files: tree(ta.home), rows: tables.map(count), sequences: sequences() }, before);
});
