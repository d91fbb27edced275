import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths, type Paths } from '../../core/paths.js';
import { EnvStore, mergeBootEnv } from '../../core/settings/env-store.js';
import { openDatabase, type Db, type MigrationReport } from './db/database.js';
import { KvStore } from './stores/kv.js';
import { ProjectStore } from './stores/projects.js';
import { PreviewMounts } from './stores/preview-mounts.js';

/** Everything a route needs, built once per server (tests build one per temp HOME). */
export interface AppContext {
  paths: Paths;
  env: EnvStore;
  db: Db;
  migration: MigrationReport;
  kv: KvStore;
  projects: ProjectStore;
  previews: PreviewMounts;
  /** Live turn / pad names for /health; the chat and scratchpad services register here. */
  live: { conversations: () => string[]; pads: () => string[] };
  /** Shutdown steps run in reverse order of registration. */
  closers: (() => Promise<void> | void)[];
}

function readDotenvText(home: string): string {
  try {
    return readFileSync(join(home, '.anton', '.env'), 'utf8');
  } catch {
    return '';
  }
}

export function createContext(processEnv: Record<string, string | undefined>): AppContext {
  const home = processEnv.HOME || resolvePaths(processEnv).home;
  // Boot: ~/.anton/.env fills in what the real environment lacks (process env wins).
  const bootEnv = mergeBootEnv(processEnv, readDotenvText(home));
  const paths = resolvePaths(bootEnv);
  const env = new EnvStore(processEnv, paths.dotenvFile);
  const { db, migration } = openDatabase(paths.databaseFile);
  const kv = new KvStore(db);
  const projects = new ProjectStore(paths.projectsDir, kv);
  projects.ensureGeneral();
  const ctx: AppContext = {
    paths,
    env,
    db,
    migration,
    kv,
    projects,
    previews: new PreviewMounts(),
    live: { conversations: () => [], pads: () => [] },
    closers: [() => void db.close()],
  };
  return ctx;
}

export async function closeContext(ctx: AppContext): Promise<void> {
  for (const close of [...ctx.closers].reverse()) await close();
  ctx.closers = [];
}
