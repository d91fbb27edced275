import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { connectors, matchConnectors, methodOf, summary, type Connector } from '../services/connectors.js';
import { credentialsFor, saveConnection } from '../services/connections.js';
import { canProbe, runProbe } from '../services/probes.js';
import { routeGroup } from './types.js';

const Values = z.record(z.string(), z.unknown());

export function mustConnector(id: string): Connector {
  const c = connectors().get(id);
  if (!c) throw notFound(`Unknown connector: ${id}`);
  return c;
}

export const connectorRoutes = routeGroup(['db', 'vault', 'env', 'kv', 'log'], (app, ctx) => {
  app.get('/v1/connectors', { schema: { tags: ['connectors'] } }, async () => ({
    connectors: [...connectors().values()].map(summary).sort((a, b) => a.label.toLowerCase().localeCompare(b.label.toLowerCase())),
  }));

  app.get('/v1/connectors/:id', { schema: { tags: ['connectors'], params: z.object({ id: z.string() }) } }, async (req) => {
    const c = connectors().get(req.params.id);
    if (!c) throw notFound('Connector not found');
    return c;
  });

  app.post('/v1/connectors/match', { schema: { tags: ['connectors'], body: z.object({ query: z.string(), max_candidates: z.number().int().min(1).max(5).default(3) }) } }, async (req) => {
    const r = matchConnectors(req.body.query, req.body.max_candidates);
    return {
      candidates: r.candidates,
      needs_clarification: r.stage === 'scored-multi' || r.stage === 'no-match',
      stage: r.stage,
      ...(r.stage === 'scored-multi' ? { question: 'Which one did you mean?' } : r.stage === 'no-match' ? { question: "I don't recognize that one — try the search box?" } : {}),
    };
  });

  const SaveBody = z.object({ method: z.string().nullish(), name: z.string().max(200).default(''), values: Values.default({}) });

  app.post('/v1/connectors/:id/save', { schema: { tags: ['connectors'], params: z.object({ id: z.string() }), body: SaveBody } }, async (req) =>
    saveConnection(ctx, mustConnector(req.params.id), req.body.method, req.body.name, req.body.values),
  );

  // Our addition: a live check of credentials before (or without) saving them.
  app.post('/v1/connectors/:id/test', { schema: { tags: ['connectors'], params: z.object({ id: z.string() }), body: SaveBody } }, async (req) => {
    const c = mustConnector(req.params.id);
    const method = methodOf(c, req.body.method);
    if (!canProbe(method?.probe)) throw new HttpError(422, `No live test is available for ${c.label} (${method?.label ?? 'no method'}).`);
    const values = credentialsFor(ctx, c, method, req.body.name.trim(), req.body.values);
    return runProbe(method!.probe!, values);
  });
});
