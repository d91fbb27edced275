import { copyFileSync, existsSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { Db } from '../db/database.js';
import type { FileAttachment, LegacyAttachmentStore } from '../stores/attachments.js';
import { recordTombstone } from './import-ledger.js';

/**
 * A's attachments (metadata rows, files under `~/.anton/cowork/attachments/`, snippets with their text) seen through
 * C's per-conversation routes, so the current client shows them in the conversation they were attached to.
 */
export interface AdoptedAttachment extends Omit<FileAttachment, 'path'> {
  path: string | null;
  kind: string;
  text?: string;
}

/** A's own layout only (`…/attachments/<id>/<name>`): a path in state.json never opens any other file. */
function safePath(a: Record<string, unknown>): string | null {
  if (typeof a.path !== 'string' || !isAbsolute(a.path)) return null;
  const p = resolve(a.path);
  return p === a.path && basename(dirname(p)) === a.id && basename(dirname(dirname(p))) === 'attachments' ? p : null;
}

function toAttachment(a: Record<string, unknown>): AdoptedAttachment {
  const path = safePath(a);
  let size = Number(a.size) || 0;
  if (path && !size) {
    try {
      size = statSync(path).size;
    } catch {
      size = 0;
    }
  }
  return {
    id: String(a.id),
    name: String(a.name ?? 'attachment'),
    mime: String(a.mime ?? 'application/octet-stream'),
    size,
    path,
    created_at: String(a.createdAt ?? ''),
    updated_at: String(a.updatedAt ?? a.createdAt ?? ''),
    kind: String(a.kind ?? 'file'),
    ...(a.kind === 'snippet' ? { text: String(a.text ?? '') } : {}),
  };
}

/** The session's A attachments (files whose file still exists, and snippets), newest first. */
export function adoptedForSession(legacy: LegacyAttachmentStore, sessionId: string): AdoptedAttachment[] {
  return legacy
    .list(sessionId)
    .map(toAttachment)
    .filter((a) => a.kind === 'snippet' || (a.path !== null && existsSync(a.path)))
    .map(({ text: _text, ...a }) => a);
}

export function adoptedAttachment(legacy: LegacyAttachmentStore, sessionId: string, id: string): AdoptedAttachment | null {
  const a = legacy.get(id);
  if (!a || a.sessionId !== sessionId) return null;
  const att = toAttachment(a);
  return att.kind === 'snippet' || att.path ? att : null;
}

/** Delete one (files included) and remember it, so an import does not bring it back. False when not one of A's. */
export function deleteAdopted(db: Db, legacy: LegacyAttachmentStore, sessionId: string, id: string): boolean {
  if (!adoptedAttachment(legacy, sessionId, id)) return false;
  legacy.delete(id);
  recordTombstone(db, 'attachment', id);
  return true;
}

/** Move-to-project for one of A's attachments: the file (or a snippet's text) becomes `dest`; the attachment is gone. */
export function moveAdopted(db: Db, legacy: LegacyAttachmentStore, att: AdoptedAttachment, dest: string): void {
  if (!att.path) writeFileSync(dest, att.text ?? '', { flag: 'wx' });
  else {
    try {
      renameSync(att.path, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      copyFileSync(att.path, dest); // A's attachments folder may sit on another volume than the projects
      unlinkSync(att.path);
    }
  }
  legacy.delete(att.id);
  recordTombstone(db, 'attachment', att.id);
}
