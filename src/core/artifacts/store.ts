import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../fs/atomic.js';

export const ARTIFACT_TYPES = ['html-app', 'document', 'dataset', 'image', 'mixed', 'fullstack-stateless-app', 'fullstack-stateful-app'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];
const HOUSEKEEPING = new Set(['metadata.json', 'README.md', '.published.json']);

export interface ArtifactFile {
  path: string;
  bytes: number;
  modifiedAt: string;
}
export interface ProvenanceTurn {
  index: number;
  timestamp: string;
  summary: string;
  files_touched: string[];
}
export interface ArtifactMeta {
  id: string;
  slug: string;
  createdAt: string;
  updatedAt: string;
  name: string;
  description: string;
  type: ArtifactType | string;
  primary: string | null;
  files: ArtifactFile[];
  provenance: { conversation: string; title: string; turns: ProvenanceTurn[] }[];
}

export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'untitled-artifact';
}

/** Files of an artifact folder (recursive, no symlinks, no housekeeping files at the top). */
export function artifactFiles(dir: string): ArtifactFile[] {
  const out: ArtifactFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) continue;
      const rel = relative(dir, abs).split(sep).join('/');
      if (st.isDirectory()) walk(abs);
      else if (st.isFile() && !HOUSEKEEPING.has(rel)) out.push({ path: rel, bytes: st.size, modifiedAt: st.mtime.toISOString() });
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** An artifact read from disk, with the folder it lives in (two roots may hold the same slug). */
export interface ArtifactEntry {
  meta: ArtifactMeta;
  dir: string;
}

const validSlug = (slug: string) => /^[a-z0-9._-]+$/.test(slug) && !slug.startsWith('.');

function readMeta(dir: string): ArtifactMeta | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as ArtifactMeta;
  } catch {
    return null;
  }
}

/**
 * `<root>/<slug>/metadata.json` + README.md, as the reference's ArtifactStore writes them. New artifacts go to `root`;
 * `otherRoots` are read in place (the reference's A kept artifacts in `<project>/artifacts/`, C in `.anton/artifacts/`),
 * so an install's existing deliverables are listed, opened and updated where they are, never moved.
 */
export class ArtifactStore {
  readonly roots: string[];

  constructor(
    readonly root: string,
    otherRoots: string[] = [],
  ) {
    this.roots = [root, ...otherRoots.filter((r) => r !== root)];
  }

  /** The folder of an existing slug (first root that has it), else where a new one would go. */
  dir(slug: string): string {
    for (const r of this.roots) if (existsSync(join(r, slug, 'metadata.json'))) return join(r, slug);
    return join(this.root, slug);
  }

  read(slug: string): ArtifactMeta | null {
    return validSlug(slug) ? readMeta(this.dir(slug)) : null;
  }

  /** Every artifact of every root, newest first. */
  entries(): ArtifactEntry[] {
    return this.roots
      .flatMap((r) => (existsSync(r) ? readdirSync(r).filter(validSlug).flatMap((s) => {
        const meta = readMeta(join(r, s));
        return meta ? [{ meta, dir: join(r, s) }] : [];
      }) : []))
      .sort((a, b) => String(b.meta.updatedAt).localeCompare(String(a.meta.updatedAt)));
  }

  /** One artifact per slug (the one `dir` resolves to; the slug is its folder name), newest first. */
  current(): (ArtifactEntry & { slug: string })[] {
    const seen = new Set<string>();
    return this.entries().flatMap((e) => {
      const slug = basename(e.dir);
      if (seen.has(slug) || this.dir(slug) !== e.dir) return [];
      seen.add(slug);
      return [{ ...e, slug }];
    });
  }

  list(): ArtifactMeta[] {
    return this.current().map((e) => e.meta);
  }

  private write(meta: ArtifactMeta, dir = this.dir(meta.slug)): ArtifactMeta {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'metadata.json'), JSON.stringify(meta, null, 2));
    const readme = [`# ${meta.name}`, '', meta.description, '', `Type: ${meta.type}`, meta.primary ? `Primary file: ${meta.primary}` : '', '', '## Files', ...meta.files.map((f) => `- ${f.path} (${f.bytes} bytes)`)];
    writeFileAtomic(join(dir, 'README.md'), readme.join('\n') + '\n');
    return meta;
  }

  /**
   * A new artifact folder; when one with this name (slug) already exists in any root it is returned instead
   * (`existing: true`), so asking again for the same deliverable never makes a second folder beside it.
   */
  create(name: string, description: string, type: string, primary?: string | null): ArtifactMeta & { existing?: boolean } {
    const base = slugify(name);
    const current = this.read(base);
    if (current) return { ...current, slug: base, existing: true };
    let slug = base;
    // A folder without metadata.json (someone's own files) is never taken over.
    for (let n = 2; this.roots.some((r) => existsSync(join(r, slug))); n++) slug = `${base}-${n}`;
    const now = new Date().toISOString();
    return this.write({ id: randomBytes(4).toString('hex'), slug, createdAt: now, updatedAt: now, name, description, type, primary: primary || null, files: [], provenance: [] }, join(this.root, slug));
  }

  update(slug: string, fn: (m: ArtifactMeta) => ArtifactMeta): ArtifactMeta | null {
    const cur = this.read(slug);
    return cur ? this.write({ ...fn(cur), updatedAt: new Date().toISOString() }, this.dir(slug)) : null;
  }

  rescan(slug: string): ArtifactMeta | null {
    return this.update(slug, (m) => ({ ...m, files: artifactFiles(this.dir(slug)) }));
  }

  /** Which artifact files changed between two snapshots (path → mtime:size). */
  snapshot(): Map<string, string> {
    const snap = new Map<string, string>();
    for (const e of this.current()) for (const f of artifactFiles(e.dir)) snap.set(`${e.slug}/${f.path}`, `${f.modifiedAt}:${f.bytes}`);
    return snap;
  }

  /** Provenance: this conversation's turn touched these artifacts' files. */
  recordTurn(before: Map<string, string>, info: { conversation: string; title: string; turnIndex: number; summary: string }): string[] {
    const after = this.snapshot();
    const touched = new Map<string, string[]>();
    for (const [key, sig] of after) {
      if (before.get(key) === sig) continue;
      const [slug, ...rest] = key.split('/');
      touched.set(slug, [...(touched.get(slug) ?? []), rest.join('/')]);
    }
    for (const [slug, files] of touched) {
      this.update(slug, (m) => {
        const prov = [...m.provenance];
        let entry = prov.find((p) => p.conversation === info.conversation);
        if (!entry) prov.push((entry = { conversation: info.conversation, title: info.title, turns: [] }));
        entry.turns.push({ index: info.turnIndex, timestamp: new Date().toISOString(), summary: info.summary.slice(0, 240), files_touched: files });
        return { ...m, provenance: prov, files: artifactFiles(this.dir(slug)) };
      });
    }
    return [...touched.keys()];
  }

  lastModified(slug: string): number {
    try {
      return statSync(join(this.dir(slug), 'metadata.json')).mtimeMs;
    } catch {
      return 0;
    }
  }
}
