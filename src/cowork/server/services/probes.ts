import type { ProbeSpec } from './connectors.js';
import { probeAws } from './probes/aws.js';
import { probeAzureClientCredentials } from './probes/azure.js';
import { probeCassandra } from './probes/cassandra.js';
import { probeCosmosKey } from './probes/cosmos.js';
import { probeGoogleServiceAccount } from './probes/google.js';
import { probeHttp, type HttpProbeSpec } from './probes/http.js';
import { probeImap } from './probes/imap.js';
import { probeDocusign, probeDoordash } from './probes/jwt.js';
import { probeMongo } from './probes/mongodb.js';
import { probeMssql } from './probes/mssql.js';
import { probeMysql } from './probes/mysql.js';
import { probeNeo4j } from './probes/neo4j.js';
import { probeNetsuite } from './probes/netsuite.js';
import { probeOracle } from './probes/oracle.js';
import { probePostgres } from './probes/postgres.js';
import { probeRedis } from './probes/redis.js';
import { fail, PROBE_TIMEOUT_MS, withTimeout, type ProbeResult } from './probes/result.js';
import { probeSnowflake } from './probes/snowflake.js';
import { probeSqlite } from './probes/sqlite.js';

export type { ProbeResult } from './probes/result.js';

/** Every probe kind a connector method may declare. Drivers are imported only when their probe runs. */
export const PROBE_TYPES = ['postgres', 'mysql', 'sqlite', 'mssql', 'oracle', 'mongodb', 'redis', 'snowflake', 'http', 'google-service-account', 'aws-sts', 'azure-client-credentials', 'imap', 'docusign-jwt', 'doordash-jwt', 'cassandra', 'neo4j', 'cosmos-key', 'netsuite-tba'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];

export function canProbe(p: ProbeSpec | undefined): boolean {
  return !!p && (PROBE_TYPES as readonly string[]).includes(p.type);
}

function dispatch(p: ProbeSpec, v: Record<string, string>): Promise<ProbeResult> {
  switch (p.type as ProbeType) {
    case 'postgres':
      return probePostgres(v);
    case 'mysql':
      return probeMysql(v);
    case 'sqlite':
      return probeSqlite(v);
    case 'mssql':
      return probeMssql(v, typeof p.auth === 'string' ? p.auth : undefined);
    case 'oracle':
      return probeOracle(v);
    case 'mongodb':
      return probeMongo(v);
    case 'redis':
      return probeRedis(v);
    case 'snowflake':
      return probeSnowflake(v);
    case 'http':
      return probeHttp(p as unknown as HttpProbeSpec, v);
    case 'google-service-account':
      return probeGoogleServiceAccount(p as unknown as { scope: string; url: string }, v);
    case 'aws-sts':
      return probeAws(v);
    case 'azure-client-credentials':
      return probeAzureClientCredentials(p as unknown as { scope: string }, v);
    case 'imap':
      return probeImap(v);
    case 'docusign-jwt':
      return probeDocusign(v);
    case 'doordash-jwt':
      return probeDoordash(v);
    case 'cassandra':
      return probeCassandra(v);
    case 'neo4j':
      return probeNeo4j(v);
    case 'cosmos-key':
      return probeCosmosKey(v);
    case 'netsuite-tba':
      return probeNetsuite(v);
  }
}

/**
 * Really connect (or make one authenticated "who am I" call) with the given values. Always answers within the
 * probe timeout plus a margin, with a message that never contains a secret, and the field to blame.
 */
export async function runProbe(p: ProbeSpec, values: Record<string, string>): Promise<ProbeResult> {
  try {
    return await withTimeout(dispatch(p, values), 'The connection test', PROBE_TIMEOUT_MS + 2000);
  } catch (e) {
    const x = e as Error & { code?: string };
    if (x.code === 'ETIMEDOUT') return fail(`No answer within ${Math.round(PROBE_TIMEOUT_MS / 1000)} s. Check the address and that this computer may connect.`);
    if (x.code === 'ERR_MODULE_NOT_FOUND') return fail(`The driver for this connection is not installed (${x.message.split("'")[1] ?? 'unknown'}). Reinstall Anton.`);
    return fail(`The connection test failed: ${x.message}`);
  }
}
