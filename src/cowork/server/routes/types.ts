import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerServices } from '../server-services.js';

export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/**
 * One module per route group. It names the parts of the server it uses (`needs`) and receives exactly those: the
 * dependencies of every route group are visible at its top, and a route cannot reach anything it did not declare.
 */
export function routeGroup<K extends keyof ServerServices>(needs: readonly K[], register: (app: ZodApp, deps: Pick<ServerServices, K>) => void | Promise<void>) {
  return (ctx: ServerServices): FastifyPluginAsync =>
    async (app) => {
      const deps = Object.fromEntries(needs.map((k) => [k, ctx[k]])) as Pick<ServerServices, K>;
      await register(app.withTypeProvider<ZodTypeProvider>(), deps);
    };
}
