import { z } from 'zod';
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

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Drop what zod adds but a hand-written schema would not say: `$schema`, safe-integer bounds, "any" markers. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema') continue;
    if ((k === 'minimum' && v === -SAFE_INT) || (k === 'maximum' && v === SAFE_INT)) continue;
    if (k === 'propertyNames' && JSON.stringify(v) === '{"type":"string"}') continue;
    if (k === 'additionalProperties' && JSON.stringify(v) === '{}') continue;
    out[k] = tidy(v);
  }
  return out;
}

/**
 * The JSON Schema the model sees for a tool's input, derived from its zod schema (one declaration per tool).
 * `z.record(z.string(), z.unknown())` reads as a free-form object; `z.strictObject` forbids extra keys.
 */
export function toolInputSchema(schema: z.ZodObject): Record<string, unknown> {
  return tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as Record<string, unknown>;
}

/** Every lazily derived tool schema, so a server can derive them all while idle (warmToolSchemas). */
const lazySchemas: (() => Record<string, unknown>)[] = [];

/** `toolInputSchema` computed once, on first use (tool sets are built for every turn). */
export function lazyToolInput(make: () => z.ZodObject): () => Record<string, unknown> {
  let schema: Record<string, unknown> | undefined;
  const get = () => (schema ??= toolInputSchema(make()));
  lazySchemas.push(get);
  return get;
}

/**
 * Derive every declared tool schema now. Converting them is the larger part of a cold first turn (zod's JSON Schema
 * code runs for the first time); a server calls this once it is ready and idle, so the user's first turn does not.
 */
export function warmToolSchemas(): void {
  for (const get of lazySchemas) get();
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
