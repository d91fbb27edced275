import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { extname, join, basename } from 'node:path';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { describeUpload, ensureUploadFolder, listUploads, removeUpload, uploadsDir, checkAttachmentId, type FileAttachment } from '../stores/attachments.js';
import { untrustedContentHeaders } from '../stores/preview-mounts.js';
import { fileParts, newAttachmentId, safeFileName, saveUpload } from '../services/uploads.js';
import { mimeFor } from '../mime.js';
import { contentDisposition } from './projects.js';
import { routeGroup } from './types.js';
import { adoptedAttachment, adoptedForSession, deleteAdopted, moveAdopted } from '../services/adopted-attachments.js';
import { recordTombstone } from '../services/import-ledger.js';
import { staysInside } from '../../../core/fs/safe-path.js';

const ScopeParams = z.object({ project: z.string(), session_id: z.string() });
const AttParams = ScopeParams.extend({ att_id: z.string() });
const Ids = z.object({ ids: z.union([z.string(), z.array(z.string())]).optional() });
const idList = (ids: string | string[] | undefined) => (ids === undefined ? undefined : ([] as string[]).concat(ids).flatMap((s) => s.split(',')).filter(Boolean));

const OUTSIDE = 'The uploads folder leads outside the project (a symbolic link); refusing to follow it.';

