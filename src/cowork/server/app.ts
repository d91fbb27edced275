import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { COWORK_SERVER_VERSION } from '../../core/version.js';
import { closeContext, type AppContext } from './context.js';
import { installErrorHandling } from './errors.js';
import { installSecurity } from './security.js';
import { registerSpa, spaFallback } from './spa.js';
import { healthRoutes } from './routes/health.js';
import { settingsRoutes } from './routes/settings.js';
import { projectRoutes } from './routes/projects.js';
import { responseRoutes } from './routes/responses.js';
import { conversationRoutes } from './routes/conversations.js';
import { scratchpadRoutes } from './routes/scratchpad.js';
import { pinRoutes } from './routes/pins.js';
import { searchRoutes } from './routes/search.js';
import { scheduleRoutes } from './routes/schedules.js';
import { attachmentRoutes } from './routes/attachments.js';
import { artifactRoutes } from './routes/artifacts.js';
import { utilityRoutes } from './routes/utilities.js';

export interface BuildAppOptions {
  /** Log each request (off in tests). */
  logRequests?: boolean;
}

/** Origins allowed to call the API cross-origin. Never `null`: sandboxed frames and file:// pages stay out. */
export function allowedOrigins(ctx: AppContext): string[] {
  const extra = ctx.env.get('VITE_RENDERER_URL')?.replace(/\/+$/, '');
  return ['http://localhost:5173', 'http://127.0.0.1:5173', 'app://-', ...(extra ? [extra] : [])];
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    disableRequestLogging: !opts.logRequests,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 32 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const spa = ctx.spa;
  installErrorHandling(app, spa ? spaFallback(spa) : undefined);
  const origins = allowedOrigins(ctx);
  installSecurity(app, ctx, origins);

  // The client sends Content-Type: application/json on every request, body-less POSTs included.
  // Only JSON and multipart bodies are accepted: text/plain (a CSRF-able "simple" request) gets 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/([a-z.+-]*\+)?json(;.*)?$/i, { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  await app.register(cors, { origin: origins, credentials: true });
  if (spa) await registerSpa(app, spa);
  await app.register(multipart, { limits: { fileSize: maxUploadBytes(ctx), files: 100, fields: 50 } });
  await app.register(swagger, {
    openapi: { info: { title: 'Anton Cowork server', version: COWORK_SERVER_VERSION } },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes(ctx));
  await app.register(settingsRoutes(ctx));
  await app.register(projectRoutes(ctx));
  await app.register(responseRoutes(ctx));
  await app.register(conversationRoutes(ctx));
  await app.register(scratchpadRoutes(ctx));
  await app.register(pinRoutes(ctx));
  await app.register(searchRoutes(ctx));
  await app.register(scheduleRoutes(ctx));
  await app.register(attachmentRoutes(ctx));
  await app.register(artifactRoutes(ctx));
  await app.register(utilityRoutes(ctx));

  app.addHook('onReady', async () => ctx.scheduler.start());
  app.addHook('onClose', async () => closeContext(ctx));
  return app;
}

export function maxUploadBytes(ctx: AppContext): number {
  return ctx.env.int('ANTON_MAX_UPLOAD_MB', 512) * 1024 * 1024;
}
