import { describeUpload, uploadsDir } from '../stores/attachments.js';
import type { LegacyAttachmentStore } from '../stores/attachments.js';
import { ATTACHMENT_MARKER } from '../stores/conversations.js';
import type { ProjectInfo } from '../stores/projects.js';

/**
 * The prompt suffix for the attachments sent with a message: only the ids given (C included every upload of
 * the conversation on every turn), and a snippet's text itself (A only ever sent "File path: None").
 */
export function buildAttachmentContext(legacy: LegacyAttachmentStore, project: ProjectInfo, conversationId: string, ids: string[]): string {
  if (!ids.length) return '';
  let dir: string | null = null;
  try {
    dir = uploadsDir(project.path, conversationId);
  } catch {
    dir = null;
  }
  const parts: string[] = [];
  for (const id of ids) {
    const up = dir && /^att_[A-Za-z0-9]+$/.test(id) ? describeUpload(dir, id) : null;
    if (up) {
      parts.push(`### ${up.name} (${up.mime})\n\nFile path: ${up.path}`);
      continue;
    }
    const a = legacy.get(id);
    if (!a) continue;
    if (a.kind === 'snippet') parts.push(`### ${String(a.name)} (snippet; text/plain)\n\n\`\`\`${String(a.language ?? '')}\n${String(a.text ?? '')}\n\`\`\``);
    else parts.push(`### ${String(a.name)} (${String(a.kind)}; ${String(a.mime)}; ${String(a.sourceUrl ?? a.source ?? 'upload')})\n\nFile path: ${String(a.path)}`);
  }
  return parts.length ? `${ATTACHMENT_MARKER}\n\n${parts.join('\n\n')}` : '';
}
