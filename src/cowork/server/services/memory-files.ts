import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { ServerServices } from '../server-services.js';
import { staysInside } from '../../../core/fs/safe-path.js';

/** What this module needs of the server's context (and nothing more). */
export type MemoryFileDeps = Pick<ServerServices, 'paths' | 'projects'>;

/** The Markdown memory files the agent reads: global ones, and each registered project's. */
export interface MemoryRoot {
  scope: 'Global' | 'Project';
  root: string;
  /** The folder nothing may leave, links followed: the project for project memory (its `.anton/memory` may be a planted link). */
  anchor: string;
  projectName?: string;
  projectPath?: string;
}

function mdFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && e.name.endsWith('.md')) out.push(abs);
    }
  };
  walk(root);
  return out.sort();
}

export function memoryPayload(r: MemoryRoot, abs: string) {
  const content = readFileSync(abs, 'utf8');
  const stem = basename(abs, '.md');
  return {
    name: stem.replace(/[-_]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
    path: abs,
    relativePath: relative(r.root, abs).split(sep).join('/'),
    scope: r.scope,
    bytes: statSync(abs).size,
    preview: content.split('\n').filter((l) => l.trim()).slice(0, 8).join('\n').slice(0, 700),
    content: content.slice(0, 16_000),
    ...(r.scope === 'Project' ? { projectName: r.projectName, projectPath: r.projectPath } : {}),
  };
}

export function projectMemory(p: { name: string; path: string }): MemoryRoot {
  return { scope: 'Project', root: join(p.path, '.anton', 'memory'), anchor: p.path, projectName: p.name, projectPath: p.path };
}

/** `GET /v1/memory` and the terminal's `/memory`: global memory, then the projects' (one project when given). */
export function memorySections(ctx: MemoryFileDeps, projectPath?: string) {
  const roots: MemoryRoot[] = [{ scope: 'Global', root: ctx.paths.memoryDir, anchor: ctx.paths.memoryDir }];
  for (const p of ctx.projects.list()) if (projectPath === undefined || projectPath === p.path) roots.push(projectMemory(p));
  return roots.map((r) => ({
    scope: r.scope,
    root: r.root,
    files: staysInside(r.anchor, r.root) ? mdFiles(r.root).map((f) => memoryPayload(r, f)) : [],
    ...(r.scope === 'Project' ? { projectName: r.projectName, projectPath: r.projectPath } : {}),
  }));
}
