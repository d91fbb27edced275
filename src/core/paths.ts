import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Every on-disk location the server uses, resolved once from an env snapshot (HOME honoured, so tests use temp homes). */
export interface Paths {
  home: string;
  antonHome: string; // ~/.anton
  dotenvFile: string; // ~/.anton/.env
  projectsDir: string;
  coworkStateDir: string; // database, backups
  databaseFile: string;
  memoryDir: string; // ~/.anton/memory
  skillsDir: string; // ~/.anton/skills
  vaultDir: string; // ~/.anton/data_vault
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? join(home, p.slice(1)) : p;
}

export function resolvePaths(env: Record<string, string | undefined>): Paths {
  const home = env.HOME || homedir();
  const antonHome = join(home, '.anton');
  const projectsDir = resolve(expandHome(env.ANTON_PROJECTS_DIR || join(home, '.antontron', 'projects'), home));
  const coworkStateDir = resolve(expandHome(env.ANTON_COWORK_STATE_DIR || join(antonHome, 'cowork'), home));
  return {
    home,
    antonHome,
    dotenvFile: join(antonHome, '.env'),
    projectsDir,
    coworkStateDir,
    databaseFile: join(coworkStateDir, 'cowork.db'),
    memoryDir: join(antonHome, 'memory'),
    skillsDir: join(antonHome, 'skills'),
    vaultDir: join(antonHome, 'data_vault'),
  };
}

/** The reference keeps the active-project file beside the projects folder. */
export function legacyProjectsStateFile(paths: Paths): string {
  return join(dirname(paths.projectsDir), 'state.json');
}
