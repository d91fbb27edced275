import type { FastifyInstance } from 'fastify';
import { ZodType } from 'zod';

/** Raised (in checking mode only) when a 2xx answer does not match its declared schema. */
export class ContractViolation extends Error {}

/**
 * Serializer for routes with response schemas. It never strips or reshapes: the bytes are exactly
 * `JSON.stringify(data)`, as without a schema. With `check`, a 2xx answer is also validated (as it goes on the
 * wire) against its schema and a mismatch fails the request loudly (tests run this way).
 */
export function contractSerializerCompiler(check: boolean) {
  return ({ schema, method, url, httpStatus }: { schema: unknown; method: string; url: string; httpStatus?: string }) => {
    const zod = schema instanceof ZodType ? schema : null;
    if (!check || !zod || !String(httpStatus ?? '').startsWith('2')) return (data: unknown) => JSON.stringify(data);
    return (data: unknown) => checked(zod, JSON.stringify(data), method, url);
  };
}

function checked(zod: ZodType, json: string, method: string, url: string): string {
  const r = zod.safeParse(json === undefined ? undefined : JSON.parse(json)); // JSON.stringify(undefined) is undefined
  if (!r.success) {
    const msg = `${method} ${url} answered outside its contract: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
    console.error(msg);
    throw new ContractViolation(msg);
  }
  return json;
}

/**
 * Checking mode: every 2xx JSON text answer is checked against its contract as it goes on the wire. Answers a route
 * makes as JSON text itself (a cached answer) skip the serializer, so this is where they are checked; serialized ones
 * pass a second, identical check.
 */
export function checkJsonTextAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload !== 'string' || !/^2/.test(String(reply.statusCode)) || !/json/.test(String(reply.getHeader('content-type')))) return payload;
    const responses = (req.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
    const zod = responses?.[reply.statusCode] ?? responses?.['2xx'];
    return zod instanceof ZodType ? checked(zod, payload, req.method, req.routeOptions.url ?? req.url) : payload;
  });
}
