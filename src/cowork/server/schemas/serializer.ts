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
    return (data: unknown) => {
      const json = JSON.stringify(data);
      const r = zod.safeParse(json === undefined ? undefined : JSON.parse(json));
      if (!r.success) {
        const msg = `${method} ${url} answered outside its contract: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
        console.error(msg);
        throw new ContractViolation(msg);
      }
      return json;
    };
  };
}
