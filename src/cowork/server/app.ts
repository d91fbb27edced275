import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { closeContext } from './context.js';
import type { ServerServices } from './server-services.js';
import type { EnvStore } from '../../core/settings/env-store.js';
import { HttpError, installErrorHandling } from './errors.js';
import { checkAnswers, jsonSerializerCompiler } from './schemas/serializer.js';
import { buildDocsApp, DOCS_PREFIX, forwardToDocs, publishedDocument } from './api-docs.js';
import { allowedOrigins, installSecurity, redactUrl } from './security.js';
import { registerSpa, spaFallback } from './spa.js';
import { installPeerCheck } from './peer-uid.js';
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
import { connectorRoutes } from './routes/connectors.js';
import { datasourceRoutes } from './routes/datasources.js';
import { datavaultRoutes } from './routes/datavault.js';
import { publishRoutes } from './routes/publish.js';
import { integrationRoutes } from './routes/integrations.js';
import { browseRoutes } from './routes/browse.js';
import { refreshGoogleTokens } from './services/google-oauth.js';
import { warmUp } from './services/warm-up.js';

export interface BuildAppOptions {
  /** Log each request (off in tests). */
  logRequests?: boolean;
  /** Validate every 2xx JSON answer against its route contract and fail loudly on a mismatch (tests). */
  checkResponses?: boolean;
  /** Serve on a server created elsewhere (the early listener). */
  serverFactory?: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server;
  /** Called after the idle-time warm-up (run or failed); an error it throws is logged at debug level. */
  onWarmedUp?: () => void;
}

/** Fastify's request log lines, with credentials in the query string masked. */
class RedactingLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info({ req: { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip } }, 'incoming request');
  }
  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: { method: request.method, url: redactUrl(request.url) }, res: { statusCode: reply.statusCode }, err: error };
    if (reply.statusCode >= 500) reply.log.error(line, error?.message);
    else reply.log.info(line, error?.message);
  }
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.method}:${redactUrl(request.url)} not found`);
  }
  override writeHeadError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    reply.log.warn({ req: { method: request.method, url: redactUrl(request.url) }, err: error }, error?.message);
  }
}

/**
 * The HTTP server over one process's services. With `createContext` this is the composition root: the only code that
 * holds every service; each part below gets just what it uses (route groups name theirs, routes/types.ts).
 */
export async function buildApp(ctx: ServerServices, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    logController: new RedactingLogController({ disableRequestLogging: !opts.logRequests }),
    // Without request logging a per-request child logger (pino.child on every request) buys nothing.
    ...(opts.logRequests ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    routerOptions: { ignoreTrailingSlash: true },
    // No HEAD twin for every GET route: the reference (FastAPI) answers HEAD with 405, the client never sends it,
    // and the twins were about a third of the router's build time at boot. /health keeps HEAD (routes/health.ts).
    exposeHeadRoutes: false,
    // Every route validates with zod and serialises with JSON.stringify (contracts checked in tests, never stripped):
    // never load Fastify's default Ajv / fast-json-stringify compilers.
    // (Fastify types these factories for Ajv; the zod compilers are what setValidatorCompiler installs below anyway.)
    schemaController: { compilersFactory: { buildValidator: (() => validatorCompiler) as never, buildSerializer: (() => jsonSerializerCompiler) as never } },
    bodyLimit: 32 * 1024 * 1024,
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory } : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  // No other OS user gets in over loopback (Linux), token or not. The early listener installs the same check.
  installPeerCheck(app.server, {
    allowOtherUsers: ctx.env.setting('ANTON_ALLOW_OTHER_USERS'),
    onRefused: (info) => ctx.log.warn(info, 'refused a connection from another OS user (ANTON_ALLOW_OTHER_USERS=true allows it)'),
  });
  const spa = ctx.spa;
  installErrorHandling(app, spa ? spaFallback(spa) : undefined);
  const origins = allowedOrigins(ctx.env);
  installSecurity(app, ctx.env, origins);

  // The client sends Content-Type: application/json on every request, body-less POSTs included.
  // Only JSON and multipart bodies are accepted. A text/plain body (a CSRF-able "simple" request) is refused with
  // the reference's 422 (FastAPI never parses it as JSON); other unknown types get 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, _body, done) =>
    done(new HttpError(422, [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from' }]), undefined),
  );
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
  await app.register(multipart, { limits: { fileSize: maxUploadBytes(ctx.env), files: 100, fields: 50 } });
  if (opts.checkResponses) {
    app.addHook('onRoute', (await import('./schemas/apply.js')).applyContract);
    checkAnswers(app);
  }
  await registerRoutes(app, ctx);
  // The OpenAPI document and the /docs page come from a throw-away instance built on first request, from the
  // same route schemas: the swagger toolchain stays off the boot path.
  let docs: Promise<FastifyInstance> | null = null;
  const docsApp = () => (docs ??= buildDocsApp((doc) => registerRoutes(doc, ctx)));
  let openapi: unknown = null;
  app.get('/openapi.json', { schema: { hide: true } }, async () => (openapi ??= publishedDocument((await docsApp()).swagger())));
  app.get(DOCS_PREFIX, { schema: { hide: true } }, async (req, reply) => forwardToDocs(await docsApp(), req, reply));
  app.get(`${DOCS_PREFIX}/*`, { schema: { hide: true } }, async (req, reply) => forwardToDocs(await docsApp(), req, reply));

  app.addHook('onReady', async () => {
    ctx.scheduler.start();
    // Shortly after ready, while idle: what the first turn would otherwise run cold (services/warm-up.ts).
    const warm = async () => {
      await warmUp(app, ctx).catch((err) => ctx.log.debug({ err }, 'warm-up incomplete'));
      try {
        opts.onWarmedUp?.();
      } catch (err) {
        ctx.log.debug({ err }, 'after warm-up');
      }
    };
    setTimeout(() => void warm(), 200).unref();
    const refresh = setInterval(() => void refreshGoogleTokens(ctx).catch(() => {}), 30 * 60_000);
    refresh.unref();
    ctx.closers.push(() => clearInterval(refresh));
  });
  app.addHook('onClose', async () => {
    if (docs) await docs.then((d) => d.close(), () => {}); // a failed build has nothing to close
    await closeContext(ctx);
  });
  return app;
}

/** Every route group, in one place (the app and the OpenAPI builder register the same list). */
async function registerRoutes(app: FastifyInstance, ctx: ServerServices): Promise<void> {
  // Route contracts (answers, ids, summaries) are only needed where they are published or checked: the docs
  // instance and tests. The running server serializes with JSON.stringify, so it does not load them at boot.
  for (const group of [healthRoutes, settingsRoutes, projectRoutes, responseRoutes, conversationRoutes, scratchpadRoutes, pinRoutes, searchRoutes, scheduleRoutes, attachmentRoutes, artifactRoutes, utilityRoutes, connectorRoutes, datasourceRoutes, datavaultRoutes, publishRoutes, integrationRoutes, browseRoutes]) {
    await app.register(group(ctx));
  }
}

export function maxUploadBytes(env: EnvStore): number {
  return env.setting('ANTON_MAX_UPLOAD_MB') * 1024 * 1024;
}
