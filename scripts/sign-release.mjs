#!/usr/bin/env node
// Sign a packed release so installed servers accept it as an update (see docs/updates.md).
//   node scripts/sign-release.mjs --key PRIVATE.pem IN.tgz OUT.tgz   writes the signed tarball to publish
//   node scripts/sign-release.mjs --generate-key DIR                  makes an ed25519 key pair (keep the private one offline)
// Needs `npm run build` first (it uses the same manifest code the updater checks with).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { rawPublicKey, signPackage, verifyPackage } from '../dist/core/updater/release-signature.js';

const usage = 'usage: node scripts/sign-release.mjs --key PRIVATE.pem IN.tgz OUT.tgz\n       node scripts/sign-release.mjs --generate-key DIR';
const { values, positionals } = parseArgs({ allowPositionals: true, options: { key: { type: 'string' }, 'generate-key': { type: 'string' } } });

if (values['generate-key']) {
  const dir = resolve(values['generate-key']);
  mkdirSync(dir, { recursive: true });
  const priv = join(dir, 'anton-release-private.pem');
  if (existsSync(priv)) throw new Error(`${priv} exists; refusing to overwrite a key`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  console.log(`private key: ${priv} (keep it offline; it is what lets a release run on every install)`);
  console.log(`public key (add it to package.json antonCowork.releaseKeys): ${rawPublicKey(publicKey)}`);
  process.exit(0);
}

if (!values.key || positionals.length !== 2) {
  console.error(usage);
  process.exit(2);
}
const [input, output] = positionals.map((p) => resolve(p));
const work = mkdtempSync(join(tmpdir(), 'anton-sign-'));
try {
  execFileSync('tar', ['-xzf', input, '-C', work, '--no-same-owner']);
  const pkgDir = join(work, 'package');
  const { file, body } = signPackage(pkgDir, readFileSync(values.key, 'utf8'));
  writeFileSync(file, body);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const key = JSON.parse(body).key;
  verifyPackage(pkgDir, [key], { name: pkg.name, version: pkg.version }); // what every install will check
  execFileSync('tar', ['-czf', output, '-C', work, 'package']);
  console.log(`signed ${pkg.name}@${pkg.version} with key ${key}\n→ ${output}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
