import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createContext } from './context.js';
import { DatabaseTooNewError } from './db/database.js';
import type { Logger } from 'pino';
import type { EnvStore } from '../../core/settings/env-store.js';
import { DEFAULT_HOST, DEFAULT_PORT, bootEnv } from './boot-env.js';
import type { EarlyServer, RequestHandler } from './early.js';
import type { UpdateConfig } from '../../core/updater/updater.js';
import type { AppContext } from './context.js';
import { supervise } from './supervisor.js';
import { rollBack, stageUpdate, stagedNewer, updateConfig, updatesEnabled } from './services/self-update.js';

export { DEFAULT_HOST, DEFAULT_PORT };

export interface ServeOptions {
  env?: Record<string, string | undefined>;
  host?: string;
  port?: number;
  logger?: boolean;
  /** A port already opened by the bin (see early.ts): the app takes it over instead of listening. */
  early?: EarlyServer | null;
}

/** Build and listen. Nothing slow (network, model lists, update checks) runs before the port is open. */
export async function serve(opts: ServeOptions = {}): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const env = opts.env ?? process.env;
  const ctx = createContext(env, opts.logger === false ? { logLevel: 'silent' } : {});
  const host = opts.host ?? ctx.env.get('ANTON_SERVER_HOST') ?? DEFAULT_HOST;
  const port = opts.port ?? ctx.env.int('ANTON_SERVER_PORT', DEFAULT_PORT);
  const early = opts.early;
  let handler: RequestHandler | null = null;
  const app = await buildApp(ctx, {
    logRequests: ctx.env.bool('ANTON_LOG_REQUESTS', false),
    ...(early
      ? {
          serverFactory: (h: RequestHandler) => {
            handler = h;
            return early.server;
          },
        }
      : {}),
  });
  if (early) {
    app.addHook('onClose', async () => {
      early.server.closeAllConnections();
      await new Promise<void>((r) => early.server.close(() => r()));
    });
    await app.ready();
    early.attach(handler!);
    app.log.info({ address: early.server.address() }, 'server listening');
  } else await app.listen({ host, port });
  return { app, ctx };
}

/** Process entry: run a staged newer version if there is one, else serve; close gracefully on SIGTERM/SIGINT. */
export async function main(args: string[] = process.argv.slice(2), early: EarlyServer | null = null): Promise<void> {
  const boot = bootEnv(process.env);
  const cfg = updateConfig(boot.env, boot.paths.coworkStateDir);
  if (!early && updatesEnabled(boot.env, process.env)) {
    const staged = stagedNewer(cfg);
    if (staged && (await supervise(staged.entry, args)) === 'failed-early') rollBack(cfg);
  }
  let app: FastifyInstance;
  let ctx: AppContext;
  try {
    ({ app, ctx } = await serve({ early }));
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
  const onTerm = () => shutdown('SIGTERM');
  const onInt = () => shutdown('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const earlySignal = early?.takeSignal();
  if (earlySignal) shutdown(earlySignal);
  if (updatesEnabled(boot.env, process.env)) void updateInBackground(app, ctx, cfg, boot.env, args, () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    closing = true;
  });
}

/**
 * After the server is up (never before: start-up must not wait on the network), stage a verified update;
 * when no turn is running, hand the port over to it and stay on as its supervisor, keeping our PID.
 */
async function updateInBackground(app: FastifyInstance, ctx: AppContext, cfg: UpdateConfig, env: EnvStore, args: string[], detachSignals: () => void): Promise<void> {
  await new Promise((r) => setTimeout(r, env.int('ANTON_UPDATE_CHECK_DELAY_MS', 15_000)).unref());
  const staged = await stageUpdate(cfg, app.log as unknown as Logger);
  if (!staged || env.get('ANTON_UPDATE_SWITCH') === 'next-start') return;
  while (ctx.turns.list().length > 0) await new Promise((r) => setTimeout(r, 2000)); // never cut a running turn
  app.log.info({ version: staged.version }, 'switching to the updated version');
  detachSignals();
  await app.close();
  if ((await supervise(staged.entry, args)) === 'failed-early') {
    rollBack(cfg);
    app.log.error('the updated version failed to start; rolled back');
    await main(args);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
