import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { PACKAGE_NAME } from '../core/version.js';
import { rawPublicKey } from '../core/updater/release-signature.js';
import { REPO_ROOT } from './spawn-server.js';

export interface ReleaseKey {
  file: string;
  publicRaw: string;
}

/** A fresh ed25519 signing key (PKCS#8 PEM on disk, as a maintainer would keep it). */
export function makeReleaseKey(dir: string): ReleaseKey {
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const file = join(dir, `key-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { file, publicRaw: rawPublicKey(publicKey) };
}

export interface ReleaseOptions {
  /** JavaScript run first by the release's server bin (to make a release that misbehaves). */
  binPrelude?: string;
  protocol?: number;
  /** Sign with this key through scripts/sign-release.mjs; null ships it unsigned. */
  signWith: ReleaseKey | null;
  /** Change a shipped file after signing. */
  tamper?: boolean;
}

/** Version `version` of this checkout's build as a registry tarball. */
export function buildRelease(dir: string, version: string, o: ReleaseOptions): Buffer {
  const work = join(dir, `build-${version}-${Math.random().toString(36).slice(2)}`);
  const pkg = join(work, 'package');
  mkdirSync(pkg, { recursive: true });
  for (const d of ['dist', 'bin', 'python', 'connectors']) cpSync(join(REPO_ROOT, d), join(pkg, d), { recursive: true });
  rmSync(join(pkg, 'dist', 'testing'), { recursive: true, force: true });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  manifest.version = version;
  if (o.protocol !== undefined) manifest.antonCowork = { ...manifest.antonCowork, protocolVersion: o.protocol };
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
  if (o.binPrelude) {
    const bin = join(pkg, 'bin', 'anton-cowork-server.js');
    const [shebang, ...rest] = readFileSync(bin, 'utf8').split('\n');
    writeFileSync(bin, [shebang, o.binPrelude, ...rest].join('\n'));
  }
  execFileSync('tar', ['-czf', 'unsigned.tgz', 'package'], { cwd: work });
  let out = join(work, 'unsigned.tgz');
  if (o.signWith) {
    out = join(work, 'signed.tgz');
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'sign-release.mjs'), '--key', o.signWith.file, join(work, 'unsigned.tgz'), out], { stdio: 'pipe' });
  }
  if (o.tamper) {
    const t = join(work, 'tamper');
    mkdirSync(t);
    execFileSync('tar', ['-xzf', out, '-C', t]);
    appendFileSync(join(t, 'package', 'dist', 'bundle', 'server-bin.mjs'), '\n// changed after signing\n');
    out = join(work, 'tampered.tgz');
    execFileSync('tar', ['-czf', out, '-C', t, 'package']);
  }
  const data = readFileSync(out);
  rmSync(work, { recursive: true, force: true });
  return data;
}

/** A small npm registry on loopback: a packument with a `latest` dist-tag and the tarballs, with request counts. */
export class TestRegistry {
  private readonly releases = new Map<string, { data: Buffer; integrity: string }>();
  private latest: string | null = null;
  readonly downloads = new Map<string, number>();
  packumentRequests = 0;
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path === `/${PACKAGE_NAME}`) {
        this.packumentRequests++;
        if (!this.latest) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        const versions = Object.fromEntries(
          [...this.releases].map(([v, r]) => [v, { name: PACKAGE_NAME, version: v, dist: { tarball: `${this.url}/t/${v}.tgz`, integrity: r.integrity } }]),
        );
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: PACKAGE_NAME, 'dist-tags': { latest: this.latest }, versions }));
      }
      const m = /^\/t\/(.+)\.tgz$/.exec(path);
      const r = m ? this.releases.get(m[1]) : undefined;
      if (!m || !r) return void res.writeHead(404).end();
      this.downloads.set(m[1], (this.downloads.get(m[1]) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(r.data);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  /** Publish and move `latest` to it; `wrongIntegrity` announces a checksum that does not match the tarball. */
  publish(version: string, data: Buffer, opts: { wrongIntegrity?: boolean } = {}): void {
    const digest = createHash('sha512').update(opts.wrongIntegrity ? Buffer.concat([data, Buffer.from('x')]) : data).digest('base64');
    this.releases.set(version, { data, integrity: `sha512-${digest}` });
    this.latest = version;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/**
 * Ask `/health` every `everyMs` on a new connection each time (as a desktop app polling would), and count what came
 * back: a refused connection is exactly what a switch must never cause.
 */
export function pollHealth(url: string, everyMs = 10) {
  const stats = { ok: 0, refused: 0, otherErrors: 0, versions: [] as string[], lastError: '' };
  let stopped = false;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(`${url}/health`, { agent: false, headers: { connection: 'close' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          try {
            const v = (JSON.parse(body) as { cowork_server_version: string }).cowork_server_version;
            if (stats.versions[stats.versions.length - 1] !== v) stats.versions.push(v);
            stats.ok++;
          } catch {
            stats.otherErrors++;
          }
          resolve();
        });
        res.on('error', () => resolve());
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') stats.refused++;
        else stats.otherErrors++;
        stats.lastError = `${err.code}: ${err.message}`;
        resolve();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.end();
    });
  const done = (async () => {
    while (!stopped) {
      const started = Date.now();
      await once();
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - started))));
    }
  })();
  return {
    stats,
    async stop() {
      stopped = true;
      await done;
      return stats;
    },
  };
}
