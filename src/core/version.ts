import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export const PACKAGE_NAME: string = pkg.name;
export const COWORK_SERVER_VERSION: string = pkg.version;
/** Wire-protocol version reported on /health; bump only on breaking wire changes. */
export const COWORK_SERVER_PROTOCOL_VERSION = 1 as const;
