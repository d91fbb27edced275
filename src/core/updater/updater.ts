import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions } from './semver.js';
import { freePort } from '../net/free-port.js';
import { ReleaseRefused, verifyPackage } from './release-signature.js';
import { isQuarantined, type UpdateState } from './state.js';
export { removeOtherVersions } from './state.js';
import { protocolOf, type PackageJson } from '../version.js';

export { ReleaseRefused };

export interface UpdateConfig {
  packageName: string;
  currentVersion: string;
  protocolVersion: number;
  registry: string;
  tag: string;
  /** Where versions are installed side by side, with state.json saying which one runs. */
  versionsDir: string;
  /** The running package's root (its node_modules can be shared when dependencies are unchanged). */
  currentRoot: string;
  /** Raw base64 ed25519 keys whose signatures we accept. */
  trustedKeys: string[];
}

export interface Release {
  version: string;
  tarball: string;
  integrity?: string;
  shasum?: string;
}

export class ChannelMissing extends Error {}

/**
 * The newest release on the channel (npm dist-tag) when it is newer than us and not quarantined; null otherwise.
 * A channel that does not exist (404) throws ChannelMissing, which callers log once at info level.
 */
export async function checkForUpdate(cfg: UpdateConfig, state: UpdateState, timeoutMs = 10_000): Promise<Release | null> {
  const url = `${cfg.registry.replace(/\/+$/, '')}/${cfg.packageName.replace('/', '%2f')}`;
  const res = await fetch(url, {
    headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status === 404) throw new ChannelMissing(`${cfg.packageName} is not published on ${cfg.registry}`);
  if (!res.ok) throw new Error(`registry ${cfg.registry} answered HTTP ${res.status}`);
  const doc = (await res.json()) as { 'dist-tags'?: Record<string, string>; versions?: Record<string, { dist?: { tarball?: string; integrity?: string; shasum?: string } }> };
  const version = doc['dist-tags']?.[cfg.tag];
  const dist = version ? doc.versions?.[version]?.dist : undefined;
  if (!version || !dist?.tarball || compareVersions(version, cfg.currentVersion) <= 0 || isQuarantined(state, version)) return null;
  return { version, tarball: dist.tarball, integrity: dist.integrity, shasum: dist.shasum };
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
    child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
    child.on('error', (e) => (out += e.message));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function checkIntegrity(data: Buffer, r: Release): void {
  if (r.integrity?.startsWith('sha512-')) {
    if (createHash('sha512').update(data).digest('base64') !== r.integrity.slice(7)) throw new ReleaseRefused('tarball does not match the registry integrity (sha512)');
  } else if (r.shasum) {
    if (createHash('sha1').update(data).digest('hex') !== r.shasum) throw new ReleaseRefused('tarball does not match the registry shasum');
  } else throw new ReleaseRefused('the registry gave no integrity for the tarball');
}

export type Progress = (step: string) => void;

/**
 * Install a release beside the current one: download, check integrity, unpack, check the signature and the protocol
 * version (nothing from the package has run yet), then dependencies: the current node_modules is shared when they are
 * unchanged (no network, no native rebuild); otherwise `npm install`. Deterministic refusals throw ReleaseRefused.
 */
export async function installRelease(cfg: UpdateConfig, r: Release, progress: Progress = () => {}, timeoutMs = 300_000): Promise<{ entry: string; protocol: number }> {
  const dir = join(cfg.versionsDir, r.version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  progress(`downloading ${r.version}`);
  const res = await fetch(r.tarball, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`tarball download failed: HTTP ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  checkIntegrity(data, r);
  writeFileSync(join(dir, 'package.tgz'), data);
  progress('unpacking');
  const untar = await run('tar', ['-xzf', 'package.tgz', '--no-same-owner', '--no-same-permissions'], { cwd: dir, timeoutMs: 60_000 });
  if (untar.code !== 0) throw new ReleaseRefused(`could not unpack the release: ${untar.out.trim().slice(0, 300)}`);
  rmSync(join(dir, 'package.tgz'), { force: true });
  const pkgDir = join(dir, 'package');
  if (!existsSync(pkgDir) || readdirSync(dir).length !== 1) throw new ReleaseRefused('the tarball is not a single package/ folder');
  progress('checking the signature');
  verifyPackage(pkgDir, cfg.trustedKeys, { name: cfg.packageName, version: r.version });
  const next = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson & { dependencies?: Record<string, string> };
  const protocol = protocolOf(next);
  if (protocol < cfg.protocolVersion) throw new ReleaseRefused(`protocol version ${protocol} is lower than the running ${cfg.protocolVersion}`);
  const mine = JSON.parse(readFileSync(join(cfg.currentRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const sameDeps = JSON.stringify(next.dependencies ?? {}) === JSON.stringify(mine.dependencies ?? {});
  if (sameDeps && existsSync(join(cfg.currentRoot, 'node_modules'))) symlinkSync(join(cfg.currentRoot, 'node_modules'), join(pkgDir, 'node_modules'), 'dir');
  else {
    progress('installing dependencies');
    const npm = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund', `--registry=${cfg.registry}`], { cwd: pkgDir, timeoutMs });
    if (npm.code !== 0) throw new Error(`npm install failed: ${npm.out.slice(-2000)}`);
  }
  return { entry: join(pkgDir, 'bin', 'anton-cowork-server.js'), protocol };
}

/** The new version must report itself and answer /health with the expected versions, in a scratch HOME. */
export async function verifyRelease(entry: string, version: string, protocolVersion: number): Promise<void> {
  const v = await run(process.execPath, [entry, '--version'], { timeoutMs: 20_000 });
  if (v.code !== 0 || v.out.trim() !== version) throw new ReleaseRefused(`--version printed "${v.out.trim().slice(0, 200)}", expected ${version}`);
  const home = mkdtempSync(join(tmpdir(), 'anton-verify-'));
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, HOME: home, ANTON_SERVER_PORT: String(port), ANTON_SERVER_HOST: '127.0.0.1', ANTON_DISABLE_AUTOUPDATES: 'true' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        // /v1/settings proves the full app loaded, not only the early listener.
        const ready = await fetch(`http://127.0.0.1:${port}/v1/settings`);
        const h = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { cowork_server_version?: string; cowork_server_protocol_version?: number };
        if (h.cowork_server_version !== version) throw new ReleaseRefused(`/health reports ${h.cowork_server_version}, expected ${version}`);
        if (h.cowork_server_protocol_version !== protocolVersion) throw new ReleaseRefused(`/health reports protocol ${h.cowork_server_protocol_version}, expected ${protocolVersion}`);
        if (ready.status !== 200) throw new ReleaseRefused(`GET /v1/settings answered ${ready.status}`);
        return;
      } catch (e) {
        if (e instanceof ReleaseRefused) throw e;
        if (child.exitCode !== null) throw new ReleaseRefused(`the new version exited with code ${child.exitCode} while starting`);
        if (Date.now() > deadline) throw new ReleaseRefused('the new version did not answer within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}
