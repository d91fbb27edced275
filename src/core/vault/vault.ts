import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';

export interface VaultRecord {
  engine: string;
  name: string;
  created_at: string;
  updated_at: string;
  fields: Record<string, string>;
  secure_keys: string[];
}

/** The reference's modify-flow sentinel: "keep the stored secret". */
/** A record that fails its integrity check: changed on disk, moved from another name, or sealed with another key. */
export class VaultIntegrityError extends Error {
  constructor(readonly recordId: string) {
    super(`Vault record ${recordId} failed its integrity check (changed on disk, copied from another record, or encrypted with another vault.key); it was not read. Delete the connection and add it again.`);
    this.name = 'VaultIntegrityError';
  }
}

export const VAULT_KEEP = '__anton_vault_keep__';
const SECRET_HINT = /password|passphrase|secret|token|key|credential|auth/i;

export function isSecretKey(field: string, secureKeys?: string[]): boolean {
  return secureKeys ? secureKeys.includes(field) : SECRET_HINT.test(field);
}

/** `[^\w-]` → `_`, as the reference names vault files. */
export function vaultSlug(s: string): string {
  return s.replace(/[^\w-]/g, '_').replace(/^_+|_+$/g, '');
}

/** DS_<ENGINE>_<NAME>__<FIELD> (the reference's naming, so existing code in users' prompts keeps working). */
export function envPrefix(engine: string, name: string): string {
  return `DS_${`${engine}-${name}`.replace(/[^\w]/g, '_').toUpperCase()}`;
}

interface Envelope {
  v: 1;
  alg: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
}

/**
 * Credentials encrypted at rest: one AES-256-GCM envelope per connection (random 12-byte IV, the record id as
 * additional data so files cannot be swapped), written atomically with mode 0600 in a 0700 folder.
 * The 32-byte key lives in a 0600 key file beside the vault (OS keychains need a desktop session; see docs).
 */
export class DataVault {
  private key: Buffer | null = null;

  constructor(
    readonly dir: string,
    readonly keyFile: string,
  ) {}

  private getKey(): Buffer {
    if (this.key) return this.key;
    if (existsSync(this.keyFile)) {
      this.key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
      if (this.key.length !== 32) throw new Error(`Vault key file ${this.keyFile} is not a 32-byte base64 key`);
    } else {
      this.key = randomBytes(32);
      writeFileAtomic(this.keyFile, this.key.toString('base64') + '\n', { mode: 0o600, dirMode: 0o700 });
    }
    return this.key;
  }

  /**
   * The record id (file stem and additional data): a readable slug plus a hash of the exact engine and name, so
   * `prod.db` and `prod db` never share a file. Earlier versions used the bare slug (see legacyId), which has no `.`.
   */
  private id(engine: string, name: string): string {
    const hash = createHash('sha256').update(`${engine}\0${name}`).digest('hex').slice(0, 20);
    return `${vaultSlug(engine).slice(0, 60)}-${vaultSlug(name).slice(0, 80)}.${hash}`;
  }

  private legacyId(engine: string, name: string): string {
    return `${vaultSlug(engine)}-${vaultSlug(name)}`;
  }

  private path(id: string): string {
    return join(this.dir, `${id}.vault`);
  }

  /** Read one file, but only if it really holds this engine and name (a legacy file may belong to a colliding name). */
  private read(id: string, engine: string, name: string): VaultRecord | null {
    let text: string;
    try {
      text = readFileSync(this.path(id), 'utf8');
    } catch {
      return null;
    }
    const rec = this.open(id, text);
    return rec.engine === engine && rec.name === name ? rec : null;
  }