export const attachmentRoutes = routeGroup(['db', 'env', 'legacyAttachments', 'projects'], (app, ctx) => {
  /** The session's uploads folder; 403 when a planted link would take it (or anything in it) out of the project. */
  const dirFor = (project: string, session: string) => {
    const root = ctx.projects.resolve(project).path;
    const dir = uploadsDir(root, session);
    if (!staysInside(root, dir)) throw new HttpError(403, OUTSIDE);
    return { root, dir };
  };
  /** An attachment whose folder and file really are inside the project (links out count as missing). */
  const findUpload = (root: string, dir: string, id: string): FileAttachment | null => {
    const att = describeUpload(dir, id);
    return att && staysInside(root, att.path) ? att : null;
  };

  /** One of A's attachments, unless its file is a link out of A's attachments folder. */
  const findAdopted = (session: string, id: string) => {
    const att = adoptedAttachment(ctx.legacyAttachments, session, id);
    return att && (!att.path || staysInside(ctx.legacyAttachments.root, att.path)) ? att : null;
  };

  // --- C: per-conversation uploads ------------------------------------------------------------------
  app.get('/v1/attachments/:project/:session_id', { schema: { tags: ['attachments'], params: ScopeParams, querystring: Ids } }, async (req) => {
    const { root, dir } = dirFor(req.params.project, req.params.session_id);
    const all = [...listUploads(dir).filter((a) => staysInside(root, a.path)), ...adoptedForSession(ctx.legacyAttachments, req.params.session_id)];
    const ids = idList(req.query.ids);
    return ids ? all.filter((a) => ids.includes(a.id)) : all;
  });

  app.post('/v1/attachments/:project/:session_id/upload', { schema: { tags: ['attachments'], params: ScopeParams, consumes: ['multipart/form-data'] } }, async (req) => {
    const { root, dir } = dirFor(req.params.project, req.params.session_id);
    const out: FileAttachment[] = [];
    for await (const part of fileParts(req)) {
      const id = newAttachmentId();
      const folder = ensureUploadFolder(dir, id);
      try {
        if (!staysInside(root, folder)) throw new HttpError(403, OUTSIDE); // a link planted while we were writing
        await saveUpload(part, folder, safeFileName(part.filename ?? ''), 0o600, { ownFolder: true });
      } catch (err) {
        rmSync(folder, { recursive: true, force: true });
        throw err;
      }
      const att = describeUpload(dir, id);
      if (!att) throw new HttpError(409, 'The project was renamed or deleted during the upload; upload the file again.');
      out.push(att);
    }
    return out;
  });

  app.delete('/v1/attachments/:project/:session_id/:att_id', { schema: { tags: ['attachments'], params: AttParams } }, async (req) => {
    if (!deleteAdopted(ctx.db, ctx.legacyAttachments, req.params.session_id, req.params.att_id)) {
      const { root, dir } = dirFor(req.params.project, req.params.session_id);
      checkAttachmentId(req.params.att_id);
      if (!staysInside(root, join(dir, req.params.att_id))) throw notFound('Attachment not found.');
      removeUpload(dir, req.params.att_id);
    }
    return { ok: true };
  });

  app.get('/v1/attachments/:project/:session_id/:att_id/raw', { schema: { tags: ['attachments'], params: AttParams } }, async (req, reply) => {
    checkAttachmentId(req.params.att_id);
    const { root, dir } = dirFor(req.params.project, req.params.session_id);
    const att = findUpload(root, dir, req.params.att_id) ?? findAdopted(req.params.session_id, req.params.att_id);
    if (!att) throw notFound('Attachment not found.');
    if (!att.path) return reply.headers(untrustedContentHeaders(ctx.env)).type('text/plain; charset=utf-8').send((att as { text?: string }).text ?? ''); // A's text snippet
    return reply.headers(untrustedContentHeaders(ctx.env)).type(att.mime).header('content-disposition', contentDisposition('inline', att.name)).send(createReadStream(att.path));
  });

  app.post('/v1/attachments/:project/:session_id/:att_id/move-to-project', { schema: { tags: ['attachments'], params: AttParams } }, async (req) => {
    checkAttachmentId(req.params.att_id);
    const project = ctx.projects.resolve(req.params.project);
    const { root, dir } = dirFor(req.params.project, req.params.session_id);
    const att = findUpload(root, dir, req.params.att_id) ?? findAdopted(req.params.session_id, req.params.att_id);
    if (!att) throw notFound('Attachment not found.');
    const ext = extname(att.name);
    const stem = basename(att.name, ext);
    let dest = att.name;
    for (let n = 1; existsSync(join(project.path, dest)); n++) {
      if (n > 99) throw new HttpError(409, 'Too many files with that name in the project');
      dest = `${stem} (${n})${ext}`;
    }
    if ('kind' in att) moveAdopted(ctx.db, ctx.legacyAttachments, att, join(project.path, dest)); // one of A's attachments
    else {
      renameSync(att.path, join(project.path, dest));
      rmSync(join(dir, req.params.att_id), { recursive: true, force: true });
    }
    return { ok: true, project_path: dest, absolute_path: join(project.path, dest) };
  });

  // --- A: legacy global attachments -----------------------------------------------------------------
  const legacy = ctx.legacyAttachments;

  app.get('/v1/attachments', { schema: { tags: ['attachments'], querystring: Ids.extend({ session_id: z.string().optional() }) } }, async (req) => ({
    attachments: legacy.list(req.query.session_id, idList(req.query.ids)),
  }));

  app.post('/v1/attachments/upload', { schema: { tags: ['attachments'], consumes: ['multipart/form-data'] } }, async (req) => {
    const out: { id: string; createdAt: string; sessionId: string | null; projectPath: string | null; [k: string]: unknown }[] = [];
    const fields: Record<string, string> = {};
    try {
      for await (const part of fileParts(req, (k, v) => (fields[k] = v))) {
        const id = newAttachmentId();
        const folder = join(legacy.root, id);
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const name = safeFileName(part.filename ?? '');
        let size: number;
        try {
          size = await saveUpload(part, folder, name, 0o600, { ownFolder: true });
        } catch (err) {
          rmSync(folder, { recursive: true, force: true });
          throw err;
        }
        const now = new Date().toISOString();
        const a = {
          id,
          kind: 'file',
          name,
          mime: part.mimetype && part.mimetype !== 'application/octet-stream' ? part.mimetype : mimeFor(name),
          size,
          path: join(folder, name),
          sessionId: null,
          projectPath: null,
          createdAt: now,
          updatedAt: now,
        };
        out.push(a);
      }
    } catch (err) {
      for (const a of out) rmSync(join(legacy.root, a.id), { recursive: true, force: true }); // nothing half-recorded
      throw err;
    }
    // Form fields may come after the files: apply them once the whole form is read.
    for (const a of out) {
      a.sessionId = fields.session_id || null;
      a.projectPath = fields.project_path || null;
      legacy.insert(a);
    }
    return { attachments: out };
  });

  app.post(
    '/v1/attachments/snippet',
    {
      schema: {
        tags: ['attachments'],
        body: z.object({
          title: z.string().max(160).default('Snippet'),
          content: z.string().max(2_000_000),
          language: z.string().max(40).nullish(),
          session_id: z.string().nullish(),
          project_path: z.string().nullish(),
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const now = new Date().toISOString();
      const text = b.content.slice(0, 120_000);
      const a = {
        id: newAttachmentId(),
        kind: 'snippet',
        name: b.title,
        mime: 'text/plain',
        size: Buffer.byteLength(b.content, 'utf8'),
        path: null,
        source: 'snippet',
        sourceUrl: null,
        sessionId: b.session_id ?? null,
        projectPath: b.project_path ?? null,
        language: b.language ?? null,
        createdAt: now,
        updatedAt: now,
        status: 'ready',
        extractionStatus: 'ready',
        text,
        textPreview: b.content.replace(/\s+/g, ' ').trim().slice(0, 320),
        truncated: b.content.length > text.length,
        note: null,
      };
      legacy.insert(a);
      return { attachment: a };
    },
  );

  app.delete('/v1/attachments/:attachment_id', { schema: { tags: ['attachments'], params: z.object({ attachment_id: z.string() }) } }, async (req) => {
    if (!legacy.delete(req.params.attachment_id)) throw notFound('Attachment not found.');
    recordTombstone(ctx.db, 'attachment', req.params.attachment_id); // an imported attachment stays deleted
    return { ok: true };
  });
});
