import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { pythonStatus } from '../core/scratchpad/python.js';
import { getConfigStatus } from '../core/settings/config-status.js';
import type { ProviderType } from '../core/settings/providers.js';
import { COWORK_SERVER_PROTOCOL_VERSION, COWORK_SERVER_VERSION } from '../core/version.js';
import { bootEnv } from '../cowork/server/boot-env.js';
import { schemaVersion } from '../cowork/server/db/database.js';
import { MIGRATIONS } from '../cowork/server/db/migrations.js';
import { probeProviderModels } from '../cowork/server/services/provider-probe.js';
import { updateStatus } from '../cowork/server/update-command.js';
import { logFilePath } from '../cowork/server/logging.js';
import { listProviders, providerBaseUrl } from '../cowork/server/services/settings.js';
import { SPA_ENTRY } from '../cowork/server/spa.js';
import type { Term } from './ui/theme.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';
export interface Check {
  area: string;
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn/fail. */
  fix?: string;
}

/**
 * `anton doctor`: what this install looks like and what is broken, without changing anything (the database is
 * opened read-only, nothing is migrated). `--live` also checks the provider keys with a real request (`anton update` checks the release channel).
 */
export async function runDoctor(processEnv: Record<string, string | undefined>, live: boolean): Promise<Check[]> {
  const { env, paths } = bootEnv(processEnv);
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  add({ area: 'versions', name: 'anton', status: 'info', detail: `${COWORK_SERVER_VERSION} (protocol ${COWORK_SERVER_PROTOCOL_VERSION})` });
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  add({ area: 'versions', name: 'node', status: nodeMajor >= 20 ? 'ok' : 'fail', detail: process.version, fix: nodeMajor >= 20 ? undefined : 'Install Node.js 20 or newer.' });

  // Python and the scratchpad's virtualenvs (made with `python -m venv`).
  const python = env.setting('ANTON_PYTHON');
  const found = pythonStatus(python, env.get('PATH') ?? process.env.PATH ?? ''); // the same lookup as /health
  const py = found.ok ? spawnSync(found.path!, ['-c', 'import sys, venv; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', timeout: 10_000 }) : null;
  if (!py || py.error) add({ area: 'versions', name: 'python', status: 'fail', detail: `${python} not found`, fix: found.error ?? 'Install Python 3 (apt install python3 python3-venv) or set ANTON_PYTHON.' });
  else if (py.status !== 0) add({ area: 'versions', name: 'python', status: 'fail', detail: `${python}: ${py.stderr.trim().split('\n').pop()}`, fix: 'The scratchpad needs the venv module: install python3-venv.' });
  else add({ area: 'versions', name: 'python', status: 'ok', detail: `${python} ${py.stdout.trim()} (venv available)` });

  // State dir: exists, writable, private.
  for (const [name, dir] of [
    ['anton home', paths.antonHome],
    ['state dir', paths.coworkStateDir],
    ['projects dir', paths.projectsDir],
  ] as const) {
    if (!existsSync(dir)) {
      add({ area: 'storage', name, status: 'info', detail: `${dir} (not created yet)` });
      continue;
    }
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      add({ area: 'storage', name, status: 'fail', detail: `${dir} is not writable`, fix: `Fix the permissions of ${dir} (owner ${process.getuid?.() ?? '?'}), or point ANTON_COWORK_STATE_DIR / ANTON_PROJECTS_DIR elsewhere.` });
      continue;
    }
    const mode = statSync(dir).mode & 0o777;
    const open = name === 'state dir' && (mode & 0o077) !== 0;
    add({ area: 'storage', name, status: open ? 'warn' : 'ok', detail: `${dir} (mode ${mode.toString(8)})`, fix: open ? `chmod 700 ${dir} (it holds the vault key)` : undefined });
  }

  // Database: integrity and schema version, read-only.
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (!existsSync(paths.databaseFile)) add({ area: 'storage', name: 'database', status: 'info', detail: `${paths.databaseFile} (created on first use)` });
  else {
    try {
      const db = new Database(paths.databaseFile, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? 'unknown';
        const version = schemaVersion(db); // additive migrations included (db/database.ts)
        const tooNew = (db.pragma('user_version', { simple: true }) as number) > latest; // what a server refuses
        const status: CheckStatus = integrity !== 'ok' || tooNew ? 'fail' : version < latest ? 'warn' : 'ok';
        add({
          area: 'storage',
          name: 'database',
          status,
          detail: `${paths.databaseFile}: integrity ${integrity}, schema ${version} (this version: ${latest})`,
          fix: integrity !== 'ok' ? 'Restore a backup (`anton import-archive`, or a .bak beside the database).' : tooNew ? 'The database is newer than this Anton: upgrade.' : version < latest ? 'It is migrated (after a backup) on the next start.' : undefined,
        });
      } finally {
        db.close();
      }
    } catch (err) {
      add({ area: 'storage', name: 'database', status: 'fail', detail: `${paths.databaseFile}: ${(err as Error).message}`, fix: 'Restore a backup (`anton import-archive`, or a .bak beside the database).' });
    }
  }
  add({ area: 'storage', name: 'log files', status: 'info', detail: `${logFilePath(env, paths.coworkStateDir) ?? 'server: off'}, ${join(paths.coworkStateDir, 'logs', 'terminal.log')}` });

  // LLM providers.
  const cfg = getConfigStatus(env);
  add({ area: 'providers', name: 'chat model', status: cfg.config_ready ? 'ok' : 'fail', detail: cfg.config_ready ? `${cfg.provider_label} · ${cfg.model}` : cfg.config_error, fix: cfg.config_ready ? undefined : 'Run `anton setup`.' });
  for (const p of listProviders(env, false)) {
    if (!live) {
      add({ area: 'providers', name: p.type, status: 'info', detail: `key configured${p.isDefault ? ' (default)' : ''}` });
      continue;
    }
    const r = await probeProviderModels(p.type as ProviderType, p.apiKey, providerBaseUrl(env, p.type) ?? (p.type === 'anthropic' ? env.get('ANTON_ANTHROPIC_BASE_URL') : p.type === 'openai' ? env.get('ANTON_OPENAI_BASE_URL') : undefined));
    add({ area: 'providers', name: p.type, status: r.ok ? 'ok' : 'fail', detail: `live check: ${r.detail}`, fix: r.ok ? undefined : `Check the ${p.type} key (\`anton setup\`).` });
  }

  // The server's port.
  const host = env.setting('ANTON_SERVER_HOST');
  const port = env.setting('ANTON_SERVER_PORT');
  const free = await new Promise<boolean>((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, host, () => srv.close(() => res(true)));
  });
  if (free) add({ area: 'server', name: 'port', status: 'ok', detail: `${host}:${port} is free` });
  else {
    const health = await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.json() as Promise<{ version?: string }>)
      .catch(() => null);
    add(
      health?.version
        ? { area: 'server', name: 'port', status: 'info', detail: `${host}:${port}: an Anton server ${health.version} is running` }
        : { area: 'server', name: 'port', status: 'warn', detail: `${host}:${port} is used by another program`, fix: 'Stop it, or set ANTON_SERVER_PORT.' },
    );
  }

  // Web UI.
  if (env.setting('ANTON_SERVE_SPA')) {
    const dir = resolve(env.setting('ANTON_SPA_DIR'));
    const ok = existsSync(join(dir, SPA_ENTRY));
    add({ area: 'server', name: 'web UI', status: ok ? 'ok' : 'fail', detail: `${dir}${ok ? '' : ` has no ${SPA_ENTRY}`}`, fix: ok ? undefined : 'Point ANTON_SPA_DIR at the built web UI, or turn ANTON_SERVE_SPA off.' });
  } else add({ area: 'server', name: 'web UI', status: 'info', detail: 'not served (ANTON_SERVE_SPA is off)' });

  // Updates (the updater's own status; `anton update` checks the channel now).
  try {
    const u = updateStatus(processEnv);
    const pending = u.staged ? ` · ${u.staged} staged` : '';
    const quarantined = u.quarantined.length ? ` · quarantined: ${u.quarantined.map((q) => q.version).join(', ')}` : '';
    add({ area: 'updates', name: 'channel', status: 'info', detail: `${u.registry} · ${u.automatic_updates ? 'automatic updates on' : 'automatic updates off'}` });
    add({ area: 'updates', name: 'status', status: u.quarantined.length ? 'warn' : 'info', detail: `running ${u.current} (installed ${u.installed})${pending}${quarantined}${u.last_check ? ` · last check ${JSON.stringify(u.last_check)}` : ''}`, fix: u.quarantined.length ? 'A release failed its checks and was set aside; `anton update --status` shows why.' : undefined });
  } catch (err) {
    add({ area: 'updates', name: 'status', status: 'warn', detail: `unreadable updater state: ${(err as Error).message}` });
  }

  return checks;
}

export function printDoctor(term: Term, checks: Check[]): void {
  const { c } = term;
  const mark: Record<CheckStatus, string> = { ok: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗'), info: c.dim('·') };
  let area = '';
  for (const ch of checks) {
    if (ch.area !== area) {
      area = ch.area;
      term.out.write(`${c.bold(area)}\n`);
    }
    term.out.write(`  ${mark[ch.status]} ${ch.name.padEnd(12)} ${ch.detail}\n`);
    if (ch.fix && (ch.status === 'fail' || ch.status === 'warn')) term.out.write(`    ${c.dim(`→ ${ch.fix}`)}\n`);
  }
  const failed = checks.filter((x) => x.status === 'fail').length;
  const warned = checks.filter((x) => x.status === 'warn').length;
  term.out.write(failed ? c.red(`${failed} problem${failed === 1 ? '' : 's'} found.\n`) : c.green(`No problems found${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.\n`));
}
