import { randomBytes } from 'node:crypto';
import { VAULT_KEEP, type VaultRecord } from '../../../core/vault/vault.js';
import type { ServerServices } from '../server-services.js';
import { DomainError, MissingFieldsError } from '../../../core/errors.js';
import { methodOf, secretFields, type Connector, type ConnectorMethod } from './connectors.js';
import { GOOGLE_ENGINES, revokeGoogle, type OAuthDeps } from './google-oauth.js';
import { recordTombstone } from './import-ledger.js';
import { canProbe, runProbe, type ProbeResult } from './probes.js';

/** What this module needs of the server's context (and nothing more). */
export type ConnectionDeps = Pick<ServerServices, 'db' | 'vault'> & OAuthDeps; // removing a Google connection revokes its token


/** Clean values, check required fields of the method, apply the keep-sentinel against what is stored. */
export function credentialsFor(ctx: ConnectionDeps, c: Connector, method: ConnectorMethod | undefined, name: string, raw: Record<string, unknown>, engine = c.id): Record<string, string> {
  const stored = name ? ctx.vault.get(engine, name)?.fields ?? {} : {};
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    const s = typeof v === 'string' ? v.trim() : String(v);
    if (s === VAULT_KEEP) {
      if (stored[k] !== undefined) values[k] = stored[k];
    } else if (s !== '') values[k] = s;
  }
  for (const f of method?.fields ?? []) if (values[f.name] === undefined && f.default !== undefined) values[f.name] = f.default;
  const missing = (method?.fields ?? []).filter((f) => f.required && !values[f.name]).map((f) => f.name);
  if (missing.length) throw new MissingFieldsError(missing);
  return values;
}

/**
 * Saved data-source connections (the encrypted vault), shared by the HTTP routes and the `anton` terminal:
 * one implementation of save, live test and removal.
 */

/** Save a connection through a connector's form method (POST /v1/connectors/{id}/save, `anton connect`). */
export function saveConnection(ctx: ConnectionDeps, c: Connector, methodId: string | null | undefined, rawName: string, raw: Record<string, unknown>) {
  const methods = c.form.methods ?? [];
  if (methods.length && !methodId) throw new DomainError('bad_input', 'method is required for this connector');
  const method = methods.length ? methods.find((m) => m.id === methodId) : undefined;
  if (methods.length && !method) throw new DomainError('bad_input', `Unknown method: ${methodId}`);
  const name = rawName.trim() || randomBytes(4).toString('hex');
  const values = credentialsFor(ctx, c, method, name, raw);
  if (!Object.keys(values).length) throw new DomainError('bad_input', 'Nothing to save: every value is empty.');
  ctx.vault.save(c.id, name, { ...values, _method: method?.id ?? '', _connector_id: c.id }, secretFields(method));
  return { status: 'ok', engine: c.id, name, method: method?.id ?? null, label: c.label };
}

/** Live test of a stored connection with its connector's probe; null when the connector has none. */
export async function testStoredConnection(c: Connector | undefined, r: VaultRecord): Promise<ProbeResult | null> {
  const probe = c ? methodOf(c, r.fields._method)?.probe : undefined;
  if (!canProbe(probe)) return null;
  return runProbe(probe!, r.fields);
}

/** DELETE /v1/datasources/{engine}/{name} and `anton remove`: Google tokens are revoked first; a tombstone keeps an imported connection from coming back. */
export async function removeConnection(ctx: ConnectionDeps, engine: string, name: string): Promise<void> {
  const rec = ctx.vault.get(engine, name);
  if (!rec) throw new DomainError('not_found', 'Datasource connection not found');
  if (GOOGLE_ENGINES.includes(rec.engine)) await revokeGoogle(ctx, rec.fields);
  ctx.vault.delete(engine, name);
  recordTombstone(ctx.db, 'connection', `${rec.engine}/${rec.name}`); // an imported connection stays deleted
}
