import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths, type Paths } from '../../core/paths.js';
import { EnvStore, mergeBootEnv } from '../../core/settings/env-store.js';
import { SETTINGS } from '../../core/settings/settings-registry.js';

export const DEFAULT_PORT = SETTINGS.ANTON_SERVER_PORT.default; // "ANTON" on a phone keypad
export const DEFAULT_HOST = SETTINGS.ANTON_SERVER_HOST.default;

/** The configuration as the server will see it, before anything heavy is loaded. */
export function bootEnv(processEnv: Record<string, string | undefined>): { env: EnvStore; paths: Paths; bootEnv: Record<string, string | undefined> } {
  const home = processEnv.HOME || resolvePaths(processEnv).home;
  let text = '';
  try {
    text = readFileSync(join(home, '.anton', '.env'), 'utf8');
  } catch {
    text = '';
  }
  // ~/.anton/.env fills in what the real environment lacks (process env wins).
  const merged = mergeBootEnv(processEnv, text);
  const paths = resolvePaths(merged);
  return { env: new EnvStore(processEnv, paths.dotenvFile), paths, bootEnv: merged };
}

/** Listen on the configured host and port; false when that fails (the caller then starts the ordinary way, which says why). */
export async function listenConfigured(server: import('node:net').Server, env: EnvStore): Promise<boolean> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.setting('ANTON_SERVER_PORT'), env.setting('ANTON_SERVER_HOST'), () => {
        server.off('error', reject);
        resolve();
      });
    });
    return true;
  } catch {
    return false;
  }
}
