import type { AgentEvent } from '../../../core/agent/events.js';
import type { TurnFramePayload } from '../schemas/frames.js';

/** Payload of one SSE frame, without `sequence_number`/`at_ms` (the turn stamps those): only declared shapes. */
export type FramePayload = TurnFramePayload;

const CONTENT_CAP = 65_536;

const PHASE_LABELS: Record<string, string> = {
  planning: 'Planning',
  analyzing: 'Analyzing',
  executing: 'Executing',
  scratchpad: 'Running code',
  scratchpad_start: 'Running code',
  scratchpad_done: 'Code complete',
  connect_datasource: 'Connecting',
  interactive: 'Interactive',
  context: 'Context',
};

function thoughtFamily(tool: string): 'scratchpad' | 'memorize' | 'recall' | null {
  if (tool.includes('scratchpad')) return 'scratchpad';
  if (tool.includes('memorize')) return 'memorize';
  if (tool.includes('recall')) return 'recall';
  return null;
}

/**
 * Maps agent events to the reference's Responses-style SSE payloads (§3.2). Tool input deltas are accumulated
 * and sent once, at the end of the tool call. Unlike the reference nothing but raw scratchpad output lines is
 * throttled, so tool_done / reasoning_done are never lost.
 */
export class ResponseFormatter {
  private readonly toolNames = new Map<string, string>();
  private readonly toolInput = new Map<string, string>();
  private lastLineAt = 0;

  constructor(readonly itemId: string) {}

  /** Pass the frames an event maps to (none, or one) to `out`: no array per token. */
  format(ev: AgentEvent, out: (f: FramePayload) => void): void {
    switch (ev.type) {
      case 'text_delta':
        return out({ type: 'response.output_text.delta', item_id: this.itemId, delta: ev.text });
      case 'tool_use_start': {
        this.toolNames.set(ev.id, ev.name);
        this.toolInput.set(ev.id, '');
        const fam = thoughtFamily(ev.name);
        return out({ type: 'response.in_progress', thought_role: fam ? `thought.${fam}.start` : 'thought.progress', content: ev.name, tool_use_id: ev.id });
      }
      case 'tool_use_delta':
        this.toolInput.set(ev.id, (this.toolInput.get(ev.id) ?? '') + ev.json);
        return;
      case 'tool_use_end': {
        const fam = thoughtFamily(this.toolNames.get(ev.id) ?? '');
        const input = (this.toolInput.get(ev.id) ?? '').slice(0, CONTENT_CAP);
        this.toolInput.delete(ev.id);
        return out({ type: 'response.in_progress', thought_role: fam ? `thought.${fam}.end` : 'thought.progress', content: input, tool_use_id: ev.id });
      }
      case 'tool_result':
        return out({
          type: 'response.in_progress',
          thought_role: 'thought.scratchpad.result',
          content: ev.content.slice(0, CONTENT_CAP),
          tool_name: ev.name,
          tool_action: ev.action ?? '',
          tool_use_id: ev.id,
        });
      case 'progress': {
        if (ev.phase === 'scratchpad') {
          const now = Date.now();
          if (now - this.lastLineAt < 250) return;
          this.lastLineAt = now;
        }
        const label = PHASE_LABELS[ev.phase] ?? ev.phase;
        return out({
          type: 'response.in_progress',
          thought_role: 'thought.progress',
          content: ev.message ? `${label}: ${ev.message}` : label,
          phase: ev.phase,
          message: ev.message,
          eta_seconds: ev.eta_seconds ?? null,
          tool_use_id: ev.id ?? '',
        });
      }
      case 'context_compacted':
        return out({ type: 'response.in_progress', thought_role: 'thought.context_compacted', content: ev.message });
      case 'usage':
        return;
    }
  }
}
