import type { Usage } from '../llm/types.js';

/** What a turn reports while it runs (the cowork layer turns these into SSE frames). */
export type AgentEvent =
  | { type: 'text_delta'; text: string }
  | { type: 'tool_use_start'; id: string; name: string }
  | { type: 'tool_use_delta'; id: string; json: string }
  | { type: 'tool_use_end'; id: string }
  | { type: 'progress'; phase: string; message: string; eta_seconds?: number | null; id?: string }
  | { type: 'tool_result'; name: string; content: string; action?: string; id: string }
  | { type: 'context_compacted'; message: string }
  | { type: 'usage'; usage: Usage };
