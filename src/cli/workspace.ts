import { basename, join, relative, resolve, sep } from 'node:path';
import pino from 'pino';
import { closeContext, createContext } from '../cowork/server/context.js';
import type { ServerServices } from '../cowork/server/server-services.js';
import { RotatingFile } from '../cowork/server/logging.js';
import { GENERAL_PROJECT, sanitizeProjectName, type ProjectInfo } from '../cowork/server/stores/projects.js';

/**
 * The terminal's handle on the shared workspace: the very stores and services a Cowork server builds
 * (`createContext`), on the same state dir and database. Logs go to `<state>/logs/terminal.log` (size-capped, rotated),
 * never to the screen. This is the terminal's composition root: each command takes from `ctx` what it uses and passes
 * only that on.
 */
export interface Workspace {
  ctx: ServerServices;
  close(): Promise<void>;
}

export function openWorkspace(processEnv: Record<string, string | undefined> = process.env): Workspace {
  const stateDir = resolveStateDir(processEnv);
  let file: RotatingFile | null = null;
  try {
    file = new RotatingFile(join(stateDir, 'logs', 'terminal.log'), Math.max(1, Number(processEnv.ANTON_LOG_FILE_MAX_MB) || 10) * 1024 * 1024);
  } catch {
    file = null; // an unwritable log folder must not stop the terminal
  }
  const log = pino(
    { level: file ? (processEnv.ANTON_LOG_LEVEL ?? 'info') : 'silent', redact: { paths: ['*.apiKey', '*.api_key', '*.token', '*.password', '*.secret'], censor: '[redacted]' } },
    { write: (line: string) => file?.write(line) },
  );
  const ctx = createContext(processEnv, { log, role: 'terminal' });
  let closed = false;
  return {
    ctx,
    async close() {
      if (closed) return;
      closed = true;
      await closeContext(ctx);
    },
  };
}

/** Same rule as core/paths (kept here so the log file exists before the context opens). */
function resolveStateDir(env: Record<string, string | undefined>): string {
  const home = env.HOME || process.env.HOME || '/';
  const raw = env.ANTON_COWORK_STATE_DIR || join(home, '.anton', 'cowork');
  return resolve(raw === '~' || raw.startsWith('~/') ? join(home, raw.slice(1)) : raw);
}

const FOLDERS_KEY = 'terminalFolders'; // absolute folder → project name

/**
 * Which project a terminal session in `cwd` belongs to:
 * 1. `--project NAME` (created when missing);
 * 2. a folder inside the projects dir → that project;
 * 3. the home folder or `/` → the active project (as in the app);
 * 4. any other folder → the project remembered for it, else one named after the folder (reused when a project of
 *    that name exists and no other folder claimed it, otherwise created with a unique name).
 */
export function projectForFolder(ctx: Pick<ServerServices, 'projects' | 'kv' | 'paths'>, cwd: string, requested?: string): { project: ProjectInfo; created: boolean; folder: string | null } {
  const { projects, kv } = ctx;
  if (requested) {
    if (projects.exists(requested)) return { project: projects.resolve(requested), created: false, folder: null };
    const made = projects.create(requested);
    return { project: { name: made.name, path: made.path }, created: true, folder: null };
  }
  const abs = resolve(cwd);
  const rel = relative(projects.dir, abs);
  if (rel && !rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..') {
    const name = rel.split(sep)[0];
    if (projects.exists(name)) return { project: projects.resolve(name), created: false, folder: null };
  }
  if (abs === resolve(ctx.paths.home) || abs === '/' || abs === resolve(projects.dir)) {
    return { project: projects.resolveOrActive(null), created: false, folder: null };
  }
  const map = kv.get<Record<string, string>>(FOLDERS_KEY, {});
  const remembered = map[abs];
  if (remembered && projects.exists(remembered)) return { project: projects.resolve(remembered), created: false, folder: abs };
  const wanted = sanitizeProjectName(basename(abs));
  const claimed = new Set(Object.entries(map).filter(([f]) => f !== abs).map(([, p]) => p));
  let project: ProjectInfo;
  let created = false;
  if (wanted !== GENERAL_PROJECT && projects.exists(wanted) && !claimed.has(wanted)) project = projects.resolve(wanted);
  else {
    const made = projects.create(wanted);
    project = { name: made.name, path: made.path };
    created = true;
  }
  kv.update(FOLDERS_KEY, {} as Record<string, string>, (cur) => ({ ...cur, [abs]: project.name }));
  return { project, created, folder: abs };
}

/** The prompt line that tells the agent where the user's files are when the terminal runs outside the project folder. */
export function folderPromptSection(folder: string): string {
  return `## Working folder\nThe user started this conversation from a terminal in \`${folder}\`. Their data files are there: read them by absolute path (the scratchpad runs in the project folder).`;
}
