import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DEFAULT_HOST, DEFAULT_PORT, bootEnv } from './boot-env.js';
import { healthPayload } from './health-payload.js';
import { allowedHosts, hostName } from './security.js';
import { stagedNewer, updateConfig, updatesEnabled } from './services/self-update.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface EarlyServer {
  server: Server;
  /** Hand every request (and those queued so far) to the full app. */
  attach(handler: RequestHandler): void;
  /** A stop signal that arrived while the app was loading (main() honours it once it can shut down cleanly). */
  takeSignal(): NodeJS.Signals | null;
}

/**
 * Open the port before the full server is loaded: `/health` answers at once (the desktop app polls it), every
 * other request waits in a queue until the app is ready. Null when this process will not serve (flags, a
 * staged update to run instead) or the port cannot be taken (the normal path then reports the error).
 */
export async function listenEarly(argv: string[], processEnv: Record<string, string | undefined> = process.env): Promise<EarlyServer | null> {
  if (argv.length) return null;
  const { env, paths } = bootEnv(processEnv);
  if (updatesEnabled(env, processEnv) && stagedNewer(updateConfig(env, paths.coworkStateDir))) return null;
  const hosts = allowedHosts(env);
  let handler: RequestHandler | null = null;
  const queue: [IncomingMessage, ServerResponse][] = [];
  const server = createServer((req, res) => {
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
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.int('ANTON_SERVER_PORT', DEFAULT_PORT), env.get('ANTON_SERVER_HOST') ?? DEFAULT_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch {
    return null;
  }
  let pending: NodeJS.Signals | null = null;
  const remember = (sig: NodeJS.Signals) => (pending = sig);
  process.on('SIGTERM', remember);
  process.on('SIGINT', remember);
  return {
    server,
    takeSignal() {
      process.off('SIGTERM', remember);
      process.off('SIGINT', remember);
      return pending;
    },
    attach(h) {
      handler = h;
      for (const [req, res] of queue.splice(0)) h(req, res);
    },
  };
}
