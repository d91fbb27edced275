import { closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { Unzip, UnzipInflate, Zip, ZipDeflate } from 'fflate';
import { resolveInside } from '../core/fs/safe-path.js';
import type { Paths } from '../core/paths.js';
import type { Message } from '../core/llm/types.js';
import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION } from '../core/version.js';
import { MIGRATIONS } from '../cowork/server/db/migrations.js';
import type { ServerServices } from '../cowork/server/server-services.js';
import type { ConversationMeta } from '../cowork/server/stores/conversations.js';
import { mintConversationId } from '../cowork/server/stores/conversations.js';
import { CliError } from './session.js';

/**
 * One-file backups (zip): a whole workspace — the database (SQLite backup API, consistent while others write),
 * project folders, memory, skills, legacy attachments and the vault, still encrypted — or one conversation.
 * Never included: ~/.anton/.env (API keys), scratchpad virtualenvs (rebuilt on demand), and the vault key unless
 * asked for (without it the vault records only open on the machine that made them).
 */
export const ARCHIVE_FORMAT = 'anton-archive';
export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: 1;
  kind: 'workspace' | 'conversation';
  anton_version: string;
  protocol_version: number;
  schema_version: number;
  created_at: string;
  includes_vault_key: boolean;
}

const SKIP_DIRS = new Set(['scratchpad-venvs', 'node_modules', '__pycache__']);
const CHUNK = 1 << 20;

class ArchiveWriter {
  private readonly fd: number;
  private readonly zip: Zip;
  private error: Error | null = null;
  files = 0;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'w', 0o600);
    this.zip = new Zip((err, data) => {
      if (err) this.error = err;
      else writeSync(this.fd, data);
    });
  }

  addBuffer(name: string, data: Uint8Array): void {
    const f = new ZipDeflate(name, { level: 6 });
    this.zip.add(f);
    f.push(data, true);
    this.files++;
  }

  addFile(name: string, path: string): void {
    const f = new ZipDeflate(name, { level: 6 });
    this.zip.add(f);
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(CHUNK);
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        f.push(buf.subarray(0, n));
      }
      f.push(new Uint8Array(0), true);
    } finally {
      closeSync(fd);
    }
    this.files++;
  }

  /** Every regular file under `dir` as `prefix/<relative path>` (symlinks and rebuildable folders skipped). */
  addTree(prefix: string, dir: string): void {
    if (!existsSync(dir)) return;
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const abs = join(d, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(abs);
        } else if (e.isFile()) this.addFile(`${prefix}/${relative(dir, abs).split(sep).join('/')}`, abs);
      }
    };
    walk(dir);
  }

  close(): void {
    this.zip.end();
    closeSync(this.fd);
    if (this.error) throw this.error;
  }
}

function manifest(kind: Manifest['kind'], includesKey: boolean): Manifest {
  return {
    format: ARCHIVE_FORMAT,
    version: 1,
    kind,
    anton_version: COWORK_SERVER_VERSION,
    protocol_version: COWORK_SERVER_PROTOCOL_VERSION,
    schema_version: MIGRATIONS[MIGRATIONS.length - 1].version,
    created_at: new Date().toISOString(),
    includes_vault_key: includesKey,
  };
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));

/** The whole workspace to one zip. `db` is the open database (its backup is consistent with concurrent writers). */
export async function exportWorkspace(ctx: Pick<ServerServices, 'db' | 'paths'>, file: string, withKey: boolean): Promise<{ file: string; files: number }> {
  const tmp = mkdtempSync(join(tmpdir(), 'anton-export-'));
  try {
    const dbCopy = join(tmp, 'cowork.db');
    await ctx.db.backup(dbCopy);
    const w = new ArchiveWriter(file);
    w.addBuffer('manifest.json', json({ ...manifest('workspace', withKey), schema_version: ctx.db.pragma('user_version', { simple: true }) as number }));
    w.addFile('db/cowork.db', dbCopy);
    w.addTree('projects', ctx.paths.projectsDir);
    w.addTree('memory', ctx.paths.memoryDir);
    w.addTree('skills', ctx.paths.skillsDir);
    w.addTree('state/vault', join(ctx.paths.coworkStateDir, 'vault'));
    w.addTree('state/attachments', join(ctx.paths.coworkStateDir, 'attachments'));
    const key = join(ctx.paths.coworkStateDir, 'vault.key');
    if (withKey && existsSync(key)) w.addFile('state/vault.key', key);
    w.close();
    return { file, files: w.files };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface ConversationDump {
  meta: ConversationMeta;
  history: Message[];
}

export function exportConversation(ctx: Pick<ServerServices, 'conversations'>, id: string, file: string): { file: string } {
  const meta = ctx.conversations.get(id);
  if (!meta) throw new CliError(`No conversation ${id}. \`anton sessions --all\` lists them.`);
  const w = new ArchiveWriter(file);
  w.addBuffer('manifest.json', json(manifest('conversation', false)));
  w.addBuffer('conversation.json', json({ meta, history: ctx.conversations.loadHistory(id) } satisfies ConversationDump));
  w.close();
  return { file };
}

/** Unpack a zip into `dir`; entry names that would escape it are refused. */
function unpack(file: string, dir: string): void {
  const uz = new Unzip();
  uz.register(UnzipInflate);
  let failure: Error | null = null;
  uz.onfile = (f) => {
    const target = resolveInside(dir, f.name);
    if (!target || f.name.endsWith('/')) {
      if (!target) failure = new CliError(`The archive holds an unsafe path: ${f.name}`);
      return;
    }
    mkdirSync(dirname(target), { recursive: true });
    const fd = openSync(target, 'w', 0o600);
    f.ondata = (err, data, final) => {
      if (err) failure = err;
      else writeSync(fd, data);
      if (final || err) closeSync(fd);
    };
    f.start();
  };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      uz.push(new Uint8Array(buf.subarray(0, n)), n === 0);
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  if (failure) throw failure;
}

export function readManifest(dir: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw new CliError('Not an Anton archive (no manifest.json).');
  }
  if (m.format !== ARCHIVE_FORMAT || m.version !== 1) throw new CliError('Not an Anton archive (unknown format).');
  return m;
}

/** Copy a tree over another: files with the same path are replaced, others are kept. */
function mergeTree(src: string, dest: string, mode?: number): number {
  if (!existsSync(src)) return 0;
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      const to = join(dest, relative(src, abs));
      if (e.isDirectory()) walk(abs);
      else {
        mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
        copyFileSync(abs, to);
        if (mode !== undefined) chmodSync(to, mode);
        n++;
      }
    }
  };
  walk(src);
  return n;
}

