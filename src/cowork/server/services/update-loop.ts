import type { Logger } from 'pino';
import { ChannelMissing, installRelease, ReleaseRefused, removeOtherVersions, verifyRelease, checkForUpdate, type Progress, type UpdateConfig } from '../../../core/updater/updater.js';
import { compareVersions } from '../../../core/updater/semver.js';
import { isQuarantined, quarantine, readState, updateState, type UpdateState, type VersionRef } from '../../../core/updater/state.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import { checkIntervalMs, updateConfig } from '../update-config.js';

export type CheckResult =
  | { result: 'disabled' | 'up-to-date' | 'channel-missing' | 'error' | 'refused'; detail?: string }
  | { result: 'staged'; staged: VersionRef; fresh: boolean };

/** Record the check's outcome as `lastCheck` (with any other change, in the same locked write); returns the new state. */
const record = (cfg: UpdateConfig, result: string, change: (s: UpdateState) => void = () => {}) =>
  updateState(cfg.versionsDir, (s) => {
    change(s);
    s.lastCheck = { at: new Date().toISOString(), result };
  });

/**
 * One check of the release channel: a newer, non-quarantined release is downloaded, its signature and protocol checked,
 * installed side by side and started once in a scratch HOME; then staged. Never throws; every outcome is logged with
 * the registry and the version, and recorded as `lastCheck`. Deterministic refusals quarantine the version.
 */
export async function checkAndStage(cfg: UpdateConfig, log: Pick<Logger, 'info' | 'warn' | 'error'>, progress: Progress = () => {}): Promise<CheckResult> {
  const state = readState(cfg.versionsDir);
  if (state.staged && compareVersions(state.staged.version, cfg.currentVersion) > 0 && !isQuarantined(state, state.staged.version)) {
    record(cfg, `staged ${state.staged.version}, waiting for an idle moment`);
    return { result: 'staged', staged: { version: state.staged.version, entry: state.staged.entry }, fresh: false };
  }
  if (cfg.trustedKeys.length === 0) {
    record(cfg, 'no trusted release key: updates cannot be verified');
    return { result: 'disabled', detail: 'no trusted release key is pinned in this version or set in ANTON_UPDATE_KEYS' };
  }
  let version: string | undefined;
  try {
    progress(`checking ${cfg.registry} for ${cfg.packageName}@${cfg.tag}`);
    const release = await checkForUpdate(cfg, state);
    if (!release) {
      record(cfg, 'up to date', (s) => void (s.channelMissingLogged = false));
      return { result: 'up-to-date' };
    }
    version = release.version;
    log.info({ from: cfg.currentVersion, to: version, registry: cfg.registry }, 'installing an update side by side');
    const { entry, protocol } = await installRelease(cfg, release, progress);
    progress(`starting ${version} once to verify it`);
    await verifyRelease(entry, version, protocol);
    const after = record(cfg, `staged ${version}`, (s) => void (s.staged = { version: version!, entry, protocol }));
    removeOtherVersions(cfg.versionsDir, [after.current?.version, after.knownGood?.version, version]);
    log.info({ version }, 'update verified and staged');
    return { result: 'staged', staged: { version, entry }, fresh: true };
  } catch (err) {
    const message = (err as Error).message;
    if (err instanceof ChannelMissing) {
      let first = false;
      record(cfg, 'channel not found', (s) => {
        first = !s.channelMissingLogged;
        s.channelMissingLogged = true;
      });
      if (first) log.info({ registry: cfg.registry, package: cfg.packageName }, 'no release channel yet (the package is not published there)');
      return { result: 'channel-missing', detail: message };
    }
    if (err instanceof ReleaseRefused && version) {
      const after = record(cfg, `refused ${version}: ${message}`, (s) => quarantine(s, version!, message));
      removeOtherVersions(cfg.versionsDir, [after.current?.version, after.knownGood?.version]);
      log.error({ version, registry: cfg.registry, reason: message }, 'update refused and quarantined');
      return { result: 'refused', detail: `${version}: ${message}` };
    }
    record(cfg, `error: ${message}`);
    log.warn({ version, registry: cfg.registry, err: message }, 'update check failed; will retry at the next interval');
    return { result: 'error', detail: message };
  }
}

export interface UpdateLoopOptions {
  env: EnvStore;
  coworkStateDir: string;
  log: Logger;
  /** Nothing live: no running turn, no scratchpad kernel, no open SSE stream. */
  isIdle: () => boolean;
  /** Hand over to the staged version (it is verified and newer). */
  switchTo: (ref: VersionRef) => void;
}

/**
 * Check at boot (after a short delay, never before the server is ready) and then every ANTON_UPDATE_CHECK_INTERVAL_S,
 * in whichever process serves. A staged version is switched to at the first idle moment, unless
 * ANTON_UPDATE_SWITCH=next-start, in which case the next start runs it.
 */
export function startUpdateLoop(o: UpdateLoopOptions): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let idleWatch: NodeJS.Timeout | null = null;
  const schedule = (ms: number) => {
    if (!stopped) timer = setTimeout(() => void tick(), ms).unref();
  };
  const waitForIdle = (ref: VersionRef) => {
    if (idleWatch || o.env.setting('ANTON_UPDATE_SWITCH') === 'next-start') return;
    const look = () => {
      idleWatch = null;
      if (stopped) return;
      if (o.isIdle()) {
        stopped = true;
        if (timer) clearTimeout(timer);
        o.switchTo(ref);
      } else idleWatch = setTimeout(look, 1000).unref();
    };
    look();
  };
  const tick = async () => {
    const r = await checkAndStage(updateConfig(o.env, o.coworkStateDir), o.log);
    if (r.result === 'staged') waitForIdle(r.staged);
    schedule(checkIntervalMs(o.env));
  };
  if (updateConfig(o.env, o.coworkStateDir).trustedKeys.length === 0) {
    o.log.info('automatic updates need a trusted release key; none is pinned in this version or set in ANTON_UPDATE_KEYS, so no update will be installed');
    stopped = true;
  } else schedule(o.env.setting('ANTON_UPDATE_CHECK_DELAY_MS'));
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (idleWatch) clearTimeout(idleWatch);
    },
  };
}
