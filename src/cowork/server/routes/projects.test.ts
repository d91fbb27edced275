import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTestApp, type TestApp } from '../../../testing/test-app.js';

/** Refusals: bad input, missing, or (after URL normalisation of `..`) a route that does not take the method. */
const REFUSED = [400, 404, 405];

async function app(t: { after: (fn: () => unknown) => void }): Promise<TestApp> {
  const ta = await startTestApp();
  t.after(() => ta.close());
  return ta;
}

function multipart(files: { name: string; content: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----antontest' + Math.random().toString(16).slice(2);
  const parts = files.map(
    (f) => `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: text/plain\r\n\r\n${f.content}\r\n`,
  );
  return { payload: Buffer.from(parts.join('') + `--${boundary}--\r\n`), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

test('general always exists; create sanitizes and uniquifies; list is sorted', async (t) => {
  const ta = await app(t);
  const dir = ta.ctx.paths.projectsDir;
  assert.ok(existsSync(join(dir, 'general', '.anton', 'anton.md')));
  let res = await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: '  Q3 Revenue / Analysis!! ' } });
  assert.deepEqual(res.json(), { name: 'Q3-Revenue-Analysis', path: join(dir, 'Q3-Revenue-Analysis'), requested: '  Q3 Revenue / Analysis!! ', renamed: true });
  res = await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'Q3-Revenue-Analysis' } });
  assert.equal(res.json().name, 'Q3-Revenue-Analysis-2');
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: '...' } })).json().name, 'untitled-project');
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'con' } })).json().name, 'con-x');
  const names = (await ta.app.inject('/v1/projects')).json().projects.map((p: { name: string }) => p.name);
  assert.deepEqual(names, ['con-x', 'general', 'Q3-Revenue-Analysis', 'Q3-Revenue-Analysis-2', 'untitled-project']);
});

test('active project get/put, rename follows active, delete falls back to general', async (t) => {
  const ta = await app(t);
  await ta.app.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'alpha' } });
  assert.deepEqual((await ta.app.inject('/v1/projects/active')).json(), { name: 'general' });
  assert.equal((await ta.app.inject({ method: 'PUT', url: '/v1/projects/active', payload: { name: 'missing' } })).statusCode, 404);
  await ta.app.inject({ method: 'PUT', url: '/v1/projects/active', payload: { name: 'alpha' } });
  const renamed = await ta.app.inject({ method: 'PATCH', url: '/v1/projects/alpha', payload: { name: 'beta' } });
  assert.equal(renamed.json().name, 'beta');
  assert.deepEqual((await ta.app.inject('/v1/projects/active')).json(), { name: 'beta' });
  assert.deepEqual((await ta.app.inject({ method: 'PATCH', url: '/v1/projects/general', payload: { name: 'x' } })).json(), { detail: 'Cannot rename the General project', code: 'bad_input' });
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: '/v1/projects/general' })).json(), { detail: 'Cannot delete the General project', code: 'bad_input' });
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: '/v1/projects/beta' })).json(), { status: 'deleted', name: 'beta' });
  assert.deepEqual((await ta.app.inject('/v1/projects/active')).json(), { name: 'general' });
  assert.equal((await ta.app.inject({ method: 'DELETE', url: '/v1/projects/beta' })).statusCode, 404);
});

test('traversal through {name} never touches anything outside the projects dir', async (t) => {
  const ta = await app(t);
  const outside = dirname(ta.ctx.paths.projectsDir);
  writeFileSync(join(outside, 'precious.txt'), 'keep');
  for (const name of ['%2E%2E', '..', '.', '%2e%2e%2fgeneral', '..%2F..', '%00', '.anton']) {
    const del = await ta.app.inject({ method: 'DELETE', url: `/v1/projects/${name}` });
    assert.ok(REFUSED.includes(del.statusCode), `DELETE ${name} → ${del.statusCode}`);
    const ren = await ta.app.inject({ method: 'PATCH', url: `/v1/projects/${name}`, payload: { name: 'stolen' } });
    assert.ok(REFUSED.includes(ren.statusCode), `PATCH ${name} → ${ren.statusCode}`);
    const files = await ta.app.inject(`/v1/projects/${name}/files`);
    assert.ok(REFUSED.includes(files.statusCode), `files ${name} → ${files.statusCode}`);
  }
  assert.equal((await ta.app.inject({ method: 'PUT', url: '/v1/projects/active', payload: { name: '..' } })).statusCode, 400);
  assert.equal(readFileSync(join(outside, 'precious.txt'), 'utf8'), 'keep');
  assert.ok(existsSync(ta.ctx.paths.projectsDir));
});

test('traversal through {path}: dot-dot, encoded, absolute and symlinked paths are refused', async (t) => {
  const ta = await app(t);
  const root = join(ta.ctx.paths.projectsDir, 'general');
  const outside = dirname(ta.ctx.paths.projectsDir);
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
  symlinkSync(outside, join(root, 'escape'));
  for (const p of ['../../secret.txt', '..%2F..%2Fsecret.txt', '%2Fetc%2Fpasswd', 'a/%2E%2E/%2E%2E/%2E%2E/secret.txt', 'escape/secret.txt', 'x%00y']) {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await ta.app.inject({ method, url: `/v1/projects/general/files/${p}`, ...(method === 'PUT' ? { payload: { content: 'pwned' } } : {}) });
      assert.ok(REFUSED.includes(res.statusCode), `${method} ${p} → ${res.statusCode}`);
    }
    const raw = await ta.app.inject(`/v1/projects/general/files-raw/${p}`);
    assert.ok(REFUSED.includes(raw.statusCode), `files-raw ${p} → ${raw.statusCode}`);
  }
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'top secret');
  const listed = (await ta.app.inject('/v1/projects/general/files')).json().files.map((f: { path: string }) => f.path);
  assert.ok(!listed.some((p: string) => p.startsWith('escape')), 'symlinks out of the project are not listed');
});

