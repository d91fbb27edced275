import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { EnvStore } from '../../core/settings/env-store.js';

/** Keys and tokens never reach a log line, whatever logged them. */
const REDACT = ['req.headers.authorization', 'req.headers["x-api-key"]', '*.apiKey', '*.api_key', '*.token', '*.password', '*.secret'];

/**
 * A size-capped log file: when it passes `maxBytes` it becomes `<file>.1` (the older `.1` becomes `.2`, and so on up
 * to `keep`). Written synchronously, one line at a time, so a crash loses nothing that was logged.
 */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly keep = 3,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.fd = openSync(file, 'a', 0o600);
    this.size = statSync(file).size;
  }

  write(line: string): void {
    const buf = Buffer.from(line);
    if (this.size + buf.length > this.maxBytes && this.size > 0) this.rotate();
    this.size += writeSync(this.fd, buf);
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        /* not there yet */
      }
    }
    renameSync(this.file, `${this.file}.1`);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = 0;
  }
}

/** Where the server writes its log file (ANTON_LOG_FILE; `off` for none). */
export function logFilePath(env: EnvStore, coworkStateDir: string): string | null {
  const v = env.get('ANTON_LOG_FILE');
  if (v && ['off', 'false', 'none', '0'].includes(v.toLowerCase())) return null;
  return v || join(coworkStateDir, 'logs', 'server.log');
}

/**
 * The server's logger: JSON lines on stdout (what a desktop app or service manager captures), short readable lines
 * when stdout is a terminal, and always JSON into the rotating log file in the state dir.
 */
export function createLogger(env: EnvStore, coworkStateDir: string, level: string): Logger {
  if (level === 'silent') return pino({ level });
  const file = logFilePath(env, coworkStateDir);
  let fileStream: RotatingFile | null = null;
  if (file) {
    try {
      fileStream = new RotatingFile(file, Math.max(1, env.setting('ANTON_LOG_FILE_MAX_MB')) * 1024 * 1024);
    } catch {
      fileStream = null; // an unwritable log folder must not stop the server; stdout still has everything
    }
  }
  const tty = process.stdout.isTTY === true && !env.setting('ANTON_LOG_JSON');
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: tty ? prettyStream() : process.stdout }];
  if (fileStream) streams.push({ level: level as pino.Level, stream: { write: (line: string) => fileStream!.write(line) } });
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.multistream(streams));
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** `12:04:05 WARN  message  key=value …`: what a person reads in a terminal (NO_COLOR needs nothing: there is no colour). */
function prettyStream(): { write(line: string): void } {
  return {
    write(line: string) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stdout.write(line);
        return;
      }
      const { level, time, msg, pid: _pid, hostname: _host, ...rest } = o;
      const t = new Date(Number(time)).toTimeString().slice(0, 8);
      const extra = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      process.stdout.write(`${t} ${(LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5)} ${String(msg ?? '')}${extra ? `  ${extra}` : ''}\n`);
    },
  };
}
