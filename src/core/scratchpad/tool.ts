import { z } from 'zod';
import { lazyToolInput, type ToolDef } from '../agent/tools.js';
import type { Pad } from './pad.js';
import { formatCellResult } from './format.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const SCRATCHPAD_INPUT = lazyToolInput(() =>
  z.object({
    action: z.enum(['exec', 'view', 'reset', 'remove', 'dump', 'install']),
    name: z.string().describe('Pad name, e.g. "main".'),
    code: z.string().describe('Python code for exec.').optional(),
    packages: z.array(z.string()).describe('pip packages (install; or installed before exec).').optional(),
    one_line_description: z.string().describe('What this cell does, shown to the user.').optional(),
    estimated_execution_time_seconds: z.int().describe('Your estimate of the run time.').optional(),
  }),
);

export interface PadAccess {
  /** The pad for this name (created on first use). Throws when no more pads may be opened. */
  open(name: string): Pad;
  find(name: string): Pad | undefined;
  remove(name: string): Promise<boolean>;
}

const DESCRIPTION = `Run Python in a persistent scratchpad (a Jupyter-like kernel; variables and imports persist between calls with the same name).
Actions: exec (run "code"), view (all cells), dump (show the notebook to the user), reset (fresh process, installed packages kept),
remove (close and delete the pad's virtualenv), install ("packages" via pip into the pad's own virtualenv).
Use print() for results; call progress("…") in long loops so the cell is not stopped as idle. Cells are stopped after about
2× "estimated_execution_time_seconds" (120 s by default) or after 30 s without output. matplotlib figures are shown to the user.`;

/** The agent's `scratchpad` tool, reporting its own progress frames (scratchpad_start / lines / scratchpad_done). */
export function scratchpadTool(pads: PadAccess): ToolDef {
  return {
    name: 'scratchpad',
    description: DESCRIPTION,
    reportsOwnProgress: true,
    inputSchema: SCRATCHPAD_INPUT(),
    prompt:
      'Always use the scratchpad tool to read files, query data and compute; never guess results. Write files with absolute paths inside the project folder.',
    handler: async (input, ctx) => {
      const action = String(input.action ?? '');
      const name = String(input.name ?? '').trim() || 'main';
      const packages = Array.isArray(input.packages) ? input.packages.map(String).filter(Boolean) : [];
      switch (action) {
        case 'exec': {
          const code = typeof input.code === 'string' ? input.code : '';
          if (!code.trim()) return { content: 'exec needs non-empty "code".', isError: true };
          const pad = pads.open(name);
          if (packages.length) {
            const r = await pad.install(packages, ctx.signal);
            if (r.startsWith('Install failed')) return { content: r, isError: true };
          }
          const description = String(input.one_line_description ?? '');
          const estimate = Number(input.estimated_execution_time_seconds ?? 0) || 0;
          const started = Date.now();
          ctx.emit({ type: 'progress', phase: 'scratchpad_start', message: description, eta_seconds: estimate || null, id: ctx.toolUseId });
          const cell = await pad.execute(code, {
            description,
            estimatedSeconds: estimate,
            estimatedTime: estimate ? `${estimate}s` : '',
            signal: ctx.signal,
            onProgress: (line) => ctx.emit({ type: 'progress', phase: 'scratchpad', message: line, id: ctx.toolUseId }),
          });
          ctx.emit({ type: 'progress', phase: 'scratchpad_done', message: description, eta_seconds: (Date.now() - started) / 1000, id: ctx.toolUseId });
          const { images, ...shown } = cell;
          ctx.emit({ type: 'tool_result', name: 'scratchpad', content: JSON.stringify({ ...shown, images: images?.length ?? 0 }), action: 'exec', id: ctx.toolUseId });
          return formatCellResult(cell);
        }
        case 'view':
          return pads.open(name).view();
        case 'dump': {
          const nb = pads.open(name).notebook();
          ctx.emit({ type: 'tool_result', name: 'scratchpad', content: nb, action: 'dump', id: ctx.toolUseId });
          return 'The notebook was displayed to the user; do not repeat it.';
        }
        case 'reset': {
          const pad = pads.find(name);
          if (!pad) return `No scratchpad named '${name}'.`;
          await pad.reset();
          return `Scratchpad '${name}' was reset: fresh process, installed packages kept.`;
        }
        case 'remove':
          return (await pads.remove(name)) ? `Scratchpad '${name}' was removed.` : `No scratchpad named '${name}'.`;
        case 'install':
          if (!packages.length) return { content: 'install needs "packages".', isError: true };
          return pads.open(name).install(packages, ctx.signal);
        default:
          return { content: `Unknown scratchpad action: ${action}`, isError: true };
      }
    },
  };
}