test('project files: write, read, list (anton.md first), instructions, delete, size and encoding limits', async (t) => {
  const ta = await app(t);
  const base = '/v1/projects/general';
  const put = await ta.app.inject({ method: 'PUT', url: `${base}/files/data/notes.md`, payload: { content: '# hi' } });
  assert.equal(put.statusCode, 200);
  assert.equal(put.json().path, 'data/notes.md');
  const got = (await ta.app.inject(`${base}/files/data/notes.md`)).json();
  assert.equal(got.content, '# hi');
  assert.equal(got.size, 4);
  const files = (await ta.app.inject(`${base}/files`)).json().files;
  assert.equal(files[0].path, '.anton/anton.md');
  assert.ok(files.some((f: { path: string }) => f.path === 'data/notes.md'));
  assert.equal((await ta.app.inject(`${base}/instructions`)).json().file.path, '.anton/anton.md');
  assert.equal((await ta.app.inject(`${base}/files/nope.txt`)).statusCode, 404);
  assert.deepEqual((await ta.app.inject(`${base}/files/data`)).json(), { detail: 'Path is a directory', code: 'bad_input' });
  writeFileSync(join(ta.ctx.paths.projectsDir, 'general', 'bin.dat'), Buffer.from([0xff, 0xfe, 0x00]));
  assert.equal((await ta.app.inject(`${base}/files/bin.dat`)).statusCode, 415);
  const big = await ta.app.inject({ method: 'PUT', url: `${base}/files/big.txt`, payload: { content: 'x'.repeat(2 * 1024 * 1024 + 1) } });
  assert.equal(big.statusCode, 413);
  assert.deepEqual((await ta.app.inject({ method: 'DELETE', url: `${base}/files/data/notes.md` })).json(), { status: 'deleted', path: 'data/notes.md' });
  assert.equal((await ta.app.inject({ method: 'DELETE', url: `${base}/files/data/notes.md` })).statusCode, 404);
});

test('uploads land in the project root; dotfiles are refused', async (t) => {
  const ta = await app(t);
  const mp = multipart([
    { name: 'report.csv', content: 'a,b\n1,2\n' },
    { name: '.env', content: 'X=1' },
  ]);
  const res = await ta.app.inject({ method: 'POST', url: '/v1/projects/general/files/upload', ...mp });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json().results, [
    { name: 'report.csv', ok: true, size: 8 },
    { name: '.env', ok: false, error: 'invalid filename' },
  ]);
  assert.equal(readFileSync(join(ta.ctx.paths.projectsDir, 'general', 'report.csv'), 'utf8'), 'a,b\n1,2\n');
  assert.equal(existsSync(join(ta.ctx.paths.projectsDir, 'general', '.env')), false);
});

test('uploads past ANTON_MAX_UPLOAD_MB get 413 and leave no partial file', async (t) => {
  const ta = await startTestApp({ env: { ANTON_MAX_UPLOAD_MB: '1' } });
  t.after(() => ta.close());
  const mp = multipart([{ name: 'big.bin', content: 'x'.repeat(1024 * 1024 + 10) }]);
  const res = await ta.app.inject({ method: 'POST', url: '/v1/projects/general/files/upload', ...mp });
  assert.equal(res.statusCode, 413);
  assert.equal(existsSync(join(ta.ctx.paths.projectsDir, 'general', 'big.bin')), false);
});

test('files-raw downloads as an attachment; HTML preview mounts are sandboxed', async (t) => {
  const ta = await app(t);
  const root = join(ta.ctx.paths.projectsDir, 'general');
  mkdirSync(join(root, 'site'));
  writeFileSync(join(root, 'site', 'index.html'), '<h1>hi</h1>');
  writeFileSync(join(root, 'site', 'app.js'), 'console.log(1)');
  const raw = await ta.app.inject('/v1/projects/general/files-raw/site/index.html');
  assert.equal(raw.statusCode, 200);
  assert.match(String(raw.headers['content-disposition']), /^attachment; filename="index.html"/);
  const mount = await ta.app.inject({ method: 'POST', url: '/v1/projects/preview-mount-file', payload: { name: 'general', path: 'site/index.html' } });
  const { token, entry, relUrl } = mount.json();
  assert.equal(entry, 'index.html');
  assert.equal(relUrl, `/v1/projects/preview-asset/${token}/index.html`);
  const page = await ta.app.inject(relUrl);
  assert.equal(page.body, '<h1>hi</h1>');
  assert.match(String(page.headers['content-security-policy']), /sandbox/);
  assert.doesNotMatch(String(page.headers['content-security-policy']), /allow-same-origin/);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.equal((await ta.app.inject(`/v1/projects/preview-asset/${token}/app.js`)).statusCode, 200);
  assert.equal((await ta.app.inject(`/v1/projects/preview-asset/${token}/..%2F..%2F..%2Fetc%2Fpasswd`)).statusCode, 403);
  assert.equal((await ta.app.inject('/v1/projects/preview-asset/0000000000000000/index.html')).statusCode, 404);
  assert.equal((await ta.app.inject({ method: 'POST', url: '/v1/projects/preview-mount-file', payload: { name: 'general', path: 'site/app.js' } })).statusCode, 415);
});
