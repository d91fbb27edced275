import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataVault, VaultRecord } from '../../../core/vault/vault.js';

/**
 * Copy the reference's plaintext `~/.anton/data_vault/<engine>-<name>` records into the encrypted vault.
 * Idempotent (existing connections are left alone) and read-only on the source files.
 */
export function importPlaintextVault(vault: DataVault, sourceDir: string): { imported: string[]; skipped: string[] } {
  const imported: string[] = [];
  const skipped: string[] = [];
  if (!existsSync(sourceDir)) return { imported, skipped };
  for (const f of readdirSync(sourceDir)) {
    const path = join(sourceDir, f);
    if (f.startsWith('.') || f.endsWith('.tmp') || !statSync(path).isFile()) continue;
    try {
      const rec = JSON.parse(readFileSync(path, 'utf8')) as Partial<VaultRecord>;
      if (!rec.engine || !rec.name || typeof rec.fields !== 'object' || !rec.fields) throw new Error('not a vault record');
      if (vault.get(rec.engine, rec.name)) {
        skipped.push(`${f} (already imported)`);
        continue;
      }
      const fields = Object.fromEntries(Object.entries(rec.fields).map(([k, v]) => [k, String(v)]));
      vault.save(rec.engine, rec.name, fields, rec.secure_keys ?? []);
      imported.push(f);
    } catch (e) {
      skipped.push(`${f} (${(e as Error).message})`);
    }
  }
  return { imported, skipped };
}
