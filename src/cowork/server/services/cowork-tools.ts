import { z } from 'zod';
import { lazyToolInput, type ToolDef } from '../../../core/agent/tools.js';
import type { ConversationStore } from '../stores/conversations.js';
import type { TurnScope } from './agent.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const LIST_CONVERSATION_DATASOURCES_INPUT = lazyToolInput(() => z.strictObject({}));

/** A vault connection as the agent may see it (names only, never values). */
export interface ConnectionRef {
  engine: string;
  name: string;
}

/** C's `list_conversation_datasources`: which connections this conversation may use. */
export function listConversationDatasourcesTool(
  conversations: ConversationStore,
  listConnections: () => ConnectionRef[] | null,
  scope: TurnScope,
): ToolDef {
  return {
    name: 'list_conversation_datasources',
    description:
      'List the data source connections saved in the data vault and whether the user has muted any of them for this conversation. Call it before using a connection.',
    inputSchema: LIST_CONVERSATION_DATASOURCES_INPUT(),
    prompt:
      'Muted connections (disabled: true in list_conversation_datasources) must not be used in this conversation, and their credentials are not available to your code.',
    handler: async () => {
      const disabled = conversations.get(scope.conversationId)?.disabled_connections ?? [];
      const muted = new Set(disabled.map((d) => `${d.engine.toLowerCase()}\u0000${d.name.toLowerCase()}`));
      const all = listConnections();
      return JSON.stringify({
        conversation_id: scope.conversationId,
        disabled_connections: disabled,
        connections: (all ?? []).map((c) => ({ ...c, disabled: muted.has(`${c.engine.toLowerCase()}\u0000${c.name.toLowerCase()}`) })),
        vault_available: all !== null,
      });
    },
  };
}
