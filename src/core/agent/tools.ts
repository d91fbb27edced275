import type { ToolSpec } from '../llm/types.js';
import type { AgentEvent } from './events.js';

export interface ToolContext {
  signal: AbortSignal;
  toolUseId: string;
  /** Stream progress (scratchpad output lines, …) while the tool runs. */
  emit: (ev: AgentEvent) => void;
}

export interface ToolOutcome {
  content: string;
  isError?: boolean;
}

export interface ToolDef {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** Extra system-prompt text this tool needs. */
  prompt?: string;
  /** Tools that report their own progress (scratchpad) skip the generic tool_start/tool_done events. */
  reportsOwnProgress?: boolean;
  handler: (input: Record<string, unknown>, ctx: ToolContext) => Promise<string | ToolOutcome>;
}

/** Immutable-by-convention tool set for one turn: core tools plus whatever the host adds. */
export class ToolRegistry {
  private readonly tools = new Map<string, ToolDef>();

  constructor(defs: ToolDef[] = []) {
    for (const d of defs) this.register(d);
  }

  register(def: ToolDef): this {
    if (this.tools.has(def.name)) throw new Error(`Tool registered twice: ${def.name}`);
    this.tools.set(def.name, def);
    return this;
  }

  get(name: string): ToolDef | undefined {
    return this.tools.get(name);
  }

  specs(): ToolSpec[] {
    return [...this.tools.values()].map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }));
  }

  prompts(): string[] {
    return [...this.tools.values()].flatMap((t) => (t.prompt ? [t.prompt] : []));
  }

  get size(): number {
    return this.tools.size;
  }
}
