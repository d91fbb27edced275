import { createReadStream, readFileSync, readdirSync, realpathSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { isInside, resolveInside } from '../../../core/fs/safe-path.js';
import { writeFileAtomic } from '../../../core/fs/atomic.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { mimeFor } from '../mime.js';
import { previewAssetHeaders } from '../stores/preview-mounts.js';
import { fileParts, saveUpload } from '../services/uploads.js';
import { routeGroup } from './types.js';

export const INSTRUCTIONS_PATH = '.anton/anton.md';
const TEXT_CAP = 2 * 1024 * 1024;
const LIST_CAP = 10_000;

const NameParams = z.object({ name: z.string() });
const FileParams = z.object({ name: z.string(), '*': z.string() });

interface FileRow {
  path: string;
  name: string;
  size: number;
  modified: number | null;
  is_dir: false;
  synthetic?: true;
}

function row(rel: string, st: Stats | null): FileRow {
  return st
    ? { path: rel, name: basename(rel), size: st.size, modified: st.mtimeMs / 1000, is_dir: false }
    : { path: rel, name: basename(rel), size: 0, modified: null, is_dir: false, synthetic: true };
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Project files, recursively; `.anton/` internals (episodes, venvs) are not user files and are skipped. */
function listFiles(root: string): FileRow[] {
  const realRoot = realpathSync(root);
  const out: FileRow[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= LIST_CAP) return;
      const abs = join(dir, d.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (rel === '.anton') continue;
      let st: Stats;
      try {
        st = statSync(abs);
        if (d.isSymbolicLink() && !isInside(realRoot, realpathSync(abs))) continue;
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(abs);
      else if (st.isFile()) out.push(row(rel, st));
    }
  };
  walk(root);
  return [row(INSTRUCTIONS_PATH, statOrNull(join(root, INSTRUCTIONS_PATH))), ...out];
}

function guardPath(root: string, rel: string): string {
  if (!rel) throw badRequest('path required');
  const abs = resolveInside(root, rel);
  if (!abs || abs === root) throw badRequest('invalid path');
  return abs;
}

export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const projectRoutes = routeGroup(['env', 'previews', 'projects'], (app, ctx) => {
  const projects = ctx.projects;

  app.get('/v1/projects', { schema: { tags: ['projects'] } }, async () => ({ projects: projects.list() }));

  app.post('/v1/projects', { schema: { tags: ['projects'], body: z.object({ name: z.string() }) } }, async (req) =>
    projects.create(req.body.name),
  );

  app.get('/v1/projects/active', { schema: { tags: ['projects'] } }, async () => ({ name: projects.getActive() }));

  app.put('/v1/projects/active', { schema: { tags: ['projects'], body: z.object({ name: z.string() }) } }, async (req) => {
    projects.setActive(req.body.name);
    return { name: req.body.name };
  });

  app.patch('/v1/projects/:name', { schema: { tags: ['projects'], params: NameParams, body: z.object({ name: z.string() }) } }, async (req) =>
    projects.rename(req.params.name, req.body.name),
  );

  app.delete('/v1/projects/:name', { schema: { tags: ['projects'], params: NameParams } }, async (req) => {
    projects.delete(req.params.name);
    return { status: 'deleted', name: req.params.name };
  });

  app.get('/v1/projects/:name/instructions', { schema: { tags: ['projects'], params: NameParams } }, async (req) => {
    const p = projects.resolve(req.params.name);
    return { file: row(INSTRUCTIONS_PATH, statOrNull(join(p.path, INSTRUCTIONS_PATH))) };
  });

  app.get('/v1/projects/:name/files', { schema: { tags: ['projects'], params: NameParams } }, async (req) => ({
    files: listFiles(projects.resolve(req.params.name).path),
  }));

  app.get('/v1/projects/:name/files/*', { schema: { tags: ['projects'], params: FileParams } }, async (req) => {
    const root = projects.resolve(req.params.name).path;
    const rel = req.params['*'];
    const abs = guardPath(root, rel);
    const st = statOrNull(abs);
    if (!st) {
      if (rel === INSTRUCTIONS_PATH) return { path: rel, content: '', size: 0, modified: null };
      throw notFound('File not found');
    }
    if (st.isDirectory()) throw badRequest('Path is a directory');
    if (st.size > TEXT_CAP) throw new HttpError(413, 'File too large to read inline');
    let content: string;
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(abs));
    } catch {
      throw new HttpError(415, 'File is not valid UTF-8 text');
    }
    return { path: rel, content, size: st.size, modified: st.mtimeMs / 1000 };
  });

  app.put('/v1/projects/:name/files/*', { schema: { tags: ['projects'], params: FileParams, body: z.object({ content: z.string() }) } }, async (req) => {
    const root = projects.resolve(req.params.name).path;
    const rel = req.params['*'];
    const abs = guardPath(root, rel);
    if (statOrNull(abs)?.isDirectory()) throw badRequest('Path is a directory');
    const data = Buffer.from(req.body.content, 'utf8');
    if (data.length > TEXT_CAP) throw new HttpError(413, 'Content exceeds 2 MiB cap');
    writeFileAtomic(abs, data);
    const st = statSync(abs);
    return { path: rel, size: st.size, modified: st.mtimeMs / 1000 };
  });

  app.delete('/v1/projects/:name/files/*', { schema: { tags: ['projects'], params: FileParams } }, async (req) => {
    const root = projects.resolve(req.params.name).path;
    const rel = req.params['*'];
    const abs = guardPath(root, rel);
    const st = statOrNull(abs);
    if (!st) throw notFound('File not found');
    if (st.isDirectory()) throw badRequest('Path is a directory');
    rmSync(abs);
    return { status: 'deleted', path: rel };
  });

  app.post('/v1/projects/:name/files/upload', { schema: { tags: ['projects'], params: NameParams, consumes: ['multipart/form-data'] } }, async (req) => {
    const root = projects.resolve(req.params.name).path;
    const results: ({ name: string; ok: true; size: number } | { name: string; ok: false; error: string })[] = [];
    for await (const part of fileParts(req)) {
      const name = basename(String(part.filename ?? '').replace(/\\/g, '/')).trim();
      if (!name) {
        part.file.resume();
        results.push({ name, ok: false, error: 'filename missing' });
        continue;
      }
      if (name.startsWith('.') || name.includes('\0')) {
        part.file.resume();
        results.push({ name, ok: false, error: 'invalid filename' });
        continue;
      }
      try {
        results.push({ name, ok: true, size: await saveUpload(part, root, name, 0o666) }); // project files keep the usual mode
      } catch (err) {
        if (err instanceof HttpError) throw err;
        results.push({ name, ok: false, error: 'File write failed' });
      }
    }
    return { results };
  });

  app.get('/v1/projects/:name/files-raw/*', { schema: { tags: ['projects'], params: FileParams } }, async (req, reply) => {
    const root = projects.resolve(req.params.name).path;
    const abs = guardPath(root, req.params['*']);
    if (!statOrNull(abs)?.isFile()) throw notFound('File not found');
    return reply
      .type(mimeFor(abs))
      .header('content-disposition', contentDisposition('attachment', basename(abs)))
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(abs));
  });

  app.post('/v1/projects/preview-mount-file', { schema: { tags: ['projects'], body: z.object({ name: z.string(), path: z.string() }) } }, async (req) => {
    const root = projects.resolve(req.body.name).path;
    const abs = guardPath(root, req.body.path);
    if (!statOrNull(abs)?.isFile()) throw notFound('File not found');
    if (!/\.html?$/i.test(abs)) throw new HttpError(415, 'Only HTML files can be previewed');
    const token = ctx.previews.mount(dirname(abs));
    const entry = basename(abs);
    return { token, entry, relUrl: `/v1/projects/preview-asset/${token}/${encodeURIComponent(entry)}` };
  });

  app.get('/v1/projects/preview-asset/:token/*', { schema: { tags: ['projects'], params: z.object({ token: z.string(), '*': z.string() }) } }, async (req, reply) => {
    const file = ctx.previews.resolve(req.params.token, req.params['*']);
    return reply.headers(previewAssetHeaders(ctx.env)).type(mimeFor(file)).send(createReadStream(file));
  });
});
