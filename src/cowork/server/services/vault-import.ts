import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DataVault, VaultRecord } from '../../../core/vault/vault.js';
import { writeFileAtomic } from '../../../core/fs/atomic.js';
import type { ImportLedger } from './import-ledger.js';
import { sha256 } from './import-ledger.js';
import { count, reconcileItem, type Baseline, type ImportReport } from './import-reconcile.js';

/** The reference's plaintext records: `~/.anton/data_vault/<engine>-<name>` (JSON, no extension). */
function plaintextFiles(sourceDir: string): string[] {
  if (!existsSync(sourceDir)) return [];
  return readdirSync(sourceDir).filter((f) => !f.startsWith('.') && !f.endsWith('.tmp') && statSync(join(sourceDir, f)).isFile());
}

function readRecord(file: string): Partial<VaultRecord> {
  const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<VaultRecord>;
  if (!rec.engine || !rec.name || typeof rec.fields !== 'object' || !rec.fields) throw new Error('not a vault record');
  return rec;
}

const connectionId = (engine: string, name: string) => `${engine}/${name}`;
const fieldsHash = (rec: VaultRecord | null) => sha256(JSON.stringify(rec?.fields ?? null));

/**
 * Reconcile the reference's plaintext vault into the encrypted one. Field names are kept exactly as the reference
 * stored them (`username` for PostgreSQL, `_method`, `_connector_id`…), and so are the record's dates.
 */
export function importPlaintextVault(vault: DataVault, sourceDir: string, ledger: ImportLedger, report: ImportReport, baseline: Baseline): void {
  for (const f of plaintextFiles(sourceDir)) {
    const path = join(sourceDir, f);
    let rec: Partial<VaultRecord>;
    try {
      rec = readRecord(path);
    } catch (e) {
      report.errors.push(`data_vault/${f}: ${(e as Error).message}`);
      count(report, 'connection', 'skipped');
      continue;
    }
    const engine = String(rec.engine);
    const name = String(rec.name);
    const save = () =>
      void vault.save(engine, name, Object.fromEntries(Object.entries(rec.fields!).map(([k, v]) => [k, String(v)])), Array.isArray(rec.secure_keys) ? rec.secure_keys : [], {
        created_at: rec.created_at,
        updated_at: rec.updated_at,
      });
    reconcileItem(ledger, report, path, baseline, {
      since: statSync(path).mtimeMs,
      kind: 'connection',
      key: f,
      localId: connectionId(engine, name),
      item: rec,
      exists: () => !!vault.get(engine, name),
      localHash: () => fieldsHash(vault.get(engine, name)),
      create: save,
      update: save,
    });
  }
}

/** Plaintext files whose connection is now in the encrypted vault (or was deleted here): safe to remove. */
export function plaintextCredentialFiles(vault: DataVault, sourceDir: string, ledger: ImportLedger): string[] {
  return plaintextFiles(sourceDir).filter((f) => {
    const entry = ledger.get('connection', f);
    if (!entry) return false;
    if (ledger.isTombstoned('connection', entry.local_id)) return true;
    try {
      const rec = readRecord(join(sourceDir, f));
      const here = vault.get(String(rec.engine), String(rec.name));
      return !!here && Object.entries(rec.fields!).every(([k, v]) => here.fields[k] === String(v));
    } catch {
      return false;
    }
  });
}

// --- secure removal with an encrypted backup ---------------------------------------------------------------

/** A key for backups, derived from the vault key (never the vault key itself). */
function backupKey(vault: DataVault): Buffer {
  if (!existsSync(vault.keyFile)) throw new Error('The encrypted vault has no key yet; nothing was imported into it');
  const master = Buffer.from(readFileSync(vault.keyFile, 'utf8').trim(), 'base64');
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'anton plaintext-credential backup v1', 32));
}

export function sealBackup(vault: DataVault, name: string, plain: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', backupKey(vault), iv);
  c.setAAD(Buffer.from(name));
  const data = Buffer.concat([c.update(plain), c.final()]);
  return JSON.stringify({ v: 1, alg: 'aes-256-gcm', kdf: 'hkdf-sha256(vault.key)', file: name, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') });
}

/** Decrypt a backup written by removePlaintextCredentials (restore by writing the result back as the file). */
export function openBackup(vault: DataVault, text: string): { file: string; content: Buffer } {
  const env = JSON.parse(text) as { file: string; iv: string; tag: string; data: string };
  const d = createDecipheriv('aes-256-gcm', backupKey(vault), Buffer.from(env.iv, 'base64'));
  d.setAAD(Buffer.from(env.file));
  d.setAuthTag(Buffer.from(env.tag, 'base64'));
  return { file: env.file, content: Buffer.concat([d.update(Buffer.from(env.data, 'base64')), d.final()]) };
}

/** Overwrite with random bytes and flush before unlinking, so the plaintext does not linger in the file's blocks. */
function shred(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(Math.max(size, 1)), 0, Math.max(size, 1), 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(file);
}

/**
 * Remove the reference's plaintext credential files that are safely in the encrypted vault (or deleted here), each
 * after an encrypted backup in `<state dir>/backups/data_vault/`. Returns the removed file names and the backup dir.
 */
export function removePlaintextCredentials(vault: DataVault, sourceDir: string, ledger: ImportLedger, backupsRoot: string): { removed: string[]; backupDir: string } {
  const files = plaintextCredentialFiles(vault, sourceDir, ledger);
  const backupDir = join(backupsRoot, 'data_vault');
  if (!files.length) return { removed: [], backupDir };
  mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const removed: string[] = [];
  for (const f of files) {
    const path = join(sourceDir, f);
    const plain = readFileSync(path);
    const backup = join(backupDir, `${f}.${stamp}.enc`);
    writeFileAtomic(backup, sealBackup(vault, f, plain), { mode: 0o600 });
    // Only shred once the backup reads back to the same bytes.
    if (!openBackup(vault, readFileSync(backup, 'utf8')).content.equals(plain)) throw new Error(`backup of ${f} did not verify; nothing removed`);
    shred(path);
    removed.push(f);
  }
  return { removed, backupDir };
}
