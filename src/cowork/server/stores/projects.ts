import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSafeSegment } from '../../../core/fs/safe-path.js';
import { DomainError } from '../../../core/errors.js';
import type { KvStore } from './kv.js';

export const GENERAL_PROJECT = 'general';
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

export interface ProjectInfo {
  name: string;
  path: string;
}

/** The reference's sanitizer: safe charset, collapsed hyphens, trimmed, 48 chars, Windows names avoided. */
export function sanitizeProjectName(raw: string): string {
  const strip = (s: string) => s.replace(/^[-._]+|[-._]+$/g, '');
  let name = strip(raw.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-'));
  name = strip(name.slice(0, 48));
  if (!name) name = 'untitled-project';
  if (RESERVED.test(name)) name = `${name}-x`;
  return name;
}

/** Projects are folders under the projects dir; every client-supplied name is validated before any fs call. */
export class ProjectStore {
  /** Called after a rename/delete so other stores (conversations) can follow. */
  onRename: ((from: string, to: string) => void)[] = [];
  onDelete: ((name: string) => void)[] = [];

  constructor(
    readonly dir: string,
    private readonly kv: KvStore,
  ) {}

  private scaffold(path: string): void {
    mkdirSync(join(path, '.anton'), { recursive: true });
    const md = join(path, '.anton', 'anton.md');
    if (!existsSync(md)) writeFileSync(md, '');
  }

  ensureGeneral(): void {
    this.scaffold(join(this.dir, GENERAL_PROJECT));
  }

  list(): ProjectInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => ({ name: d.name, path: join(this.dir, d.name) }))
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }

  /** Path of an existing project, or 400 for a name that could escape, 404 when absent. */
  resolve(name: string): ProjectInfo {
    if (!isSafeSegment(name)) throw new DomainError('bad_input', 'Invalid project name');
    const path = join(this.dir, name);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      /* missing */
    }
    if (!isDir) throw new DomainError('not_found', 'Project not found');
    return { name, path };
  }

  exists(name: string): boolean {
    try {
      this.resolve(name);
      return true;
    } catch {
      return false;
    }
  }

  private uniqueName(base: string): string {
    const taken = (n: string) => existsSync(join(this.dir, n)) || this.list().some((p) => p.name.toLowerCase() === n.toLowerCase());
    if (!taken(base)) return base;
    for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
  }

  create(requested: string): ProjectInfo & { requested: string; renamed: boolean } {
    const name = this.uniqueName(sanitizeProjectName(requested));
    const path = join(this.dir, name);
    mkdirSync(this.dir, { recursive: true });
    this.scaffold(path);
    return { name, path, requested, renamed: name !== requested.trim() };
  }

  rename(from: string, requested: string): ProjectInfo & { requested: string; renamed: boolean } {
    if (from === GENERAL_PROJECT) throw new DomainError('bad_input', 'Cannot rename the General project');
    const src = this.resolve(from);
    const sanitized = sanitizeProjectName(requested);
    const name = sanitized === from ? from : this.uniqueName(sanitized);
    const path = join(this.dir, name);
    const wasActive = this.getActive() === from;
    if (name !== from) renameSync(src.path, path);
    if (wasActive) this.kv.set('activeProject', name);
    for (const fn of this.onRename) fn(from, name);
    return { name, path, requested, renamed: name !== requested.trim() };
  }

  delete(name: string): void {
    if (name === GENERAL_PROJECT) throw new DomainError('bad_input', 'Cannot delete the General project');
    const p = this.resolve(name);
    rmSync(p.path, { recursive: true, force: true });
    if (this.getActive() === name) this.kv.set('activeProject', GENERAL_PROJECT);
    for (const fn of this.onDelete) fn(name);
    this.ensureGeneral();
  }

  getActive(): string {
    const active = this.kv.get<string>('activeProject', GENERAL_PROJECT);
    if (active !== GENERAL_PROJECT && !this.exists(active)) return GENERAL_PROJECT;
    this.ensureGeneral();
    return active;
  }

  setActive(name: string): void {
    this.resolve(name);
    this.kv.set('activeProject', name);
  }

  /** The reference's `resolve_project(name|None)`: null → active project. */
  resolveOrActive(name: string | null | undefined): ProjectInfo {
    return this.resolve(name ?? this.getActive());
  }
}
