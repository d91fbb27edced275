import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';

/**
 * Release authenticity. A maintainer signs a packed release (scripts/sign-release.mjs): the signature file inside the
 * package holds a manifest (package name, version, sha256 of every other file) and an ed25519 signature over the
 * manifest's exact bytes. The updater checks it against keys pinned in the *running* version before anything from the
 * package runs, so any registry can carry releases unchanged and nobody but the key holder can publish code we run.
 */
export const SIGNATURE_FILE = 'anton-release.sig.json';

const Manifest = z.object({
  format: z.literal(1),
  name: z.string(),
  version: z.string(),
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type Manifest = z.infer<typeof Manifest>;

const SignatureFile = z.object({ manifest: z.string(), signature: z.string(), key: z.string() });

export class ReleaseRefused extends Error {}

/** Every regular file under the package folder, relative, with `/` separators; anything else is refused. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(root, p).split(sep).join('/'));
      else throw new ReleaseRefused(`the package contains a link or special file: ${relative(root, p)}`);
    }
  };
  walk(root);
  return out.sort();
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export function buildManifest(pkgDir: string): Manifest {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const files: Record<string, string> = {};
  for (const f of listFiles(pkgDir)) if (f !== SIGNATURE_FILE) files[f] = sha256(join(pkgDir, f));
  return { format: 1, name: pkg.name, version: pkg.version, files };
}

/** Raw 32-byte ed25519 public key as base64 (the form ANTON_UPDATE_KEYS and release-keys.json use). */
export function rawPublicKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

export function publicKeyFromRaw(b64: string): KeyObject {
  const raw = Buffer.from(b64.trim(), 'base64');
  if (raw.length !== 32) throw new Error(`an ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Sign an unpacked package folder in place: writes the signature file beside package.json. */
export function signPackage(pkgDir: string, privatePem: string): { file: string; body: string } {
  const key = createPrivateKey(privatePem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be an ed25519 private key (PKCS#8 PEM)');
  const manifest = JSON.stringify(buildManifest(pkgDir));
  const body = JSON.stringify(
    { manifest, signature: sign(null, Buffer.from(manifest), key).toString('base64'), key: rawPublicKey(key) },
    null,
    2,
  );
  return { file: join(pkgDir, SIGNATURE_FILE), body };
}

/**
 * Check an unpacked release against the trusted keys and the version the registry announced. Throws ReleaseRefused
 * naming the reason: unsigned, unknown key, bad signature, wrong name/version, a file added, missing or changed.
 */
export function verifyPackage(pkgDir: string, trustedKeys: string[], expect: { name: string; version: string }): Manifest {
  let sigText: string;
  try {
    sigText = readFileSync(join(pkgDir, SIGNATURE_FILE), 'utf8');
  } catch {
    throw new ReleaseRefused('unsigned release (no signature file)');
  }
  const parsed = SignatureFile.safeParse(JSON.parse(sigText));
  if (!parsed.success) throw new ReleaseRefused('malformed signature file');
  const { manifest, signature, key } = parsed.data;
  if (!trustedKeys.some((k) => k.trim() === key.trim())) throw new ReleaseRefused('signed by a key this version does not trust');
  if (!verify(null, Buffer.from(manifest), publicKeyFromRaw(key), Buffer.from(signature, 'base64'))) throw new ReleaseRefused('signature does not match');
  const m = Manifest.safeParse(JSON.parse(manifest));
  if (!m.success) throw new ReleaseRefused('malformed signed manifest');
  if (m.data.name !== expect.name || m.data.version !== expect.version) {
    throw new ReleaseRefused(`signed for ${m.data.name}@${m.data.version}, announced as ${expect.name}@${expect.version}`);
  }
  const present = listFiles(pkgDir).filter((f) => f !== SIGNATURE_FILE);
  const listed = Object.keys(m.data.files);
  const extra = present.filter((f) => !(f in m.data.files));
  if (extra.length) throw new ReleaseRefused(`tampered: file not covered by the signature: ${extra[0]}`);
  const missing = listed.filter((f) => !present.includes(f));
  if (missing.length) throw new ReleaseRefused(`tampered: signed file missing: ${missing[0]}`);
  for (const f of listed) if (sha256(join(pkgDir, f)) !== m.data.files[f]) throw new ReleaseRefused(`tampered: ${f} differs from the signed manifest`);
  return m.data;
}
