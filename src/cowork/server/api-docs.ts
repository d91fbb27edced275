import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import { COWORK_SERVER_VERSION } from '../../core/version.js';
import { jsonSerializerCompiler } from './schemas/serializer.js';
import { dropUnusedComponents, namePathWildcards, type OpenApiDoc } from './schemas/openapi-names.js';

/** The API reference page: Swagger UI served from the package's own files (no CDN). */
export const DOCS_PREFIX = '/docs';

/** The published form of the document: wildcards named, unused components dropped. */
export const publishedDocument = (doc: unknown) => dropUnusedComponents(namePathWildcards(doc as OpenApiDoc));

/**
 * A throw-away instance holding the same routes with the swagger toolchain and the docs page. Built on the first
 * request to /openapi.json or /docs, never at boot (cold start matters more than these rarely used routes).
 */
export async function buildDocsApp(registerRoutes: (app: FastifyInstance) => Promise<void>): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const doc = Fastify({ logger: false });
  doc.setValidatorCompiler(validatorCompiler);
  doc.setSerializerCompiler(jsonSerializerCompiler);
  await doc.register(swagger, {
    openapi: {
      info: { title: 'Anton Cowork server', version: COWORK_SERVER_VERSION, description: 'The local backend of the Cowork desktop app (protocol v1). See docs/api.md.' },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await doc.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    transformSpecification: (spec) => publishedDocument(structuredClone(spec)) as typeof spec,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  doc.addHook('onRoute', (await import('./schemas/apply.js')).applyContract); // the contracts load with the docs
  await registerRoutes(doc);
  await doc.ready();
  return doc;
}

/** Answer a /docs request from the docs instance (in-process, no socket). */
export async function forwardToDocs(docs: FastifyInstance, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const res = await docs.inject({ method: 'GET', url: req.url });
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined && !['content-length', 'connection', 'transfer-encoding', 'date', 'keep-alive'].includes(k)) reply.header(k, v);
  }
  return reply.code(res.statusCode).send(res.rawPayload);
}
