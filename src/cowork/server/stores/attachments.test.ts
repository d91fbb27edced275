import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempHome } from '../../../testing/temp-home.js';
import { startTestApp } from '../../../testing/test-app.js';

test('boot removes upload temp files and empty attachment folders a crash left, and keeps everything else', async (t) => {
  const { home, cleanup } = makeTempHome();
  t.after(cleanup);
  const projects = join(home, '.antontron', 'projects');
  const general = join(projects, 'general');
  const other = join(projects, 'other');
  const uploads = join(general, '.anton', 'uploads', 's1');
  const legacy = join(home, '.anton', 'cowork', 'attachments');
  const leftovers = [
    join(general, '.upload-0a1b2c3d4e5f.tmp'), // project files upload
    join(uploads, 'att_1111111111111111', '.upload-aaaaaaaaaaaa.tmp'),
    join(other, '.anton', 'uploads', 's2', 'att_2222222222222222', '.upload-bbbbbbbbbbbb.tmp'),
    join(legacy, 'att_3333333333333333', '.upload-cccccccccccc.tmp'),
  ];
  const kept = [join(general, 'report.csv'), join(uploads, 'att_4444444444444444', 'data.csv'), join(general, '.upload-notes.txt'), join(legacy, 'att_5555555555555555', 'x.txt')];
  for (const f of [...leftovers, ...kept]) {
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, 'x');
  }
  mkdirSync(join(uploads, 'att_6666666666666666'), { recursive: true }); // empty: a crash between mkdir and the first byte
  mkdirSync(join(legacy, 'att_7777777777777777'), { recursive: true });
  const ta = await startTestApp({ home });
  t.after(() => ta.app.close());
  for (const f of leftovers) assert.ok(!existsSync(f), `left: ${f}`);
  for (const f of kept) assert.ok(existsSync(f), `removed: ${f}`);
  assert.ok(!existsSync(join(uploads, 'att_6666666666666666')), 'empty attachment folder removed');
  assert.ok(!existsSync(join(uploads, 'att_1111111111111111')), 'folder emptied by the cleanup removed');
  assert.ok(!existsSync(join(legacy, 'att_7777777777777777')));
  assert.ok(existsSync(join(uploads, 'att_4444444444444444', 'data.csv')));
});
