import { DatabaseTooNewError } from './db/database.js';

export interface BootWhere {
  host: string;
  port: number;
  stateDir: string;
}

/** One line a person can act on, for the errors a start most often meets; the stack only at debug level. */
export function describeBootError(err: unknown, where: BootWhere, debug = false): string {
  if (err instanceof DatabaseTooNewError) return err.message;
  const e = err as NodeJS.ErrnoException;
  const path = e.path ? ` ${e.path}` : '';
  switch (e.code) {
    case 'EADDRINUSE':
      return `anton-cowork-server: port ${where.port} on ${where.host} is already in use (another Anton server is probably running). Stop it, or start this one with --port <n>.`;
    case 'EADDRNOTAVAIL':
      return `anton-cowork-server: cannot listen on ${where.host}: no such local address. Use --host 127.0.0.1.`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `anton-cowork-server: cannot write${path} (${e.code === 'EROFS' ? 'read-only file system' : 'permission denied'}). Make ${where.stateDir} writable, or choose another folder with --state-dir <dir>.`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `anton-cowork-server: cannot create${path}: a file is in the way of a folder. Choose another folder with --state-dir <dir>.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `anton-cowork-server: the disk holding ${where.stateDir} is full. Free some space and start again.`;
    default:
      return `anton-cowork-server failed to start: ${e?.message ?? String(err)}${debug && e?.stack ? `\n${e.stack}` : ' (run with --log-level debug for details)'}`;
  }
}
