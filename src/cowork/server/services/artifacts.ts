import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { artifactFiles, ArtifactStore, type ArtifactMeta } from '../../../core/artifacts/store.js';
import { isInside, staysInside } from '../../../core/fs/safe-path.js';
import { DomainError } from '../../../core/errors.js';
import type { ProjectInfo, ProjectStore } from '../stores/projects.js';

/** C's (and this server's) layout: `<project>/.anton/artifacts/<slug>/`. */
export function artifactsRoot(projectPath: string): string {
  return join(projectPath, '.anton', 'artifacts');
}

/** A's layout: `<project>/artifacts/<slug>/`, read and updated in place. */
export function legacyArtifactsRoot(projectPath: string): string {
  return join(projectPath, 'artifacts');
}

/** Every folder a project's artifacts may live in. */
export function artifactRoots(projectPath: string): string[] {
  return [artifactsRoot(projectPath), legacyArtifactsRoot(projectPath)];
}

function holdsArtifacts(root: string): boolean {
  if (!existsSync(root)) return false; // the common case, without an exception (storeFor runs twice per turn)
  try {
    return readdirSync(root).some((s) => existsSync(join(root, s, 'metadata.json')));
  } catch {
    return false;
  }
}

/**
 * A project's artifacts. New ones go to `.anton/artifacts/`, except in a project that only has A's `artifacts/`
 * folder: its deliverables then stay together there. Both folders are always read.
 */
export function storeFor(project: ProjectInfo): ArtifactStore {
  const [modern, legacy] = artifactRoots(project.path);
  return holdsArtifacts(modern) || !holdsArtifacts(legacy) ? new ArtifactStore(modern, [legacy]) : new ArtifactStore(legacy, [modern]);
}

const KIND_BY_TYPE: Record<string, string> = { 'html-app': 'Dashboard', document: 'Document', dataset: 'Data', image: 'Image', mixed: 'Bundle', 'fullstack-stateless-app': 'App', 'fullstack-stateful-app': 'App' };
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp']);
export function kindByExt(ext: string): string {
  if (ext === '.html' || ext === '.htm') return 'Dashboard';
  if (['.md', '.txt', '.pdf'].includes(ext)) return 'Document';
  if (['.csv', '.json'].includes(ext)) return 'Data';
  if (IMAGE_EXT.has(ext)) return 'Image';
  return 'File';
}
const BACKGROUNDS = [
  'linear-gradient(135deg, var(--stone-100), var(--surface-03))',
  'linear-gradient(135deg, var(--aqua-100), var(--surface-02))',
  'linear-gradient(135deg, var(--sand-100), var(--surface-03))',
  'linear-gradient(135deg, var(--sky-100), var(--surface-02))',
];

function ago(ms: number): string {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return 'updated just now';
  if (s < 3600) return `updated ${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `updated ${Math.floor(s / 3600)}h ago`;
  return `updated ${Math.floor(s / 86400)}d ago`;
}

/** metadata.primary if present, else index.html, else the newest .html, else the newest file. */
export function primaryFile(dir: string, meta: ArtifactMeta): string | null {
  const files = artifactFiles(dir).sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
  if (meta.primary && files.some((f) => f.path === meta.primary)) return meta.primary;
  return files.find((f) => f.path === 'index.html')?.path ?? files.find((f) => f.path.endsWith('.html'))?.path ?? files[0]?.path ?? null;
}

export function publishedUrl(dir: string, file: string | null): string {
  if (!file) return '';
  try {
    const rec = JSON.parse(readFileSync(join(dir, '.published.json'), 'utf8')) as Record<string, { url?: string }>;
    return rec[file.split('/').pop()!]?.url ?? '';
  } catch {
    return '';
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** The card fields the client reads (§2.8). */
export function artifactCards(projects: ProjectInfo[], limit = 80) {
  // Every artifact folder of every root (a slug present in both roots shows twice: nothing is hidden).
  const all = projects.flatMap((p) =>
    storeFor(p)
      .entries()
      .map(({ meta: m, dir }) => ({ m, dir, mtime: mtimeOf(join(dir, 'metadata.json')) })),
  );
  return all
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, limit)
    .map(({ m, dir, mtime }, i) => {
      const primary = primaryFile(dir, m);
      const ext = primary ? extname(primary).toLowerCase() : '';
      let live = false;
      try {
        live = !!primary && Date.now() - statSync(join(dir, primary)).mtimeMs < 300_000;
      } catch {
        live = false;
      }
      return {
        id: m.id,
        slug: m.slug ?? basename(dir),
        title: m.name,
        description: m.description,
        type: m.type,
        kind: KIND_BY_TYPE[m.type] ?? kindByExt(ext),
        ext,
        updated: ago(mtime),
        live,
        bg: BACKGROUNDS[i % BACKGROUNDS.length],
        fileCount: artifactFiles(dir).length,
        folder: dir,
        path: primary ? join(dir, primary) : dir,
        primary,
        publishedUrl: publishedUrl(dir, primary),
      };
    });
}

/**
 * The reference's `_resolve_artifact_path`: absolute under a known root, or relative against every root. The file
 * must really be inside its project (links followed): a link planted in `.anton/artifacts` is refused with 403.
 */
export function resolveArtifactPath(projects: ProjectStore, raw: string): string {
  if (raw.includes('\0')) throw new DomainError('bad_input', 'Invalid artifact path');
  const roots = projects.list().flatMap((p) => artifactRoots(p.path).map((root) => ({ project: p.path, root })));
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const checked = (project: string, file: string) => {
    if (!staysInside(project, file)) throw new DomainError('forbidden', 'Artifact path leads outside its project (a symbolic link)');
    return file;
  };
  if (isAbsolute(raw)) {
    const abs = resolve(raw);
    const owner = roots.find((r) => isInside(r.root, abs));
    if (!owner || !isFile(abs)) throw new DomainError('not_found', 'Artifact is not in a known artifacts directory');
    return checked(owner.project, abs);
  }
  const segs = raw.replace(/\\/g, '/').split('/').filter(Boolean);
  if (segs.some((s) => s === '.' || s === '..')) throw new DomainError('bad_input', 'Invalid artifact path');
  const rel = (segs[0] === '.anton' && segs[1] === 'artifacts' ? segs.slice(2) : segs[0] === 'artifacts' ? segs.slice(1) : segs).join('/');
  const hits = roots.map((r) => ({ project: r.project, file: join(r.root, rel) })).filter((h) => isFile(h.file));
  if (hits.length > 1) throw new DomainError('bad_input', 'Artifact path matches multiple project artifact roots; pass an absolute path');
  if (!hits.length) throw new DomainError('not_found', 'Artifact not found');
  return checked(hits[0].project, hits[0].file);
}
