import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

interface PackageJson {
  name: string;
  version: string;
  /** Our own section: the wire-protocol version and the release keys this version trusts (see docs/updates.md). */
  antonCowork?: { protocolVersion?: number; releaseKeys?: string[] };
}

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

export const PACKAGE_NAME: string = pkg.name;
export const COWORK_SERVER_VERSION: string = pkg.version;
/** Wire-protocol version reported on /health; bump only on breaking wire changes. Read by the updater from a release's signed package.json. */
export const COWORK_SERVER_PROTOCOL_VERSION: number = pkg.antonCowork?.protocolVersion ?? 1;
/** ed25519 public keys (raw, base64) whose signatures this version accepts on a release. */
export const PINNED_RELEASE_KEYS: readonly string[] = pkg.antonCowork?.releaseKeys ?? [];

/** The protocol version a package.json declares (1 when absent, as the first releases did). */
export const protocolOf = (p: PackageJson): number => p.antonCowork?.protocolVersion ?? 1;
export type { PackageJson };
