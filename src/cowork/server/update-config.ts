import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { UpdateConfig } from '../../core/updater/updater.js';
import { compareVersions } from '../../core/updater/semver.js';
import { isQuarantined, readState, type VersionRef } from '../../core/updater/state.js';
import { PACKAGE_ROOT } from '../../core/package-root.js';
import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION, PACKAGE_NAME, PINNED_RELEASE_KEYS } from '../../core/version.js';
import type { EnvStore } from '../../core/settings/env-store.js';

/** This installed version's own bin: what runs when no update is current, and the last fallback. */
export const INSTALLED: VersionRef = { version: COWORK_SERVER_VERSION, entry: join(PACKAGE_ROOT, 'bin', 'anton-cowork-server.js') };

export const versionsDir = (coworkStateDir: string) => join(coworkStateDir, 'versions');

/** `ANTON_DISABLE_AUTOUPDATES` is the only off switch (it also makes the installed version run, ignoring updates). */
export const updatesEnabled = (env: EnvStore) => !env.setting('ANTON_DISABLE_AUTOUPDATES');

/** Keys pinned in this version plus ANTON_UPDATE_KEYS (comma-separated raw ed25519 public keys, base64). */
export function trustedKeys(env: EnvStore): string[] {
  const extra = (env.get('ANTON_UPDATE_KEYS') ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  return [...PINNED_RELEASE_KEYS, ...extra];
}

export function updateConfig(env: EnvStore, coworkStateDir: string): UpdateConfig {
  return {
    packageName: PACKAGE_NAME,
    currentVersion: COWORK_SERVER_VERSION,
    protocolVersion: COWORK_SERVER_PROTOCOL_VERSION,
    registry: env.setting('ANTON_UPDATE_REGISTRY'),
    tag: env.setting('ANTON_UPDATE_TAG'),
    versionsDir: versionsDir(coworkStateDir),
    currentRoot: PACKAGE_ROOT,
    trustedKeys: trustedKeys(env),
  };
}

/** The updated version to run instead of ourselves: newer than this install, installed, not quarantined. */
export function runnableCurrent(coworkStateDir: string): VersionRef | null {
  const s = readState(versionsDir(coworkStateDir));
  const c = s.current;
  if (!c || compareVersions(c.version, INSTALLED.version) <= 0 || isQuarantined(s, c.version) || !existsSync(c.entry)) return null;
  return c;
}

/** The version a start would run now (what --version prints, so it agrees with /health). */
export function effectiveVersion(env: EnvStore, coworkStateDir: string): string {
  return (updatesEnabled(env) ? runnableCurrent(coworkStateDir)?.version : undefined) ?? INSTALLED.version;
}

export const probationMs = (env: EnvStore) => env.settingMs('ANTON_UPDATE_PROBATION_S');
export const checkIntervalMs = (env: EnvStore) => Math.max(1000, env.settingMs('ANTON_UPDATE_CHECK_INTERVAL_S'));