  private seal(id: string, rec: VaultRecord): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.getKey(), iv);
    c.setAAD(Buffer.from(id));
    const data = Buffer.concat([c.update(JSON.stringify(rec), 'utf8'), c.final()]);
    const env: Envelope = { v: 1, alg: 'aes-256-gcm', iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
    return JSON.stringify(env);
  }

  private open(id: string, text: string): VaultRecord {
    const env = JSON.parse(text) as Envelope;
    const d = createDecipheriv('aes-256-gcm', this.getKey(), Buffer.from(env.iv, 'base64'));
    d.setAAD(Buffer.from(id));
    d.setAuthTag(Buffer.from(env.tag, 'base64'));
    let plain: Buffer;
    try {
      plain = Buffer.concat([d.update(Buffer.from(env.data, 'base64')), d.final()]);
    } catch {
      throw new VaultIntegrityError(id); // GCM's authentication failed: nothing of the record is trusted or returned
    }
    return JSON.parse(plain.toString('utf8')) as VaultRecord;
  }

  list(): VaultRecord[] {
    if (!existsSync(this.dir)) return [];
    const byKey = new Map<string, VaultRecord>();
    for (const f of readdirSync(this.dir).filter((x) => x.endsWith('.vault'))) {
      const stem = f.slice(0, -6);
      let rec: VaultRecord;
      try {
        rec = this.open(stem, readFileSync(join(this.dir, f), 'utf8'));
      } catch {
        continue; // unreadable (other key, corrupt): never fatal for the rest
      }
      const current = stem === this.id(rec.engine, rec.name);
      if (!current && stem !== this.legacyId(rec.engine, rec.name)) continue; // not the file its record names
      const key = `${rec.engine}\0${rec.name}`;
      if (current || !byKey.has(key)) byKey.set(key, rec); // the current file wins over a legacy copy
    }
    return [...byKey.values()].sort((a, b) => `${a.engine}/${a.name}`.localeCompare(`${b.engine}/${b.name}`));
  }

  get(engine: string, name: string): VaultRecord | null {
    return this.read(this.id(engine, name), engine, name) ?? this.read(this.legacyId(engine, name), engine, name);
  }

  /**
   * Save a connection. `VAULT_KEEP` values keep what is stored (the modify flow); secure_keys only grow.
   */
  save(engine: string, name: string, fields: Record<string, string>, secureKeys: string[] = [], stamps: { created_at?: string; updated_at?: string } = {}): VaultRecord {
    const prev = this.get(engine, name);
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === VAULT_KEEP) {
        if (prev?.fields[k] !== undefined) merged[k] = prev.fields[k];
      } else merged[k] = v;
    }
    const now = new Date().toISOString();
    const rec: VaultRecord = {
      engine,
      name,
      created_at: prev?.created_at ?? stamps.created_at ?? now,
      updated_at: stamps.updated_at ?? now, // stamps: an imported connection keeps its dates
      fields: merged,
      secure_keys: [...new Set([...(prev?.secure_keys ?? []), ...secureKeys, ...Object.keys(merged).filter((k) => !k.startsWith('_') && SECRET_HINT.test(k))])],
    };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const id = this.id(engine, name);
    writeFileAtomic(this.path(id), this.seal(id, rec), { mode: 0o600 });
    this.dropLegacy(engine, name); // now stored under its own name
    return rec;
  }

  delete(engine: string, name: string): boolean {
    const f = this.path(this.id(engine, name));
    const had = existsSync(f);
    rmSync(f, { force: true });
    return this.dropLegacy(engine, name) || had;
  }

  /** Remove the old-style file of this connection, only if the record inside is really this engine and name. */
  private dropLegacy(engine: string, name: string): boolean {
    const id = this.legacyId(engine, name);
    let mine = false;
    try {
      mine = this.read(id, engine, name) !== null;
    } catch {
      mine = false; // unreadable: not provably ours, so left alone
    }
    if (mine) rmSync(this.path(id), { force: true });
    return mine;
  }

  /** DS_* variables of one connection (bookkeeping fields starting with "_" are left out). */
  static env(rec: VaultRecord): Record<string, string> {
    const prefix = envPrefix(rec.engine, rec.name);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec.fields)) if (!k.startsWith('_')) out[`${prefix}__${k.replace(/[^\w]/g, '_').toUpperCase()}`] = v;
    return out;
  }

  /** A record as the UI may see it: secrets replaced by the keep-sentinel. */
  static masked(rec: VaultRecord): Record<string, string> {
    return Object.fromEntries(Object.entries(rec.fields).map(([k, v]) => [k, isSecretKey(k, rec.secure_keys) ? VAULT_KEEP : v]));
  }
}

/** Replace secret values (longer than 3 chars) in tool output with `[DS_…]` names. */
export function scrubSecrets(text: string, secrets: [name: string, value: string][]): string {
  let out = text;
  for (const [name, value] of secrets.sort((a, b) => b[1].length - a[1].length)) if (value.length > 3) out = out.split(value).join(`[${name}]`);
  return out;
}
