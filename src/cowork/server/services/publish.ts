import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { zipSync } from 'fflate';
import { resolveInside } from '../../../core/fs/safe-path.js';
import { writeFileAtomic } from '../../../core/fs/atomic.js';

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
