import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { zipSync } from 'fflate';
import { resolveInside } from '../../../core/fs/safe-path.js';
import { writeFileAtomic } from '../../../core/fs/atomic.js';
import { DomainError } from '../../../core/errors.js';
import type { ServerServices } from '../server-services.js';

/** What publishing needs of the server: settings (URL, key), the vault (secrets to blank out), kv (history). */
export type PublishDeps = Pick<ServerServices, 'env' | 'vault' | 'kv'>;


export interface PublishRecord {
  report_id: string;
  url: string;
  last_md5: string;
}

const TEXT_EXT = /\.(html?|css|js|json|csv|md|txt|svg)$/i;

/** Relative files an HTML page references (src/href/url()), that exist beside it. */
export function referencedFiles(htmlPath: string): string[] {
  const dir = dirname(htmlPath);
  const html = readFileSync(htmlPath, 'utf8');
  const refs = new Set<string>();
  for (const m of html.matchAll(/(?:src|href)\s*=\s*["']([^"'#?]+)|url\(\s*["']?([^"')#?]+)/gi)) {
    const ref = (m[1] ?? m[2] ?? '').trim();
    if (!ref || /^([a-z]+:|\/\/|\/)/i.test(ref)) continue; // absolute and external references stay as they are
    const abs = resolveInside(dir, decodeURIComponent(ref));
    if (abs && existsSync(abs) && statSync(abs).isFile()) refs.add(relative(dir, abs).split(sep).join('/'));
  }
  return [...refs];
}

/** The page and its local files as a zip, with every known secret value blanked out of text files. */
export function buildBundle(htmlPath: string, secrets: string[]): Buffer {
  const dir = dirname(htmlPath);
  const files: Record<string, Uint8Array> = {};
  for (const rel of [basename(htmlPath), ...referencedFiles(htmlPath)]) {
    let data: Buffer = readFileSync(join(dir, rel));
    if (TEXT_EXT.test(rel)) {
      let text = data.toString('utf8');
      for (const s of secrets) if (s.length > 3) text = text.split(s).join('[redacted]');
      data = Buffer.from(text, 'utf8');
    }
    files[rel] = data;
  }
  return Buffer.from(zipSync(files, { level: 6 }));
}

export function readPublishMap(dir: string): Record<string, PublishRecord> {
  try {
    return JSON.parse(readFileSync(join(dir, '.published.json'), 'utf8')) as Record<string, PublishRecord>;
  } catch {
    return {};
  }
}

export function writePublishMap(dir: string, map: Record<string, PublishRecord>): void {
  writeFileAtomic(join(dir, '.published.json'), JSON.stringify(map, null, 2));
}

export interface UploadResult {
  report_id: string;
  view_url: string;
  md5?: string;
  [k: string]: unknown;
}

/** POST <publish url>/upload {file_payload, report_id?} with the Minds key; a stale report id is retried as new. */
export async function upload(publishUrl: string, key: string, zip: Buffer, reportId?: string): Promise<UploadResult> {
  const send = async (id?: string) => {
    const res = await fetch(`${publishUrl.replace(/\/+$/, '')}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ file_payload: zip.toString('base64'), ...(id ? { report_id: id } : {}) }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as UploadResult;
  };
  try {
    return await send(reportId);
  } catch (err) {
    if (!reportId) throw err;
    return send();
  }
}

export async function unpublish(publishUrl: string, key: string, id: string): Promise<void> {
  const res = await fetch(`${publishUrl.replace(/\/+$/, '')}/delete/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok && res.status !== 404) throw new Error(`HTTP ${res.status}`);
}


export function publishConfig(ctx: Pick<PublishDeps, 'env'>) {
  return { url: ctx.env.setting('ANTON_PUBLISH_URL'), key: ctx.env.get('ANTON_MINDS_API_KEY') };
}

/** Every secret the server knows: provider keys and vault secrets never leave in a published page. */
export function knownSecrets(ctx: Pick<PublishDeps, 'env' | 'vault'>): string[] {
  const keys = ['ANTON_ANTHROPIC_API_KEY', 'ANTON_OPENAI_API_KEY', 'ANTON_MINDS_API_KEY', 'ANTON_GEMINI_API_KEY', 'ANTON_COMPATIBLE_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'].flatMap((k) => ctx.env.get(k) ?? []);
  const vault = ctx.vault.list().flatMap((r) => r.secure_keys.flatMap((k) => r.fields[k] ?? []));
  return [...keys, ...vault];
}

export interface HistoryEntry {
  artifact: string;
  artifactName: string;
  url: string;
  reportId: string;
  publishedAt: string;
}

/** Publish an HTML artifact (shared by the route and the agent's publish_or_preview tool). */
export async function publishArtifact(ctx: PublishDeps, file: string): Promise<{ url: string; result: Record<string, unknown> }> {
  const { url, key } = publishConfig(ctx);
  if (!key) throw new DomainError('bad_input', 'Configure ANTON_MINDS_API_KEY before publishing');
  if (!/\.html?$/i.test(file)) throw new DomainError('unsupported_media', 'Only HTML artifacts can be published');
  const dir = dirname(file);
  const map = readPublishMap(dir);
  let result;
  try {
    result = await upload(url, key, buildBundle(file, knownSecrets(ctx)), map[basename(file)]?.report_id);
  } catch {
    throw new DomainError('upstream_failed', 'Publishing failed. Check your Minds credentials and try again.');
  }
  map[basename(file)] = { report_id: String(result.report_id), url: String(result.view_url), last_md5: String(result.md5 ?? '') };
  writePublishMap(dir, map);
  ctx.kv.update<HistoryEntry[]>('publishHistory', [], (h) =>
    [{ artifact: file, artifactName: basename(file), url: String(result.view_url), reportId: String(result.report_id), publishedAt: new Date().toISOString() }, ...h].slice(0, 100),
  );
  const { file_payload: _omit, ...shown } = result as Record<string, unknown>;
  return { url: String(result.view_url), result: shown };
}

/** Take a published artifact down (shared by the route and the terminal's /unpublish). */
export async function unpublishArtifact(ctx: PublishDeps, file: string): Promise<void> {
  const { url, key } = publishConfig(ctx);
  if (!key) throw new DomainError('bad_input', 'Configure ANTON_MINDS_API_KEY before publishing');
  const dir = dirname(file);
  const map = readPublishMap(dir);
  const rec = map[basename(file)];
  if (!rec) throw new DomainError('not_found', 'Artifact has no publish record');
  try {
    await unpublish(url, key, rec.report_id || rec.last_md5);
  } catch (e) {
    throw new DomainError('upstream_failed', `Unpublishing failed: ${(e as Error).message}`);
  }
  delete map[basename(file)];
  if (Object.keys(map).length) writePublishMap(dir, map);
  else rmSync(join(dir, '.published.json'), { force: true });
}


/** Recently published artifacts, newest first. */
export const publishHistory = (ctx: Pick<PublishDeps, 'kv'>): HistoryEntry[] => ctx.kv.get<HistoryEntry[]>('publishHistory', []);
