import { z } from 'zod';
import { lazyToolInput, type ToolDef } from '../agent/tools.js';
import { fetchFor } from '../llm/tls.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const QUERY_MINDS_DATA_INPUT = lazyToolInput(() =>
  z.object({
    sql: z.string().describe('The query, in the datasource engine dialect.'),
    datasource: z.string().describe('Another datasource name (optional).').optional(),
  }),
);

/** A connected Mind (ANTON_MINDS_MIND_NAME / _DATASOURCE / _DATASOURCE_ENGINE), as the reference's agent sees it. */
export interface MindsConnection {
  url: string;
  apiKey: string;
  mindName?: string;
  datasource?: string;
  engine?: string;
  sslVerify: boolean;
}

const MAX_RESULT_CHARS = 20_000;

/** The reference's "CONNECTED MIND" prompt block; null when no mind or datasource is configured. */
export function mindsPromptSection(c: MindsConnection): string | null {
  if (!c.mindName && !c.datasource) return null;
  const lines = ['## Connected Mind (Minds)'];
  if (c.mindName) lines.push(`- Mind: ${c.mindName}`);
  if (c.datasource) lines.push(`- Datasource: ${c.datasource} (${c.engine || 'unknown'}) — query it with the query_minds_data tool (SQL in the datasource's dialect).`);
  return lines.join('\n');
}

/** SQL against the connected Minds datasource, run by the server: the Minds key never reaches the model or the pad. */
export function queryMindsDataTool(c: MindsConnection): ToolDef {
  return {
    name: 'query_minds_data',
    description: `Run a SQL query on the connected Minds datasource${c.datasource ? ` "${c.datasource}"` : ''} and return the rows as JSON.`,
    inputSchema: QUERY_MINDS_DATA_INPUT(),
    handler: async (input, ctx) => {
      const ds = String(input.datasource || c.datasource || '');
      if (!ds) return { content: 'No Minds datasource is configured.', isError: true };
      const url = `${c.url.replace(/\/+$/, '')}/api/v1/datasources/${encodeURIComponent(ds)}/query`;
      try {
        const res = await fetchFor(c.sslVerify)(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${c.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: String(input.sql ?? ''), native_query: true }),
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(60_000)]),
        });
        const text = await res.text();
        if (!res.ok) return { content: `Minds answered HTTP ${res.status}: ${text.slice(0, 500)}`, isError: true };
        return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}\n… (truncated)` : text;
      } catch (e) {
        return { content: `Could not query Minds: ${(e as Error).message}`, isError: true };
      }
    },
  };
}

/** ANTON_PROACTIVE_DASHBOARDS chooses how results are visualised (the reference switches its visualisation prompt). */
export function visualisationPromptSection(proactiveDashboards: boolean): string {
  return proactiveDashboards
    ? '## Visualisation\nWhen results lend themselves to it, proactively build an interactive HTML dashboard as an artifact (create_artifact), without waiting to be asked.'
    : '## Visualisation\nPresent results as Markdown (tables, short summaries, charts saved as images). Build HTML dashboards only when the user asks for one.';
}
