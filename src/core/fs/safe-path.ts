import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

/** Is `child` the same as or inside `parent` (both absolute, normalised)? */
export function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Resolve a client-supplied relative path under `base`, or return null when it could escape:
 * NUL bytes, absolute paths, `..` segments, and symlinks (on any existing ancestor) that lead outside.
 */
export function resolveInside(base: string, rel: string): string | null {
  if (rel.includes('\0')) return null;
  const norm = rel.replace(/\\/g, '/');
  if (isAbsolute(norm) || /^[A-Za-z]:/.test(norm)) return null;
  if (norm.split('/').some((seg) => seg === '..')) return null;
  const target = resolve(base, norm);
  // Follow links on the deepest existing ancestor: a symlinked folder must not lead out of the base.
  return staysInside(base, target) ? target : null;
}

/** A single path segment chosen by a client (a project name, a label): no separators, no dot-names. */
export function isSafeSegment(name: string, maxLen = 255): boolean {
  return (
    name.length > 0 &&
    name.length <= maxLen &&
    !name.startsWith('.') &&
    !/[\\/\0]/.test(name) &&
    name.trim() === name
  );
}

/**
 * Does `p` really live inside `root`, links followed? (A path that does not exist yet is judged by its deepest
 * existing ancestor.) `root` itself may be a link: it is the trust anchor chosen by the user (a project folder).
 */
export function staysInside(root: string, p: string): boolean {
  const base = resolve(root);
  const target = resolve(p);
  if (!isInside(base, target)) return false;
  if (!existsSync(base)) return true;
  // lstat, so a dangling link counts as existing (and then fails realpath) instead of being written through.
  const present = (q: string) => lstatSync(q, { throwIfNoEntry: false }) !== undefined;
  let probe = target;
  while (!present(probe) && probe !== base) probe = dirname(probe);
  try {
    return isInside(realpathSync(base), realpathSync(probe));
  } catch {
    return false;
  }
}
