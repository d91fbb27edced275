import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

  private file(engine: string, name: string): string {
    return join(this.dir, `${vaultSlug(engine)}-${vaultSlug(name)}.vault`);
  }

  private id(engine: string, name: string): string {
    return `${vaultSlug(engine)}-${vaultSlug(name)}`;
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
    return JSON.parse(Buffer.concat([d.update(Buffer.from(env.data, 'base64')), d.final()]).toString('utf8')) as VaultRecord;
  }

  list(): VaultRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.vault'))
      .flatMap((f) => {
        try {
          return [this.open(f.slice(0, -6), readFileSync(join(this.dir, f), 'utf8'))];
        } catch {
          return []; // unreadable (other key, corrupt): never fatal for the rest
        }
      })
      .sort((a, b) => `${a.engine}/${a.name}`.localeCompare(`${b.engine}/${b.name}`));
  }

  get(engine: string, name: string): VaultRecord | null {
    const f = this.file(engine, name);
    if (!existsSync(f)) return null;
    return this.open(this.id(engine, name), readFileSync(f, 'utf8'));
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
    writeFileAtomic(this.file(engine, name), this.seal(this.id(engine, name), rec), { mode: 0o600 });
    return rec;
  }

  delete(engine: string, name: string): boolean {
    const f = this.file(engine, name);
    if (!existsSync(f)) return false;
    rmSync(f);
    return true;
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
