import { pathToFileURL } from 'node:url';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createContext } from './context.js';
import { DEFAULT_HOST, DEFAULT_PORT, bootEnv } from './boot-env.js';
import { describeBootError } from './boot-errors.js';
import type { EarlyServer, RequestHandler } from './early.js';
import type { ServerServices } from './server-services.js';
import type { EnvStore } from '../../core/settings/env-store.js';
import { Supervisor } from './supervisor.js';
import { supervisorLog } from './launcher.js';
import { INSTALLED, probationMs, updatesEnabled, versionsDir } from './update-config.js';
import { startUpdateLoop } from './services/update-loop.js';
import { openSseStreams } from './services/sse.js';
import type { VersionRef } from '../../core/updater/state.js';

export { DEFAULT_HOST, DEFAULT_PORT };

export interface ServeOptions {
  env?: Record<string, string | undefined>;
  host?: string;
  port?: number;
  logger?: boolean;
  /** A port already opened by the bin (see early.ts), or a supervised child's IPC feed: the app takes it over. */
  early?: EarlyServer | null;
  /** Called once the idle-time warm-up after ready has run (see buildApp). */
  onWarmedUp?: () => void;
  /** How the bin loaded the server bundle (server-loader.ts), for the start-up log line. */
  codeCache?: 'cached' | 'compiled' | 'esm';
}

/** What the bin adds to a server start (server-loader.ts): how the bundle was loaded, and when to save its cache. */
export type MainHooks = Pick<ServeOptions, 'onWarmedUp' | 'codeCache'>;

/** Build and listen. Nothing slow (network, model lists, update checks) runs before the port is open. */
export async function serve(opts: ServeOptions = {}): Promise<{ app: FastifyInstance; ctx: ServerServices }> {
  const env = opts.env ?? process.env;
  const ctx = createContext(env, opts.logger === false ? { logLevel: 'silent' } : {});
  const host = opts.host ?? ctx.env.setting('ANTON_SERVER_HOST');
  const port = opts.port ?? ctx.env.setting('ANTON_SERVER_PORT');
  const early = opts.early;
  let handler: RequestHandler | null = null;
  const app = await buildApp(ctx, {
    logRequests: ctx.env.setting('ANTON_LOG_REQUESTS'),
    onWarmedUp: opts.onWarmedUp,
    ...(early
      ? {
          serverFactory: (h: RequestHandler) => {
            handler = h;
            return early.http;
          },
        }
      : {}),
  });
  if (early) {
    app.addHook('onClose', async () => {
      early.http.closeAllConnections();
      if (early.acceptor?.listening) await new Promise<void>((r) => early.acceptor!.close(() => r()));
    });
    await app.ready();
    early.attach(handler!);
    app.log.info({ address: early.acceptor?.address() ?? 'supervised', codeCache: opts.codeCache }, 'server listening');
    early.ready();
  } else await app.listen({ host, port });
  return { app, ctx };
}

/**
 * Started through npm (`npm start`, `npx`, `npm run dev`), a stop signal reaches npm, not us; leave when the parent
 * goes, so no orphan keeps the port. A server started directly (the desktop app, a service manager, nohup) stays.
 */
const exitsWithParent = (env: EnvStore) => Boolean(process.env.npm_lifecycle_event || process.env.npm_command) || env.setting('ANTON_EXIT_WITH_PARENT');

function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, 500);
  timer.unref();
}

/** Nothing a switch could destroy: no running turn, no scratchpad kernel, no open SSE stream. */
export const isIdle = (ctx: Pick<ServerServices, 'turns' | 'pads'>) => ctx.turns.list().length === 0 && ctx.pads.list().length === 0 && openSseStreams() === 0;

/**
 * Stop taking work and leave once what is live has finished: used when a newer version takes over the port. New
 * connections already go elsewhere; idle keep-alive connections are closed, busy ones finish first.
 */
async function retire(app: FastifyInstance, ctx: Pick<ServerServices, 'scheduler' | 'turns' | 'pads'>, early: EarlyServer, stopUpdates: () => void): Promise<void> {
  stopUpdates();
  await ctx.scheduler.stop();
  for (;;) {
    early.http.closeIdleConnections();
    if (early.openConnections() === 0 && isIdle(ctx)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  app.log.info('handed over to the updated version');
  await app.close();
}

/** Process entry: serve; close gracefully on SIGTERM/SIGINT; keep checking for updates and switch to one when idle. */
export async function main(_args: string[] = process.argv.slice(2), early: EarlyServer | null = null, hooks: MainHooks = {}): Promise<void> {
  let app: FastifyInstance;
  let ctx: ServerServices;
  try {
    ({ app, ctx } = await serve({ early, ...hooks }));
  } catch (err) {
    const { env, paths } = bootEnv(process.env);
    const where = { host: env.setting('ANTON_SERVER_HOST'), port: env.setting('ANTON_SERVER_PORT'), stateDir: paths.coworkStateDir };
    console.error(describeBootError(err, where, env.setting('ANTON_LOG_LEVEL') === 'debug'));
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
  early?.releaseSignals();
  if (exitsWithParent(ctx.env)) watchParent(() => shutdown('parent exited'));
  if (!early || !updatesEnabled(ctx.env)) return;
  const loop = startUpdateLoop({
    env: ctx.env,
    coworkStateDir: ctx.paths.coworkStateDir,
    log: app.log as never,
    isIdle: () => !closing && isIdle(ctx),
    switchTo: (ref) => (early.supervised ? askSupervisorToSwitch(ref) : becomeSupervisor(ref)),
  });
  ctx.closers.push(() => loop.stop());
  if (early.supervised) {
    early.onRetire(() => {
      closing = true;
      void retire(app, ctx, early, loop.stop).then(() => process.exit(0));
    });
  }

  function askSupervisorToSwitch(ref: VersionRef): void {
    void ctx.scheduler.stop(); // no schedule runs twice while both versions are up
    process.send?.({ anton: 'switch', ...ref });
  }

  /** Single-process mode: this process keeps the port and becomes the supervisor of the new version. */
  function becomeSupervisor(ref: VersionRef): void {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    void ctx.scheduler.stop();
    const acceptor = early!.acceptor!;
    const sup = new Supervisor({
      acceptor,
      installed: INSTALLED,
      versionsDir: versionsDir(ctx.paths.coworkStateDir),
      args: [],
      probationMs: probationMs(ctx.env),
      log: supervisorLog,
      local: {
        serve: (socket: Socket) => {
          early!.http.emit('connection', socket); // the peer check resumes it
        },
        retire: () => {
          closing = true;
          void retire(app, ctx, early!, loop.stop);
        },
      },
    });
    early!.acceptor = null; // the supervisor holds the port now; closing the app must not close it
    sup.switchTo(ref);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
