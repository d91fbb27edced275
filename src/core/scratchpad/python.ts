import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface PythonStatus {
  ok: boolean;
  /** The interpreter that would run, when found. */
  path?: string;
  /** What is wrong and how to fix it, when not found. */
  error?: string;
}

const cache = new Map<string, PythonStatus>();

/**
 * Is the scratchpad's interpreter there? A cheap look along PATH (no process is started), cached per setting, so
 * `/health` can say the scratchpad is unavailable before a pad fails to start.
 */
export function pythonStatus(python: string, pathEnv = process.env.PATH ?? ''): PythonStatus {
  const key = `${python}\u0000${pathEnv}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const candidates = isAbsolute(python) || python.includes('/') ? [python] : pathEnv.split(delimiter).filter(Boolean).map((d) => join(d, python));
  let status: PythonStatus = {
    ok: false,
    error: `Python was not found ("${python}" is not ${candidates.length === 1 && candidates[0] === python ? 'an executable file' : 'on PATH'}). Install Python 3 (on Debian/Ubuntu: apt install python3 python3-venv) or set ANTON_PYTHON to its path.`,
  };
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) {
        status = { ok: true, path: c };
        break;
      }
    } catch {
      /* not here */
    }
  }
  cache.set(key, status);
  return status;
}
