import { existsSync, realpathSync } from 'node:fs';
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
  const root = resolve(base);
  const target = resolve(root, norm);
  if (!isInside(root, target)) return null;
  if (!existsSync(root)) return target; // nothing exists yet, so no link can lead out
  // Follow links on the deepest existing ancestor: a symlinked folder must not lead out of the base.
  let probe = target;
  while (!existsSync(probe) && probe !== root) probe = dirname(probe);
  try {
    const realRoot = realpathSync(root);
    if (!isInside(realRoot, realpathSync(probe))) return null;
  } catch {
    return null;
  }
  return target;
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
