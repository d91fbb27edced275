import type { FastifyInstance } from 'fastify';
import { ZodType } from 'zod';

/** Raised (in checking mode only) when a 2xx answer does not match its declared schema. */
export class ContractViolation extends Error {}

/**
 * Serializer for routes with response schemas: exactly `JSON.stringify(data)`, as without a schema (nothing is
 * stripped or reshaped), so Fastify's own serializer compiler is never loaded. Contracts are checked on the wire, in
 * tests, by `checkAnswers`.
 */
export const jsonSerializerCompiler = () => (data: unknown) => JSON.stringify(data);

/**
 * Checking mode (tests): every 2xx JSON answer of a route with a contract is validated as it goes on the wire,
 * whether Fastify serialized it or the route sent JSON text it made itself (a cached answer), and a mismatch fails
 * the request loudly.
 */
export function checkAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload !== 'string' || !/^2/.test(String(reply.statusCode)) || !/json/.test(String(reply.getHeader('content-type')))) return payload;
    const responses = (req.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
    const zod = responses?.[reply.statusCode] ?? responses?.['2xx'];
    if (!(zod instanceof ZodType)) return payload;
    const r = zod.safeParse(JSON.parse(payload));
    if (!r.success) {
      const msg = `${req.method} ${req.routeOptions.url ?? req.url} answered outside its contract: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
      console.error(msg);
      throw new ContractViolation(msg);
    }
    return payload;
  });
}
