import { createServer } from 'node:net';
import type { EnvStore } from '../../core/settings/env-store.js';
import type { VersionRef } from '../../core/updater/state.js';
import { listenConfigured } from './boot-env.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';
import { INSTALLED, probationMs, versionsDir } from './update-config.js';

/** One JSON line per event on stderr, in the shape pino writes, so the desktop app's log capture reads both alike. */
export const supervisorLog: SupervisorOptions['log'] = (level, msg, fields = {}) => {
  const levels = { info: 30, warn: 40, error: 50 };
  process.stderr.write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, name: 'anton-supervisor', msg, ...fields })}\n`);
};

/**
 * Start as the supervisor of an updated version: take the port, then run that version as our child. False when the
 * port cannot be taken (the caller then starts normally, which reports the error clearly).
 */
export async function runLauncher(env: EnvStore, coworkStateDir: string, current: VersionRef, args: string[]): Promise<boolean> {
  const acceptor = createServer({ pauseOnConnect: true, noDelay: true }); // see listenEarly
  if (!(await listenConfigured(acceptor, env))) return false;
  const sup = new Supervisor({ acceptor, installed: INSTALLED, versionsDir: versionsDir(coworkStateDir), args, probationMs: probationMs(env), log: supervisorLog });
  sup.start(current);
  return true;
}
