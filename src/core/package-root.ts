import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: two levels above this module in src/core, dist/core and dist/bundle alike,
 * so package data (package.json, python/, connectors/) is found the same way everywhere.
 */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
