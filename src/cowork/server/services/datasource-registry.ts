import { connectors, type Connector, type ConnectorField } from './connectors.js';

/**
 * The engines `/v1/datasources` lists, as the reference's registry does (the agent core's built-in engines plus the
 * managed Google integrations), each backed by a connector of the catalogue. `nameFrom` names the fields a default
 * connection name is derived from (a string or a list, as in the reference's `name_from`).
 */
const REGISTRY: { engine: string; connector: string; nameFrom: string | string[]; popular?: boolean }[] = [
  { engine: 'postgres', connector: 'postgres', nameFrom: ['host', 'database'], popular: true },
  { engine: 'mysql', connector: 'mysql', nameFrom: ['host', 'database'], popular: true },
  { engine: 'snowflake', connector: 'snowflake', nameFrom: ['account_identifier', 'database'], popular: true },
  { engine: 'bigquery', connector: 'bigquery', nameFrom: 'project_id', popular: true },
  { engine: 'mssql', connector: 'mssql', nameFrom: ['host', 'database'] },
  { engine: 'redshift', connector: 'redshift', nameFrom: ['host', 'database'] },
  { engine: 'databricks', connector: 'databricks', nameFrom: 'workspace_url' },
  { engine: 'mariadb', connector: 'mariadb', nameFrom: ['host', 'database'] },
  { engine: 'hubspot', connector: 'hubspot', nameFrom: '' },
  { engine: 'oracle_database', connector: 'oracle', nameFrom: ['host', 'service_name'] },
  { engine: 'duckdb', connector: 'duckdb', nameFrom: 'path' },
  { engine: 'pgvector', connector: 'pgvector', nameFrom: ['host', 'database'] },
  { engine: 'chromadb', connector: 'chroma', nameFrom: 'server_url' },
  { engine: 'salesforce', connector: 'salesforce', nameFrom: 'username' },
  { engine: 'shopify', connector: 'shopify', nameFrom: 'shop_domain' },
  { engine: 'netsuite', connector: 'netsuite', nameFrom: 'account_id' },
  { engine: 'bigcommerce', connector: 'bigcommerce', nameFrom: 'store_hash' },
  { engine: 'timescaledb', connector: 'timescaledb', nameFrom: ['host', 'database'] },
  { engine: 'gmail', connector: 'gmail', nameFrom: 'email' },
  { engine: 'email', connector: 'email', nameFrom: 'email' },
  { engine: 'google_drive', connector: 'google_drive', nameFrom: '' },
  { engine: 'google_calendar', connector: 'google_calendar', nameFrom: '' },
];

export interface RegistryEngine {
  engine: string;
  connector: Connector;
  nameFrom: string | string[];
  popular: boolean;
}

/** A registry engine by name, or (for saving) any catalogue connector id; null when unknown. */
export function engineFor(name: string): RegistryEngine | null {
  const r = REGISTRY.find((x) => x.engine === name);
  const c = connectors().get(r?.connector ?? name);
  if (!c) return null;
  return { engine: r?.engine ?? c.id, connector: c, nameFrom: r?.nameFrom ?? '', popular: !!(r?.popular ?? c.featured) };
}

export function registryEngines(): RegistryEngine[] {
  return REGISTRY.map((r) => engineFor(r.engine)).filter((x): x is RegistryEngine => !!x);
}

/** The reference's field payload: `{name, required, secret, description, default}`. */
export const fieldPayload = (f: ConnectorField) => ({ name: f.name, required: !!f.required, secret: !!(f.secret || f.type === 'password'), description: f.description ?? f.label, default: f.default ?? '' });

/** A default connection name from the `nameFrom` fields (joined with "_"), as the reference derives it. */
export function deriveName(nameFrom: string | string[], values: Record<string, string>): string {
  const keys = Array.isArray(nameFrom) ? nameFrom : nameFrom ? [nameFrom] : [];
  return keys
    .map((k) => values[k] ?? '')
    .filter(Boolean)
    .map((s) => s.replace(/^[a-z]+:\/\//i, '').replace(/[^A-Za-z0-9._-]+/g, '_'))
    .join('_')
    .slice(0, 120);
}
