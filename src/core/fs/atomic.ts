import { mkdirSync, renameSync, writeFileSync, chmodSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  mode?: number; // file mode, e.g. 0o600
  dirMode?: number; // mode for a created parent directory, e.g. 0o700
}

/** Write via a temp file in the same directory, fsync, then rename: readers never see a torn file. */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: opts.dirMode });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, data, { mode: opts.mode ?? 0o644 });
  if (opts.mode !== undefined) chmodSync(tmp, opts.mode); // umask may have narrowed/widened it
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
