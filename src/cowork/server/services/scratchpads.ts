import { join } from 'node:path';
import { PadManager } from '../../../core/scratchpad/manager.js';
import type { Pad } from '../../../core/scratchpad/pad.js';
import type { PadAccess } from '../../../core/scratchpad/tool.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import type { Logger } from 'pino';
import type { ProjectInfo } from '../stores/projects.js';

export const API_SCOPE = 'api';

/** Pad names become folder names (virtualenvs): keep them to a safe charset. */
export function safePadName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '').slice(0, 64) || 'main';
}

export function createPadManager(env: EnvStore, log?: Pick<Logger, 'warn'>): PadManager {
  return new PadManager({
    onKernelLost: (scope, pad, why) => log?.warn({ scope, pad, why }, 'scratchpad kernel lost mid-cell; restarted'),
    python: env.setting('ANTON_PYTHON'),
    idleMs: env.settingMs('ANTON_SCRATCHPAD_IDLE_MINUTES'),
    maxKernels: env.setting('ANTON_MAX_KERNELS'),
    separateScopes: [API_SCOPE],
  });
}

/**
 * A kernel's whole environment. Nothing else of the server's environment (API keys, other projects'
 * credentials) reaches user code; `secrets` are the DS_* variables of this conversation's connections only.
 */
export function kernelEnv(env: EnvStore, home: string, secrets: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {
    PATH: env.get('PATH') ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: env.get('LANG') ?? 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'utf-8',
    MPLBACKEND: 'Agg',
    ANTON_SCRATCHPAD_MAX_MEMORY_MB: String(env.setting('ANTON_SCRATCHPAD_MAX_MEMORY_MB')),
  };
  for (const k of ['TMPDIR', 'PYENV_ROOT', 'PYENV_VERSION', 'SSL_CERT_FILE', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL']) {
    const v = env.get(k);
    if (v) base[k] = v;
  }
  return { ...base, ...secrets };
}

/** Pads of one conversation: they run in the project folder with venvs under `.anton/scratchpad-venvs/`. */
export function conversationPads(
  pads: PadManager,
  env: EnvStore,
  home: string,
  project: ProjectInfo,
  conversationId: string,
  secrets: () => Record<string, string>,
): PadAccess {
  const max = env.setting('ANTON_MAX_PADS_PER_CONVERSATION');
  return {
    open: (name: string): Pad =>
      pads.getOrCreate(
        conversationId,
        safePadName(name),
        { cwd: project.path, env: kernelEnv(env, home, secrets()), venvDir: join(project.path, '.anton', 'scratchpad-venvs', safePadName(name)) },
        max,
      ),
    find: (name) => pads.get(conversationId, safePadName(name)),
    remove: (name) => pads.remove(conversationId, safePadName(name), true),
  };
}
