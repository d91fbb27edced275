import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createContext } from './context.js';
import { DatabaseTooNewError } from './db/database.js';

export const DEFAULT_PORT = 26866; // "ANTON" on a phone keypad
export const DEFAULT_HOST = '127.0.0.1';

export interface ServeOptions {
  env?: Record<string, string | undefined>;
  host?: string;
  port?: number;
  logger?: boolean;
}

/** Build and listen. Nothing slow (network, model lists, update checks) runs before the port is open. */
export async function serve(opts: ServeOptions = {}): Promise<FastifyInstance> {
  const env = opts.env ?? process.env;
  const ctx = createContext(env, opts.logger === false ? { logLevel: 'silent' } : {});
  const host = opts.host ?? ctx.env.get('ANTON_SERVER_HOST') ?? DEFAULT_HOST;
  const port = opts.port ?? ctx.env.int('ANTON_SERVER_PORT', DEFAULT_PORT);
  const app = await buildApp(ctx, { logRequests: ctx.env.bool('ANTON_LOG_REQUESTS', false) });
  await app.listen({ host, port });
  return app;
}

/** Process entry: serve, then close gracefully (draining streams) on SIGTERM/SIGINT. */
export async function main(): Promise<void> {
  let app: FastifyInstance;
  try {
    app = await serve();
  } catch (err) {
    if (err instanceof DatabaseTooNewError) console.error(err.message);
    else console.error('anton-cowork-server failed to start:', err);
    process.exit(1);
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