export interface ImportReport {
  kind: Manifest['kind'];
  conversation?: string;
  files?: number;
  backup?: string;
  /** restored: the archive's key was installed; kept: this machine has another key, so the archive's vault was left out. */
  vaultKey?: 'restored' | 'kept' | 'absent';
}

/** A conversation archive: added under its id (or a new id when that one exists and `asNew`). */
export function importConversation(ctx: Pick<ServerServices, 'conversations' | 'projects'>, dir: string, asNew: boolean): ImportReport {
  const dump = JSON.parse(readFileSync(join(dir, 'conversation.json'), 'utf8')) as ConversationDump;
  let id = dump.meta.id;
  if (ctx.conversations.get(id)) {
    if (!asNew) throw new CliError(`Conversation ${id} already exists. Add --as-new to import it as a copy.`);
    id = mintConversationId();
  }
  const project = ctx.projects.exists(dump.meta.project) ? dump.meta.project : ctx.projects.create(dump.meta.project).name;
  ctx.conversations.ensure(id, project);
  ctx.conversations.saveHistory(id, dump.history, 0, null);
  ctx.conversations.restoreMeta(id, dump.meta);
  return { kind: 'conversation', conversation: id };
}

/**
 * A workspace archive replaces the database (after a safety export of the current workspace) and merges the
 * folders. Refused while another Anton process has the state dir open.
 */
export async function importWorkspace(paths: Paths, dir: string, m: Manifest, safetyExport: (file: string) => Promise<unknown>): Promise<ImportReport> {
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (m.schema_version > latest) throw new CliError(`The archive's database (schema ${m.schema_version}) is newer than this Anton (${latest}). Upgrade first.`);
  const backup = join(paths.coworkStateDir, 'backups', `before-import-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`);
  await safetyExport(backup);
  // The database: copied with the backup API into place (WAL files of the old one removed first).
  const src = new Database(join(dir, 'db', 'cowork.db'), { readonly: true, fileMustExist: true });
  try {
    const integrity = src.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new CliError(`The archive's database is damaged (${String(integrity)}). Nothing was changed.`);
    for (const ext of ['', '-wal', '-shm']) rmSync(`${paths.databaseFile}${ext}`, { force: true });
    mkdirSync(dirname(paths.databaseFile), { recursive: true, mode: 0o700 });
    await src.backup(paths.databaseFile);
  } finally {
    src.close();
  }
  let files = 1;
  files += mergeTree(join(dir, 'projects'), paths.projectsDir);
  files += mergeTree(join(dir, 'memory'), paths.memoryDir);
  files += mergeTree(join(dir, 'skills'), paths.skillsDir);
  files += mergeTree(join(dir, 'state', 'attachments'), join(paths.coworkStateDir, 'attachments'));
  // Vault records stay encrypted; records made under another key are only brought in with that key.
  let vaultKey: ImportReport['vaultKey'] = 'absent';
  const keyIn = join(dir, 'state', 'vault.key');
  const keyHere = join(paths.coworkStateDir, 'vault.key');
  if (existsSync(keyIn)) {
    if (existsSync(keyHere) && !readFileSync(keyHere).equals(readFileSync(keyIn))) vaultKey = 'kept';
    else {
      copyFileSync(keyIn, keyHere);
      chmodSync(keyHere, 0o600);
      vaultKey = 'restored';
    }
  }
  if (vaultKey !== 'kept') files += mergeTree(join(dir, 'state', 'vault'), join(paths.coworkStateDir, 'vault'), 0o600);
  return { kind: 'workspace', files, backup, vaultKey };
}

export function unpackArchive(file: string): { dir: string; manifest: Manifest; cleanup: () => void } {
  if (!existsSync(file) || !lstatSync(file).isFile()) throw new CliError(`No archive at ${file}.`);
  const dir = mkdtempSync(join(tmpdir(), 'anton-import-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    unpack(file, dir);
    return { dir, manifest: readManifest(dir), cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
