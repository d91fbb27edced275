import type { RouteOptions } from 'fastify';
import { CONTRACTS, contractSchema } from './contracts.js';

/** `METHOD url` as the contracts table keys it. */
export const routeKey = (method: string, url: string) => `${method} ${url}`;

/**
 * onRoute hook: merge the route's contract (operationId, summary, answers) into its schema. A route without a
 * contract is left alone here; the OpenAPI test fails on it instead, so a new route cannot go undocumented.
 */
export function applyContract(route: RouteOptions): void {
  if (typeof route.method !== 'string') return;
  const contract = CONTRACTS[routeKey(route.method, route.url ?? '')];
  if (!contract) return;
  route.schema = { ...route.schema, ...contractSchema(contract) };
  // The contracts table owns the published document; `hide` stays only on routes that have no contract.
  delete (route.schema as { hide?: boolean }).hide;
}

