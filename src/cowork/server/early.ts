import { accessSync, constants, existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { bootEnv, listenConfigured } from './boot-env.js';
import { healthPayload } from './health-payload.js';
import { installPeerCheck } from './peer-uid.js';
import { allowedHosts, hostName } from './security.js';
import { parseServerArgs, SERVER_USAGE } from './server-args.js';
import { effectiveVersion, runnableCurrent, updatesEnabled } from './update-config.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface EarlyServer {
  /** The HTTP server the app serves on. It never listens itself: connections come from the acceptor or the supervisor. */
  http: Server;
  /** The listening socket; null in a supervised child, or once handed to a supervisor in this process. */
  acceptor: NetServer | null;
  /** Connections the app currently holds (keep-alive included). */
  openConnections(): number;
  /** Requests waiting for the app (start-up). */
  queued(): number;
  /** Hand every request (and those queued so far) to the full app. */
  attach(handler: RequestHandler): void;
  /** main() takes over stop signals once it can shut down cleanly (until then a signal exits at once). */
  releaseSignals(): void;
  /** Set by main(): what to do when the supervisor says this version is being replaced. */
  onRetire(fn: () => void): void;
  /** Tell the supervisor (if any) that the full app is up. */
  ready(): void;
  supervised: boolean;
}

/** What the bin should do next. */
export type Boot = { kind: 'done' } | { kind: 'serve'; early: EarlyServer | null; stateDir: string } | { kind: 'command' };

/**
 * The bin's first step, kept tiny so the port opens at once: answer --version/--help, apply server flags, then either
 * run as the supervised child of a supervisor, become the supervisor of a newer installed version, or open the port
 * and let `/health` answer while the full server loads (every other request waits in a queue until the app is ready).
 */
export async function boot(argv: string[], processEnv: Record<string, string | undefined> = process.env): Promise<Boot> {
  const args = parseServerArgs(argv);
  if (args.kind === 'error') {
    console.error(`${args.message}\n\n${SERVER_USAGE}`);
    process.exitCode = 2;
    return { kind: 'done' };
  }
  if (args.kind === 'command') return { kind: 'command' };
  Object.assign(processEnv, args.env);
  if (args.help) {
    console.log(SERVER_USAGE);
    return { kind: 'done' };
  }
  const { env, paths } = bootEnv(processEnv);
  if (args.version) {
    console.log(effectiveVersion(env, paths.coworkStateDir));
    return { kind: 'done' };
  }
  if (args.protocolVersion) return { kind: 'command' };
  if (processEnv.ANTON_SUPERVISED === '1' && typeof process.send === 'function') return { kind: 'serve', early: supervisedChild(env), stateDir: paths.coworkStateDir };
  const current = updatesEnabled(env) ? runnableCurrent(paths.coworkStateDir) : null;
  if (current) {
    const { runLauncher } = await import('./launcher.js');
    const ok = await runLauncher(env, paths.coworkStateDir, current, argv);
    return ok ? { kind: 'done' } : { kind: 'serve', early: null, stateDir: paths.coworkStateDir };
  }
  return { kind: 'serve', early: await listenEarly(env, paths.coworkStateDir), stateDir: paths.coworkStateDir };
}

/** Can the state dir be created and written? (A server about to fail must not answer /health ok first.) */
function stateDirWritable(dir: string): boolean {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  try {
    accessSync(d, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function earlyServer(env: ReturnType<typeof bootEnv>['env'], acceptor: NetServer | null, supervised: boolean): EarlyServer {
  const hosts = allowedHosts(env);
  let handler: RequestHandler | null = null;
  const queue: [IncomingMessage, ServerResponse][] = [];
  const http = createHttpServer((req, res) => {
    if (handler) return handler(req, res);
    const isHealth = (req.method === 'GET' || req.method === 'HEAD') && req.url?.split('?')[0] === '/health';
    if (isHealth && hosts.has(hostName(req.headers.host ?? ''))) {
      const body = JSON.stringify(healthPayload(env, [], []));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    queue.push([req, res]);
  });
  // Other OS users are refused from the first connection on (the app's own install of the check is then a no-op).
  installPeerCheck(http, {
    allowOtherUsers: env.bool('ANTON_ALLOW_OTHER_USERS', false),
    onRefused: (info) => process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'refused a connection from another OS user', ...info })}\n`),
  });
  // It never listens itself; this starts Node's connection tracking (header/request timeouts, closeIdleConnections).
  http.emit('listening');
  let connections = 0;
  http.on('connection', (s: Socket) => {
    connections++;
    s.once('close', () => connections--);
  });
  // A stop signal before the app is ready ends the process at once: nothing is live yet (no turn, no kernel) and
  // SQLite is durable, so there is nothing to wind down, and a boot that hangs can still be stopped.
  const stopNow = () => process.exit(0);
  process.on('SIGTERM', stopNow);
  process.on('SIGINT', stopNow);
  let retire: (() => void) | null = null;
  let retireAsked = false;
  if (supervised) {
    process.on('message', (m: { anton?: string }) => {
      if (m?.anton !== 'retire') return;
      retireAsked = true;
      retire?.();
    });
  }
  return {
    http,
    acceptor,
    supervised,
    openConnections: () => connections,
    queued: () => queue.length,
    releaseSignals() {
      process.off('SIGTERM', stopNow);
      process.off('SIGINT', stopNow);
    },
    attach(h) {
      handler = h;
      for (const [req, res] of queue.splice(0)) h(req, res);
    },
    onRetire(fn) {
      retire = fn;
      if (retireAsked) fn();
    },
    ready() {
      if (supervised) process.send?.({ anton: 'ready' });
    },
  };
}

/** Open the port ourselves. Null when the port cannot be taken or the state dir is unusable (the normal path reports it). */
export async function listenEarly(env: ReturnType<typeof bootEnv>['env'], stateDir: string): Promise<EarlyServer | null> {
  if (!stateDirWritable(stateDir)) return null;
  // noDelay as http.createServer has it: with Nagle on, an SSE stream's second small write waits for the client's
  // delayed ACK (~40 ms), which held back the first tokens of every reply. Paused until the HTTP server has the socket
  // (the peer check resumes it, peer-uid.ts), as the supervisor hands sockets over.
  const acceptor = createNetServer({ noDelay: true, pauseOnConnect: true });
  const early = earlyServer(env, acceptor, false);
  acceptor.on('connection', (s: Socket) => early.http.emit('connection', s));
  if (!(await listenConfigured(acceptor, env))) {
    early.releaseSignals();
    return null;
  }
  return early;
}

/** Serving under a supervisor: connections arrive over IPC; if the supervisor goes away, so do we. */
function supervisedChild(env: ReturnType<typeof bootEnv>['env']): EarlyServer {
  const early = earlyServer(env, null, true);
  process.on('message', (m: { anton?: string }, socket?: Socket) => {
    if (m?.anton !== 'conn' || !socket) return;
    socket.setNoDelay(true); // as listenEarly's acceptor: no Nagle delay on streamed frames
    early.http.emit('connection', socket); // the peer check resumes it
  });
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.send!({ anton: 'accepting' });
  return early;
}
