import { buildSystemPrompt, readProjectInstructions } from '../../../core/agent/system-prompt.js';
import { ToolRegistry, type ToolDef } from '../../../core/agent/tools.js';
import { createProvider, createSideProvider } from '../../../core/llm/provider.js';
import type { LlmProvider } from '../../../core/llm/types.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import type { ProjectInfo } from '../stores/projects.js';

/** What a tool factory knows about the turn it serves. */
export interface TurnScope {
  conversationId: string;
  project: ProjectInfo;
}

/** Features (scratchpad, artifacts, memory, data vault…) plug tools and prompt sections in here. */
export interface AgentExtensions {
  toolFactories: ((scope: TurnScope) => ToolDef[])[];
  promptSections: ((scope: TurnScope) => string | null)[];
  /** Credential scrubbing for tool output. */
  scrubbers: ((scope: TurnScope) => (text: string) => string)[];
  /** Called before a turn; the returned function runs after it (artifact provenance, memory upkeep…). */
  turnObservers: ((scope: TurnScope) => (info: TurnInfo) => void)[];
}

export interface TurnInfo {
  userText: string;
  turnIndex: number;
  title: string;
  status: 'completed' | 'cancelled' | 'failed';
}

export function emptyExtensions(): AgentExtensions {
  return { toolFactories: [], promptSections: [], scrubbers: [], turnObservers: [] };
}

export interface AgentSetup {
  provider: LlmProvider;
  /** Cheap side calls (context summaries): the coding role. */
  summarizer: LlmProvider;
  tools: ToolRegistry;
  buildSystem: () => string;
  scrub: (text: string) => string;
}

/** Everything one turn needs, built from the configuration as it is now (settings edits apply to the next turn). */
export function buildAgent(env: EnvStore, ext: AgentExtensions, scope: TurnScope, modelOverride?: string): AgentSetup {
  const tools = new ToolRegistry(ext.toolFactories.flatMap((f) => f(scope)));
  const scrubbers = ext.scrubbers.map((f) => f(scope));
  return {
    provider: createProvider(env, 'planning', modelOverride),
    summarizer: createSideProvider(env),
    tools,
    scrub: (text) => scrubbers.reduce((t, fn) => fn(t), text),
    buildSystem: () =>
      buildSystemPrompt({
        now: new Date(),
        projectName: scope.project.name,
        projectDir: scope.project.path,
        instructions: readProjectInstructions(scope.project.path), // .anton/anton.md (what the files API edits), else A's .context/anton.md
        toolPrompts: tools.prompts(),
        sections: ext.promptSections.flatMap((f) => f(scope) ?? []),
      }),
  };
}
