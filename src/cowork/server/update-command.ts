import { parseArgs } from 'node:util';
import { bootEnv } from './boot-env.js';
import { INSTALLED, runnableCurrent, updateConfig, updatesEnabled, versionsDir } from './update-config.js';
import { checkAndStage } from './services/update-loop.js';
import { quarantine, readState, updateState } from '../../core/updater/state.js';

export const UPDATE_USAGE = `Usage: anton update             check the release channel now; install and verify a newer release
       anton update --status    the updater's state as one JSON object
       anton update --rollback  go back to the last known-good version (the current one is quarantined)`;

/** The updater's state for people and scripts: the same state dir the server uses. */
export function updateStatus(processEnv: Record<string, string | undefined>) {
  const { env, paths } = bootEnv(processEnv);
  const s = readState(versionsDir(paths.coworkStateDir));
  const current = runnableCurrent(paths.coworkStateDir);
  return {
    installed: INSTALLED.version,
    current: (updatesEnabled(env) ? current?.version : undefined) ?? INSTALLED.version,
    previous: s.knownGood?.version ?? (current ? INSTALLED.version : null),
    staged: s.staged?.version ?? null,
    probation: s.probation,
    quarantined: s.quarantined.map(({ version, reason, at }) => ({ version, reason, at })),
    last_check: s.lastCheck,
    automatic_updates: updatesEnabled(env),
    registry: updateConfig(env, paths.coworkStateDir).registry,
  };
}

/** `anton update [--status | --rollback]`; returns the exit code. */
export async function runUpdateCommand(argv: string[], processEnv: Record<string, string | undefined> = process.env): Promise<number> {
  let opts;
  try {
    opts = parseArgs({ args: argv, strict: true, options: { status: { type: 'boolean' }, rollback: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${UPDATE_USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(UPDATE_USAGE);
    return 0;
  }
  const { env, paths } = bootEnv(processEnv);
  const dir = versionsDir(paths.coworkStateDir);
  if (opts.status) {
    console.log(JSON.stringify(updateStatus(processEnv), null, 2));
    return 0;
  }
  if (opts.rollback) {
    const s = readState(dir);
    if (!s.current) {
      console.log(`Already running the installed version ${INSTALLED.version}; nothing to roll back.`);
      return 0;
    }
    const bad = s.current.version;
    const after = updateState(dir, (st) => {
      quarantine(st, bad, 'rolled back by the user');
      st.current = st.knownGood?.version === bad ? null : st.knownGood;
      st.probation = null;
    });
    console.log(`Rolled back from ${bad} to ${after.current?.version ?? `the installed ${INSTALLED.version}`}; ${bad} is quarantined. Restart the app (or the server) to run it.`);
    return 0;
  }
  const tty = process.stderr.isTTY;
  const progress = (step: string) => process.stderr.write(tty ? `\r\x1b[2K… ${step}` : `${step}\n`);
  const log = { info: () => {}, warn: () => {}, error: () => {} } as never;
  const r = await checkAndStage(updateConfig(env, paths.coworkStateDir), log, progress);
  if (tty) process.stderr.write('\r\x1b[2K');
  switch (r.result) {
    case 'staged':
      console.log(`${r.staged.version} is ${r.fresh ? 'installed and verified' : 'already staged'}. A running server switches to it when idle; otherwise it runs at the next start.${updatesEnabled(env) ? '' : ' (ANTON_DISABLE_AUTOUPDATES is set, so it will not run until that is removed.)'}`);
      return 0;
    case 'up-to-date':
      console.log(`Up to date (${runnableCurrent(paths.coworkStateDir)?.version ?? INSTALLED.version}).`);
      return 0;
    default:
      console.error(`Update ${r.result}: ${r.detail ?? ''}`.trim());
      return 1;
  }
}
