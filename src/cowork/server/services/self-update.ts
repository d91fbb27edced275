import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { checkForUpdate, installRelease, readStaged, verifyRelease, writeStaged, type UpdateConfig } from '../../../core/updater/updater.js';
import { compareVersions } from '../../../core/updater/semver.js';
import { PACKAGE_ROOT } from '../../../core/package-root.js';
import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION, PACKAGE_NAME } from '../../../core/version.js';
import type { EnvStore } from '../../../core/settings/env-store.js';

export const OWN_ENTRY = join(PACKAGE_ROOT, 'bin', 'anton-cowork-server.js');

export function updateConfig(env: EnvStore, coworkStateDir: string): UpdateConfig {
  return {
    packageName: PACKAGE_NAME,
    currentVersion: COWORK_SERVER_VERSION,
    protocolVersion: COWORK_SERVER_PROTOCOL_VERSION,
    registry: env.get('ANTON_UPDATE_REGISTRY') ?? 'https://registry.npmjs.org',
    tag: env.get('ANTON_UPDATE_TAG') ?? 'latest',
    versionsDir: join(coworkStateDir, 'versions'),
    currentRoot: PACKAGE_ROOT,
  };
}

/** Self-update is off when disabled, and inside an already-updated child (the loop guard). */
export function updatesEnabled(env: EnvStore, processEnv: NodeJS.ProcessEnv): boolean {
  return !env.bool('ANTON_DISABLE_AUTOUPDATES', false) && processEnv._ANTON_UPDATED !== '1';
}

/** A verified newer version staged earlier, to run instead of ourselves; null otherwise. */
export function stagedNewer(cfg: UpdateConfig): { version: string; entry: string } | null {
  const s = readStaged(cfg.versionsDir);
  return s && compareVersions(s.version, cfg.currentVersion) > 0 && existsSync(s.entry) ? s : null;
}

/** After a failed switch: point back at the previous version (or at nothing, which means "run yourself"). */
export function rollBack(cfg: UpdateConfig): void {
  const s = readStaged(cfg.versionsDir);
  writeStaged(cfg.versionsDir, s?.previous ? { ...s.previous, previous: null } : { version: cfg.currentVersion, entry: OWN_ENTRY, previous: null });
}

/**
 * Check the release channel; install a newer release side by side and verify it; then point at it.
 * Returns the verified entry, or null. Never throws: a failed update only leaves a log line.
 */
export async function stageUpdate(cfg: UpdateConfig, log: Logger): Promise<{ version: string; entry: string } | null> {
  try {
    const release = await checkForUpdate(cfg);
    if (!release) return null;
    log.info({ from: cfg.currentVersion, to: release.version }, 'installing an update side by side');
    const entry = await installRelease(cfg, release);
    await verifyRelease(entry, release.version, cfg.protocolVersion);
    writeStaged(cfg.versionsDir, { version: release.version, entry, previous: { version: cfg.currentVersion, entry: OWN_ENTRY } });
    log.info({ version: release.version }, 'update verified');
    return { version: release.version, entry };
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'self-update skipped');
    return null;
  }
}
