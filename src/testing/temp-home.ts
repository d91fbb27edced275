import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away HOME so tests never touch the developer's ~/.anton. */
export function makeTempHome(prefix = 'anton-test-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) };
}

/** A minimal environment: no API keys leak in from the machine running the tests. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', ANTON_DISABLE_AUTOUPDATES: 'true', ...extra };
}
