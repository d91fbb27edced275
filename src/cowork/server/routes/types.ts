import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';

export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** One module per route group: a factory taking the context and returning a Fastify plugin. */
export function routeGroup(register: (app: ZodApp, ctx: AppContext) => void | Promise<void>) {
  return (ctx: AppContext): FastifyPluginAsync =>
    async (app) => {
      await register(app.withTypeProvider<ZodTypeProvider>(), ctx);
    };
}
