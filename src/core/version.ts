import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// package.json sits two levels above both src/core and dist/core, so one lookup serves dev and build.
const pkgPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name: string; version: string };

export const PACKAGE_NAME: string = pkg.name;
export const COWORK_SERVER_VERSION: string = pkg.version;
/** Wire-protocol version reported on /health; bump only on breaking wire changes. */
export const COWORK_SERVER_PROTOCOL_VERSION = 1 as const;
