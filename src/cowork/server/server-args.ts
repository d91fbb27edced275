import { parseArgs } from 'node:util';

export const SERVER_USAGE = `Usage: anton-cowork-server [options]
       anton-cowork-server import      adopt an existing Anton install (conversations, pins, schedules, vault)

Options:
  --port <n>            port to listen on (ANTON_SERVER_PORT, default 26866)
  --host <addr>         address to bind (ANTON_SERVER_HOST, default 127.0.0.1)
  --state-dir <dir>     server state: database, versions, logs (ANTON_COWORK_STATE_DIR, default ~/.anton/cowork)
  --projects-dir <dir>  projects folder (ANTON_PROJECTS_DIR, default ~/.antontron/projects)
  --log-level <level>   fatal, error, warn, info, debug, trace or silent (ANTON_LOG_LEVEL, default info)
  --version, -V         print the version that runs (after an update: the updated one)
  --protocol-version    print the wire-protocol version
  --help, -h            this text
Everything else is configured in ~/.anton/.env or the environment; see README.`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type ServerArgs =
  | { kind: 'serve'; env: Record<string, string>; help: boolean; version: boolean; protocolVersion: boolean }
  | { kind: 'command' }
  | { kind: 'error'; message: string };

/** The server bin's flags, turned into the settings they stand for (flags win over the environment and ~/.anton/.env). */
export function parseServerArgs(argv: string[]): ServerArgs {
  if (argv[0] === 'import') return { kind: 'command' };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'state-dir': { type: 'string' },
        'projects-dir': { type: 'string' },
        'log-level': { type: 'string' },
        version: { type: 'boolean', short: 'V' },
        'protocol-version': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  const v = parsed.values;
  const env: Record<string, string> = {};
  if (v.port !== undefined) {
    const n = Number(v.port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) return { kind: 'error', message: `--port must be a number from 0 to 65535, got "${v.port}"` };
    env.ANTON_SERVER_PORT = String(n);
  }
  if (v.host !== undefined) env.ANTON_SERVER_HOST = v.host;
  if (v['state-dir'] !== undefined) env.ANTON_COWORK_STATE_DIR = v['state-dir'];
  if (v['projects-dir'] !== undefined) env.ANTON_PROJECTS_DIR = v['projects-dir'];
  if (v['log-level'] !== undefined) {
    if (!LEVELS.includes(v['log-level'])) return { kind: 'error', message: `--log-level must be one of ${LEVELS.join(', ')}` };
    env.ANTON_LOG_LEVEL = v['log-level'];
  }
  return { kind: 'serve', env, help: !!v.help, version: !!v.version, protocolVersion: !!v['protocol-version'] };
}
