import { fail, ok, type ProbeResult } from './result.js';
import { probeHttp } from './http.js';

/**
 * Neo4j through its HTTP Query API (Neo4j 5 and Aura): the same host as the bolt URI (neo4j+s:// → https on 443,
 * neo4j:// → http on 7474), basic auth, one `RETURN 1`. No driver needed.
 */
export function neo4jHttpBase(uri: string): string | null {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return null;
  }
  if (/^(https?):$/.test(u.protocol)) return u.origin;
  if (/^(neo4j|bolt)\+s(sc)?:$/.test(u.protocol)) return `https://${u.hostname}`;
  if (/^(neo4j|bolt):$/.test(u.protocol)) return `http://${u.hostname}:7474`;
  return null;
}

export async function probeNeo4j(v: Record<string, string>): Promise<ProbeResult> {
  const base = neo4jHttpBase(v.connection_uri ?? '');
  if (!base) return fail('The URI must start with neo4j://, neo4j+s://, bolt://, bolt+s:// or http(s)://.', 'connection_uri');
  const r = await probeHttp(
    { type: 'http', method: 'POST', url: `${base}/db/{{database}}/query/v2`, headers: {}, basic: ['{{username}}', '{{password}}'], json: { statement: 'RETURN 1 AS ok' } },
    { ...v, database: v.database || 'neo4j' },
  );
  if (!r.ok && /could not reach/i.test(r.message)) return { ...r, field: 'connection_uri' };
  return r.ok ? ok(`Neo4j at ${new URL(base).host} accepted the credentials.`) : r;
}
