import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolveInside } from '../../../core/fs/safe-path.js';
import { DomainError } from '../../../core/errors.js';
import { allowedOrigins } from '../security.js';
import type { EnvStore } from '../../../core/settings/env-store.js';

/**
 * Token → directory mounts for HTML previews (an iframe loads the entry file and its relative assets).
 * Bounded, so a long-running server does not grow without limit (the reference kept them forever).
 */
export class PreviewMounts {
  private readonly mounts = new Map<string, string>();
  private readonly byDir = new Map<string, string>();

  constructor(private readonly max = 512) {}

  /** A random 16-hex token per folder: the URL is a capability (the reference's sha256(dir) was guessable). */
  mount(dir: string): string {
    const token = this.byDir.get(dir) ?? randomBytes(8).toString('hex');
    this.mounts.delete(token); // re-insert = most recent
    this.mounts.set(token, dir);
    this.byDir.set(dir, token);
    while (this.mounts.size > this.max) {
      const oldest = this.mounts.keys().next().value as string;
      this.byDir.delete(this.mounts.get(oldest)!);
      this.mounts.delete(oldest);
    }
    return token;
  }

  /** Absolute file for `rel` under the mount, or the reference's 404/403 errors. */
  resolve(token: string, rel: string): string {
    const dir = this.mounts.get(token);
    if (!dir) throw new DomainError('not_found', 'Preview mount has expired or is unknown');
    const file = resolveInside(dir, rel);
    if (!file) throw new DomainError('forbidden', 'Asset is outside the artifact directory');
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      /* missing */
    }
    if (!isFile) throw new DomainError('not_found', 'Asset not found');
    return file;
  }
}

/** Who may frame our previews: ourselves and the app's own origins (Electron's app:// and file:// pages, dev renderers). */
function frameAncestors(env: EnvStore): string {
  return ["'self'", 'file:', ...allowedOrigins(env)].join(' ');
}

/**
 * Headers for untrusted (LLM-written) content served from our origin: the CSP sandbox gives the page an opaque
 * origin, so it cannot read our API with the user's rights, and CORS never admits `null`.
 */
export function untrustedContentHeaders(env: EnvStore): Record<string, string> {
  return {
    'content-security-policy': `sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads; frame-ancestors ${frameAncestors(env)}`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=300',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/**
 * Preview assets (a mounted artifact's page and its relative files). The sandboxed page has an opaque origin, so its
 * own images, stylesheets, fonts and module scripts are cross-origin requests to it: they may load (CORP cross-origin,
 * CORS `*` without credentials). This opens nothing new: the path holds the unguessable mount token, and the API
 * itself still never admits the `null` origin.
 */
export function previewAssetHeaders(env: EnvStore): Record<string, string> {
  return { ...untrustedContentHeaders(env), 'cross-origin-resource-policy': 'cross-origin', 'access-control-allow-origin': '*' };
}
