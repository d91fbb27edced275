import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import { HttpError } from '../errors.js';

/** The reference's attachment filename rule, plus: never a dot-name, never empty. */
export function safeFileName(raw: string): string {
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  const name = base.replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/^[.\s]+/, '').slice(0, 140).trim();
  return name || 'attachment';
}

export const newAttachmentId = () => `att_${randomBytes(8).toString('hex')}`;

/** Stream one uploaded part into `dir/name` (via a temp file); 413 when it passes the size cap. */
export async function saveUpload(part: MultipartFile, dir: string, name: string, mode = 0o600): Promise<number> {
  const tmp = join(dir, `.upload-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await pipeline(part.file, createWriteStream(tmp, { mode, flags: 'wx' }));
    if (part.file.truncated) throw new HttpError(413, `File too large: ${name}`);
    renameSync(tmp, join(dir, name));
    return statSync(join(dir, name)).size;
  } finally {
    rmSync(tmp, { force: true });
  }
}
