import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';
import { waitFor } from '../../../testing/wait.js';

const ROUTES = ['/v1/attachments/general/s1/upload', '/v1/attachments/upload', '/v1/projects/general/files/upload'];

function part(boundary: string, name: string, filename: string, content: string): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n`;
}

/** Every file below `dir` whose name looks like an upload temp file. */
function tempFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/^\.upload-.*\.tmp$/.test(e.name)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

test('malformed multipart (no boundary, wrong boundary, truncated, empty, garbage) on every upload route is a 4xx, never a 500', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const bodies: { name: string; type: string; payload: string }[] = [
    { name: 'no boundary', type: 'multipart/form-data', payload: part('b', 'files', 'a.txt', 'x') + '--b--\r\n' },
    { name: 'empty boundary', type: 'multipart/form-data; boundary=', payload: part('b', 'files', 'a.txt', 'x') + '--b--\r\n' },
    { name: 'wrong boundary', type: 'multipart/form-data; boundary=zzz', payload: part('b', 'files', 'a.txt', 'x') + '--b--\r\n' },
    { name: 'truncated', type: 'multipart/form-data; boundary=b', payload: part('b', 'files', 'a.txt', 'x'.repeat(5000)).slice(0, 200) },
    { name: 'truncated headers', type: 'multipart/form-data; boundary=b', payload: '--b\r\nContent-Disposition: form-da' },
    { name: 'empty body', type: 'multipart/form-data; boundary=b', payload: '' },
    { name: 'only the end', type: 'multipart/form-data; boundary=b', payload: '--b--\r\n' },
    { name: 'garbage', type: 'multipart/form-data; boundary=b', payload: '\u0000\u0001garbage\r\n\r\n--b' },
    { name: 'no files part', type: 'multipart/form-data; boundary=b', payload: '--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--b--\r\n' },
    { name: 'file under another field', type: 'multipart/form-data; boundary=b', payload: part('b', 'upload', 'a.txt', 'x') + '--b--\r\n' },
    { name: 'very long file name', type: 'multipart/form-data; boundary=b', payload: part('b', 'files', `${'n'.repeat(400)}.txt`, 'x') + '--b--\r\n' },
    { name: 'long unicode file name', type: 'multipart/form-data; boundary=b', payload: part('b', 'files', `${'é'.repeat(200)}.txt`, 'x') + '--b--\r\n' },
  ];
  const failures: string[] = [];
  for (const url of ROUTES) {
    for (const b of bodies) {
      const r = await ta.app.inject({ method: 'POST', url, headers: { 'content-type': b.type }, payload: b.payload });
      if (r.statusCode >= 500) failures.push(`${url} ${b.name} → ${r.statusCode} ${r.body.slice(0, 100)}`);
      if (b.name === 'no files part' || b.name === 'file under another field') {
        if (r.statusCode !== 422) failures.push(`${url} ${b.name} → ${r.statusCode}, expected 422`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(tempFiles(ta.ctx.paths.projectsDir), [], 'no temp file left behind');
});

test('file and memory names over the OS limit are a 4xx with a detail, not ENAMETOOLONG as a 500', async (t) => {
  const ta = await startTestApp();
  t.after(() => ta.close());
  const long = 'n'.repeat(300);
  const general = join(ta.ctx.paths.projectsDir, 'general');
  const cases = [
    { method: 'PUT' as const, url: `/v1/projects/general/files/${long}.txt`, payload: { content: 'x' } },
    { method: 'GET' as const, url: `/v1/projects/general/files/${long}.txt` },
    { method: 'GET' as const, url: `/v1/projects/general/files-raw/${long}.txt` },
    { method: 'DELETE' as const, url: `/v1/projects/general/files/${long}.txt` },
    { method: 'POST' as const, url: '/v1/memory', payload: { scope: 'global', relativePath: long, content: 'x' } },
    { method: 'POST' as const, url: '/v1/memory', payload: { scope: 'Project', projectPath: general, relativePath: `${long}/x`, content: 'x' } },
    { method: 'DELETE' as const, url: `/v1/memory?scope=global&relative_path=${long}` },
  ];
  for (const c of cases) {
    const r = await ta.app.inject({ method: c.method, url: c.url, ...(c.payload ? { payload: c.payload } : {}) });
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${c.method} ${c.url.slice(0, 60)} → ${r.statusCode} ${r.body.slice(0, 100)}`);
    assert.ok(r.json().detail, 'a detail says why');
  }
});

/** Start a multipart upload over a raw socket, send half of it, and return a function that sends the rest. */
async function halfUpload(ta: TestApp, url: string): Promise<{ finish: () => Promise<{ status: number; body: string }> }> {
  const port = Number(new URL(ta.url).port);
  const b = 'race';
  const head = `--${b}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`;
  const tail = `\r\n--${b}--\r\n`;
  const content = 'x'.repeat(256 * 1024);
  const total = Buffer.byteLength(head) + content.length + Buffer.byteLength(tail);
  const sock = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let reply = '';
  sock.on('data', (d) => (reply += d));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.write(`POST ${url} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: multipart/form-data; boundary=${b}\r\ncontent-length: ${total}\r\nconnection: close\r\n\r\n${head}${content.slice(0, 128 * 1024)}`);
  return {
    finish: async () => {
      sock.write(content.slice(128 * 1024) + tail); // no half-close: Node's server would abort the request
      await closed;
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(reply)?.[1] ?? 0);
      return { status, body: reply.slice(reply.indexOf('\r\n\r\n') + 4) };
    },
  };
}

test('an upload racing a project rename or delete ends in a clear 4xx and leaves no temp file or empty folder', async (t) => {
  const ta = await startTestApp({ listen: true });
  t.after(() => ta.close());
  for (const [action, route] of [
    ['rename', '/v1/attachments/racer/s1/upload'],
    ['delete', '/v1/attachments/racer/s1/upload'],
    ['rename', '/v1/projects/racer/files/upload'],
    ['delete', '/v1/projects/racer/files/upload'],
  ] as const) {
    assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'racer' } })).statusCode, 200);
    const up = await halfUpload(ta, route);
    await waitFor(() => tempFiles(join(ta.ctx.paths.projectsDir, 'racer')).length > 0);
    const moved =
      action === 'rename'
        ? await ta.app.inject({ method: 'PATCH', url: '/v1/projects/racer', payload: { name: 'renamed' } })
        : await ta.app.inject({ method: 'DELETE', url: '/v1/projects/racer' });
    assert.equal(moved.statusCode, 200, moved.body);
    const r = await up.finish();
    assert.ok(r.status >= 400 && r.status < 500 ? true : r.status === 200 && !r.body.includes('"ok":true'), `${action} ${route} → ${r.status} ${r.body.slice(0, 160)}`);
    assert.deepEqual(tempFiles(ta.ctx.paths.projectsDir), [], `${action} ${route}: temp file left`);
    if (action === 'rename') {
      const uploads = join(ta.ctx.paths.projectsDir, 'renamed', '.anton', 'uploads', 's1');
      let left: string[] = [];
      try {
        left = readdirSync(uploads).filter((d) => readdirSync(join(uploads, d)).length === 0);
      } catch {
        left = [];
      }
      assert.deepEqual(left, [], 'no empty attachment folder');
      assert.equal((await ta.app.inject({ method: 'DELETE', url: '/v1/projects/renamed' })).statusCode, 200);
    }
  }
});
