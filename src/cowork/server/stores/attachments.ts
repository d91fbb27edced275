import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { isSafeSegment } from '../../../core/fs/safe-path.js';
import { mimeFor } from '../mime.js';
import { DomainError } from '../../../core/errors.js';

export interface FileAttachment {
  id: string;
  name: string;
  mime: string;
  size: number;
  path: string;
  created_at: string;
  updated_at: string;
}

const ATT_ID_RE = /^att_[A-Za-z0-9]{4,64}$/;

export function checkAttachmentId(id: string): void {
  if (!ATT_ID_RE.test(id)) throw new DomainError('bad_input', 'Invalid attachment id');
}

/** C's layout: `<project>/.anton/uploads/<session>/<att_id>/<file>`, nothing in the database. */
export function uploadsDir(projectPath: string, sessionId: string): string {
  if (!isSafeSegment(sessionId, 128)) throw new DomainError('bad_input', 'Invalid session id');
  return join(projectPath, '.anton', 'uploads', sessionId);
}

export function describeUpload(dir: string, id: string): FileAttachment | null {
  const folder = join(dir, id);
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => !f.startsWith('.'));
  } catch {
    return null;
  }
  if (!files.length) return null;
  const path = join(folder, files[0]);
  const st = statSync(path);
  return { id, name: files[0], mime: mimeFor(path), size: st.size, path, created_at: st.birthtime.toISOString(), updated_at: st.mtime.toISOString() };
}

export function listUploads(dir: string): FileAttachment[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => ATT_ID_RE.test(d))
    .flatMap((d) => describeUpload(dir, d) ?? [])
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}

export function ensureUploadFolder(dir: string, id: string): string {
  const folder = join(dir, id);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
}

export function removeUpload(dir: string, id: string): void {
  checkAttachmentId(id);
  if (!existsSync(join(dir, id))) throw new DomainError('not_found', 'Attachment not found.');
  rmSync(join(dir, id), { recursive: true, force: true });
}

/** A's legacy attachments: metadata rows, files under the state dir. */
export class LegacyAttachmentStore {
  constructor(
    private readonly db: Db,
    readonly root: string,
  ) {}

  list(sessionId?: string, ids?: string[]): Record<string, unknown>[] {
    const rows = this.db.prepare<[], { data: string }>('SELECT data FROM attachments ORDER BY created_at DESC').all();
    let all = rows.map((r) => JSON.parse(r.data) as Record<string, unknown>);
    if (sessionId) all = all.filter((a) => a.sessionId === sessionId);
    if (ids?.length) {
      const byId = new Map<string, Record<string, unknown>>(all.map((a) => [String(a.id), a]));
      return ids.flatMap((id) => {
        const a = byId.get(id);
        return a ? [a] : [];
      });
    }
    return all;
  }

  get(id: string): Record<string, unknown> | null {
    const r = this.db.prepare<[string], { data: string }>('SELECT data FROM attachments WHERE id = ?').get(id);
    return r ? (JSON.parse(r.data) as Record<string, unknown>) : null;
  }

  insert(a: Record<string, unknown> & { id: string; createdAt: string; sessionId?: string | null }): void {
    this.db.prepare('INSERT INTO attachments (id, session_id, created_at, data) VALUES (?, ?, ?, ?)').run(a.id, a.sessionId ?? null, a.createdAt, JSON.stringify(a));
  }

  delete(id: string): boolean {
    const ok = this.db.prepare('DELETE FROM attachments WHERE id = ?').run(id).changes > 0;
    if (ok && ATT_ID_RE.test(id)) rmSync(join(this.root, id), { recursive: true, force: true });
    return ok;
  }
}

const TEMP_UPLOAD = /^\.upload-[0-9a-f]+\.tmp$/;

/** Real (not linked) sub-folders of `dir` whose names match `re`. */
function subdirs(dir: string, re: RegExp): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && re.test(d.name))
      .map((d) => join(dir, d.name));
  } catch {
    return [];
  }
}

/** Remove a folder's upload temp files; then the folder itself if `dropIfEmpty` and nothing else is in it. */
function sweep(dir: string, dropIfEmpty: boolean): number {
  let removed = 0;
  let rest = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isFile() && TEMP_UPLOAD.test(e.name)) {
        rmSync(join(dir, e.name), { force: true });
        removed++;
      } else rest++;
    }
    if (dropIfEmpty && rest === 0) rmSync(dir, { recursive: true, force: true });
  } catch {
    /* gone or unreadable: nothing to clean */
  }
  return removed;
}

/**
 * Boot-time cleanup after a crash: upload temp files (`.upload-*.tmp`) in project roots, attachment folders and
 * legacy attachment folders, and attachment folders left empty. Links are never followed; nothing else is touched.
 */
export function removeUploadLeftovers(projectDirs: string[], legacyRoot: string): number {
  let removed = 0;
  for (const project of projectDirs) {
    removed += sweep(project, false);
    for (const session of subdirs(join(project, '.anton', 'uploads'), /^[^.]/)) {
      for (const att of subdirs(session, ATT_ID_RE)) removed += sweep(att, true);
    }
  }
  for (const att of subdirs(legacyRoot, ATT_ID_RE)) removed += sweep(att, true);
  return removed;
}
