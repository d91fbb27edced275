import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './api.js';

export type { components, operations, paths };

/** A response schema of the Cowork server by name, e.g. `Schema<'Conversation'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/**
 * A typed client for the Cowork server's HTTP API (paths, parameters, bodies and answers from docs/openapi.json).
 * Streaming routes (`text/event-stream`) are typed too; read their bodies with `parseAs: 'stream'`.
 */
export function createCoworkClient(baseUrl = 'http://127.0.0.1:26866', options: Omit<ClientOptions, 'baseUrl'> = {}) {
  return createClient<paths>({ baseUrl, headers: { 'content-type': 'application/json' }, ...options });
}

export type CoworkClient = ReturnType<typeof createCoworkClient>;
