import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { resolveInside, staysInside } from '../../../core/fs/safe-path.js';
import { writeFileAtomic } from '../../../core/fs/atomic.js';
import { SkillStore, skillLabel } from '../../../core/memory/skills.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import type { ServerServices } from '../server-services.js';
import { memoryPayload as payload, memorySections, projectMemory, type MemoryRoot } from '../services/memory-files.js';
import { routeGroup } from './types.js';

/** Memory roots: global, and only registered projects (the reference accepted any client-given folder). */
function memoryRoot(ctx: Pick<ServerServices, 'paths' | 'projects'>, scope: string, projectPath?: string | null): MemoryRoot {
  const s = scope.toLowerCase();
  if (s === 'global') return { scope: 'Global', root: ctx.paths.memoryDir, anchor: ctx.paths.memoryDir };
  if (s !== 'project') throw badRequest('Scope must be Global or Project.');
  if (!projectPath) throw badRequest('projectPath is required for project memory.');
  const p = ctx.projects.list().find((x) => x.path === projectPath);
  if (!p) throw badRequest('Unknown project path.');
  return projectMemory(p);
}

function memoryFile(r: MemoryRoot, rel: string, mustExist: boolean): string {
  if (!rel) throw badRequest('relativePath is required.');
  if (rel.startsWith('/') || rel.split(/[\\/]/).includes('..')) throw badRequest('Invalid memory path.');
  const withExt = extname(rel) ? rel : `${rel}.md`;
  if (extname(withExt).toLowerCase() !== '.md') throw new HttpError(415, 'Memory files must be Markdown files.');
  const abs = resolveInside(r.root, withExt);
  if (!abs) throw badRequest('Invalid memory path.');
  if (!staysInside(r.anchor, abs)) throw new HttpError(403, 'The memory folder leads outside the project (a symbolic link); refusing to follow it.');
  if (mustExist && !existsSync(abs)) throw notFound('Memory file not found.');
  return abs;
}

function backup(ctx: Pick<ServerServices, 'paths'>, abs: string): void {
  if (!existsSync(abs)) return;
  const dir = join(ctx.paths.coworkStateDir, 'backups', 'memory');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  copyFileSync(abs, join(dir, `${basename(abs)}.${new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}.bak`));
}

export const utilityRoutes = routeGroup(['paths', 'projects'], (app, ctx) => {
  app.get('/v1/memory', { schema: { tags: ['memory'], querystring: z.object({ project_path: z.string().optional() }) } }, async (req) => ({
    sections: memorySections(ctx, req.query.project_path),
  }));

  app.post(
    '/v1/memory',
    { schema: { tags: ['memory'], body: z.object({ scope: z.string().default('Global'), relativePath: z.string(), content: z.string().max(2_000_000), projectPath: z.string().nullish() }) } },
    async (req) => {
      const r = memoryRoot(ctx, req.body.scope, req.body.projectPath);
      const abs = memoryFile(r, req.body.relativePath, false);
      backup(ctx, abs);
      writeFileAtomic(abs, req.body.content);
      return { status: 'ok', file: payload(r, abs) };
    },
  );

  app.delete(
    '/v1/memory',
    { schema: { tags: ['memory'], querystring: z.object({ scope: z.string().default('Global'), relative_path: z.string(), project_path: z.string().optional() }) } },
    async (req) => {
      const r = memoryRoot(ctx, req.query.scope, req.query.project_path);
      const abs = memoryFile(r, req.query.relative_path, true);
      backup(ctx, abs);
      rmSync(abs);
      return { status: 'ok', deleted: abs, root: r.root };
    },
  );

  const skills = new SkillStore(ctx.paths.skillsDir);

  app.get('/v1/skills', { schema: { tags: ['skills'] } }, async () => ({
    skills: skills.list().map((s) => ({
      label: s.meta.label,
      name: s.meta.name,
      description: s.meta.description,
      whenToUse: s.meta.when_to_use,
      declarative: s.declarative,
      createdAt: s.meta.created_at,
      provenance: s.meta.provenance,
      stages: { stage1: !!s.meta.stage_1_present, stage2: !!s.meta.stage_2_present, stage3: !!s.meta.stage_3_present },
      stats: { totalRecalls: s.stats.total_recalls ?? 0 },
    })),
  }));

  app.post(
    '/v1/skills',
    {
      schema: {
        tags: ['skills'],
        body: z.object({ label: z.string(), name: z.string(), description: z.string().default(''), whenToUse: z.string().default(''), declarative: z.string().max(500_000) }),
      },
    },
    async (req) => {
      const label = skillLabel(req.body.label);
      if (!label) throw badRequest('Skill label is required.');
      if (!req.body.name.trim()) throw badRequest('Skill name is required.');
      if (!req.body.declarative.trim()) throw badRequest('Skill instructions are required.');
      const path = skills.upsert(label, { name: req.body.name.trim(), description: req.body.description, whenToUse: req.body.whenToUse, declarative: req.body.declarative });
      return { status: 'ok', label, path };
    },
  );

  app.delete('/v1/skills/:label', { schema: { tags: ['skills'], params: z.object({ label: z.string() }) } }, async (req) => {
    if (!skills.delete(req.params.label)) throw notFound('Skill not found');
    return { status: 'ok', deleted: req.params.label };
  });
});
