import { readlinkSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { DomainError } from '../../../core/errors.js';

/** The reference's attachment filename rule, plus: never a dot-name, never empty. */
export function safeFileName(raw: string): string {
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  const name = base.replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/^[.\s]+/, '').slice(0, 140).trim();
  return name || 'attachment';
}

export const newAttachmentId = () => `att_${randomBytes(8).toString('hex')}`;

export const UPLOAD_TEMP = /^\.upload-[0-9a-f]+\.tmp$/;

export const missingFiles = () => new DomainError('validation_failed', 'Field required: files', { issues: [{ path: ['files'], type: 'missing', message: 'Field required' }] });

/** busboy's parse errors carry no code: recognise them by message. */
export function isMalformedMultipartMessage(message: string | undefined): boolean {
  return /^(Multipart: |Unexpected end of (form|multipart data)|Malformed part header|Part terminated early)/.test(message ?? '');
}

export const isMalformedMultipart = (err: unknown) => isMalformedMultipartMessage((err as Error | undefined)?.message);

const malformed = (err: Error) => new DomainError('bad_input', `Malformed multipart body: ${err.message}`);

/**
 * The parts of a multipart request, each `files` part yielded, other files drained, plain fields passed to
 * `onField`. A body that is not multipart or has no `files` part is a 422; a malformed one a 400.
 */
export async function* fileParts(req: FastifyRequest, onField: (name: string, value: string) => void = () => {}): AsyncGenerator<MultipartFile> {
  if (!req.isMultipart()) throw missingFiles();
  let files = 0;
  const parts = req.parts();
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (err) {
      throw isMalformedMultipart(err) ? malformed(err as Error) : err;
    }
    if (next.done) break;
    const part = next.value;
    if (part.type === 'field') onField(part.fieldname, String(part.value));
    else if (part.fieldname !== 'files') part.file.resume();
    else {
      files++;
      yield part;
    }
  }
  if (!files) throw missingFiles();
}

/** Where an open file now lives, if the OS says (Linux): a folder renamed under us moves the file with it. */
function currentPath(fd: number): string | null {
  try {
    const p = readlinkSync(`/proc/self/fd/${fd}`);
    return p.endsWith(' (deleted)') ? null : p;
  } catch {
    return null;
  }
}

const MOVED = 'The project was renamed or deleted during the upload; upload the file again.';

/**
 * Stream one uploaded part into `dir/name` (via a temp file); 413 when it passes the size cap, 400 when the body is
 * malformed, 409 when the folder was renamed or deleted meanwhile. The temp file never outlives a failure, even
 * when its folder moved; with `ownFolder` the folder (made for this upload) goes too.
 */
export async function saveUpload(part: MultipartFile, dir: string, name: string, mode = 0o600, opts: { ownFolder?: boolean } = {}): Promise<number> {
  const tmp = join(dir, `.upload-${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | null = null;
  let done = false;
  try {
    fh = await open(tmp, 'wx', mode); // O_EXCL: never through a planted link
    try {
      for await (const chunk of part.file) await fh.write(chunk as Buffer);
    } catch (err) {
      throw isMalformedMultipart(err) ? malformed(err as Error) : err;
    }
    if (part.file.truncated) throw new DomainError('too_large', `File too large: ${name}`);
    renameSync(tmp, join(dir, name));
    done = true;
    return statSync(join(dir, name)).size;
  } catch (err) {
    part.file.resume(); // let the parser move on to the end of the body
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DomainError('conflict', MOVED);
    throw err;
  } finally {
    // Our open handle still knows where the temp file went if its folder was renamed meanwhile (Linux).
    const moved = !done && fh ? currentPath(fh.fd) : null;
    await fh?.close();
    if (!done) {
      rmSync(tmp, { force: true });
      if (moved && moved !== tmp) {
        rmSync(moved, { force: true });
        if (opts.ownFolder) rmEmptyDir(dirname(moved));
      }
    }
  }
}

function rmEmptyDir(dir: string): void {
  try {
    rmdirSync(dir); // fails (and is left) when not empty
  } catch {
    /* not empty or gone */
  }
}
