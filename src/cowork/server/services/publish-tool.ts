import { z } from 'zod';
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { lazyToolInput, type ToolDef } from '../../../core/agent/tools.js';
import { readPublishMap, type PublishDeps } from './publish.js';
import type { TurnScope } from './agent.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const PUBLISH_OR_PREVIEW_INPUT = lazyToolInput(() => z.object({ file_path: z.string(), title: z.string().optional(), action: z.enum(['ask', 'preview', 'publish']).optional() }));

/** The cowork `publish_or_preview` tool: preview lives in the UI panel; publish uploads through the publish route's code. */
export function publishTool(ctx: PublishDeps, scope: TurnScope, publish: (ctx: PublishDeps, file: string) => Promise<{ url: string }>): ToolDef {
  return {
    name: 'publish_or_preview',
    description: 'After building an HTML dashboard or report: "preview" points the user to it in the app; "publish" uploads it and returns a shareable URL (only when the user asked to publish).',
    inputSchema: PUBLISH_OR_PREVIEW_INPUT(),
    handler: async (input) => {
      const raw = String(input.file_path ?? '');
      const file = isAbsolute(raw) ? raw : join(scope.project.path, raw);
      if (!existsSync(file)) return { content: `File not found: ${raw}`, isError: true };
      const existing = readPublishMap(join(file, '..'))[basename(file)]?.url;
      if (input.action !== 'publish') {
        return `The file is available in the Artifacts panel for preview.${existing ? ` It is already published at ${existing}.` : ' Ask the user before publishing it.'}`;
      }
      try {
        const r = await publish(ctx, file);
        return `Published successfully! View URL: ${r.url}`;
      } catch (e) {
        return { content: `PUBLISH FAILED: ${(e as Error).message}`, isError: true };
      }
    },
  };
}
