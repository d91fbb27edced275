import { join } from 'node:path';
import { artifactTools } from '../../../core/artifacts/tools.js';
import { MemoryStore } from '../../../core/memory/memory.js';
import { SkillStore } from '../../../core/memory/skills.js';
import { memorizeTool, recallSkillTool, recallTool } from '../../../core/memory/tools.js';
import { scratchpadTool } from '../../../core/scratchpad/tool.js';
import { DataVault, scrubSecrets } from '../../../core/vault/vault.js';
import { webFetchTool, webSearchTool, type SearchConfig } from '../../../core/web/web.js';
import { mindsPromptSection, queryMindsDataTool, visualisationPromptSection, type MindsConnection } from '../../../core/minds/minds.js';
import type { EnvStore } from '../../../core/settings/env-store.js';
import type { ServerServices } from '../server-services.js';
import { publishArtifact } from './publish.js';
import { storeFor } from './artifacts.js';
import { listConversationDatasourcesTool } from './cowork-tools.js';
import { formTools } from './form-tools.js';
import { publishTool } from './publish-tool.js';
import { conversationPads } from './scratchpads.js';
import { ftsQuery, splitTerms } from './search.js';

export function memoryEnabled(env: EnvStore): boolean {
  return env.setting('ANTON_MEMORY_ENABLED') && env.setting('ANTON_MEMORY_MODE') !== 'off';
}

/** The connected Mind, when a Minds key is set. */
export function minds(env: EnvStore): MindsConnection | null {
  const apiKey = env.get('ANTON_MINDS_API_KEY');
  if (!apiKey) return null;
  return {
    url: env.setting('ANTON_MINDS_URL'),
    apiKey,
    mindName: env.get('ANTON_MINDS_MIND_NAME'),
    datasource: env.get('ANTON_MINDS_DATASOURCE'),
    engine: env.get('ANTON_MINDS_DATASOURCE_ENGINE'),
    sslVerify: env.setting('ANTON_MINDS_SSL_VERIFY'),
  };
}

export function searchConfig(env: EnvStore): SearchConfig | null {
  const provider = env.setting('ANTON_WEB_SEARCH_PROVIDER');
  if (!provider) return null;
  const cfg = { provider, apiKey: env.get('ANTON_WEB_SEARCH_API_KEY'), url: env.get('ANTON_WEB_SEARCH_URL') } as SearchConfig;
  return provider === 'searxng' ? (cfg.url ? cfg : null) : cfg.apiKey ? cfg : null;
}

/** What the agent's features use: where they register, and the stores and settings their tools read. */
export type AgentFeatureDeps = Pick<ServerServices, 'agent' | 'env' | 'paths' | 'conversations' | 'pads' | 'kernelSecrets' | 'vault' | 'submissions' | 'kv'>;

/** Every tool, prompt section, scrubber and turn observer the agent gets, in one place. Re-read per turn. */
export function registerAgentFeatures(ctx: AgentFeatureDeps): void {
  const { agent, env, paths, conversations } = ctx;
  const skills = new SkillStore(paths.skillsDir);
  const memory = (projectPath: string) => new MemoryStore(paths.memoryDir, join(projectPath, '.anton', 'memory'));

  agent.toolFactories.push((scope) => {
    const search = searchConfig(env);
    return [
      scratchpadTool(conversationPads(ctx.pads, env, paths.home, scope.project, scope.conversationId, () => ctx.kernelSecrets(scope.conversationId))),
      listConversationDatasourcesTool(conversations, () => ctx.vault.list().map((r) => ({ engine: r.engine, name: r.name })), scope),
      ...artifactTools(storeFor(scope.project)),
      ...formTools(ctx.submissions),
      publishTool(ctx, scope, publishArtifact),
      ...(memoryEnabled(env) ? [memorizeTool(memory(scope.project.path))] : []),
      ...(env.setting('ANTON_EPISODIC_MEMORY')
        ? [
            recallTool((query, max, daysBack) => {
              const terms = splitTerms(query);
              if (!terms.length) return [];
              const since = daysBack ? new Date(Date.now() - daysBack * 86_400_000).toISOString() : undefined;
              try {
                return conversations.recall(scope.project.name, ftsQuery(terms), max, scope.conversationId, since);
              } catch {
                return [];
              }
            }),
          ]
        : []),
      recallSkillTool(skills),
      webFetchTool({ maxBytes: env.setting('ANTON_WEB_FETCH_MAX_KB') * 1024, timeoutMs: 15_000, allowPrivate: env.setting('ANTON_WEB_FETCH_ALLOW_PRIVATE') }),
      ...(search ? [webSearchTool(search)] : []),
      ...(minds(env)?.datasource ? [queryMindsDataTool(minds(env)!)] : []),
    ];
  });

  // Stored Minds and dashboard settings change what the agent is told (as in the reference).
  agent.promptSections.push(() => (minds(env) ? mindsPromptSection(minds(env)!) : null));
  agent.promptSections.push(() => visualisationPromptSection(env.setting('ANTON_PROACTIVE_DASHBOARDS')));

  // Memory reaches the system prompt (rules, lessons, identity), as do the project instructions (agent.ts).
  agent.promptSections.push((scope) => (memoryEnabled(env) ? memory(scope.project.path).promptSection() : null));

  // Tool output never carries a stored credential back to the model.
  agent.scrubbers.push(() => {
    const secrets = ctx.vault.list().flatMap((r) =>
      Object.entries(DataVault.env(r)).filter(([k]) => r.secure_keys.some((s) => k.endsWith(`__${s.replace(/[^\w]/g, '_').toUpperCase()}`))),
    );
    return (text) => scrubSecrets(text, secrets);
  });

  // Provenance: which artifacts a turn touched, recorded in their metadata.json.
  agent.turnObservers.push((scope) => {
    const store = storeFor(scope.project);
    const before = store.snapshot();
    return (info) => void store.recordTurn(before, { conversation: scope.conversationId, title: info.title, turnIndex: info.turnIndex, summary: info.userText });
  });
}
