import { z } from 'zod';

/**
 * Every SSE frame the server sends (§3 of the protocol), as one discriminated union per stream. Frames are built
 * through these types only (`z.infer`), so a frame can only take a declared shape; the OpenAPI document shows the
 * same unions for the streaming routes.
 */

/** The Responses-API object carried by `response.created` / `response.completed` (the client ignores it). */
export const ResponseObject = z.looseObject({
  id: z.string(),
  object: z.literal('response').optional(),
  created_at: z.number().optional(),
  status: z.string(),
  model: z.string().optional(),
  output: z.array(z.unknown()).optional(),
  error: z.null().optional(),
  usage: z.unknown().optional(),
});

const Created = z.object({
  type: z.literal('response.created'),
  response: ResponseObject,
  /** The server's conversation id: the client adopts it for a new (`tmp-…`) task. */
  conversation_id: z.string().optional(),
});

const TextDelta = z.object({
  type: z.literal('response.output_text.delta'),
  item_id: z.string(),
  delta: z.string(),
});

/** Thought roles the client's reducer branches on (`thought.<family>.<start|end|result>`, `thought.progress`, …). */
export const ThoughtRole = z.union([
  z.templateLiteral(['thought.', z.enum(['scratchpad', 'memorize', 'recall']), '.', z.enum(['start', 'end'])]),
  z.enum(['thought.scratchpad.result', 'thought.progress', 'thought.context_compacted']),
]);

const InProgress = z.object({
  type: z.literal('response.in_progress'),
  thought_role: ThoughtRole,
  content: z.string(),
  tool_use_id: z.string().optional(),
  tool_name: z.string().optional(),
  tool_action: z.string().optional(),
  phase: z.string().optional(),
  message: z.string().optional(),
  eta_seconds: z.number().nullable().optional(),
});

const Completed = z.object({
  type: z.literal('response.completed'),
  response: ResponseObject.optional(),
});

const Failed = z.object({
  type: z.literal('response.failed'),
  /** Shown in the client's red error bubble. */
  error: z.string(),
  code: z.enum(['config_required', 'anton_error', 'server_error']).optional(),
  message: z.string().optional(),
});

/** A turn frame as built (the turn stamps `sequence_number` and `at_ms` when it records it). */
export const TurnFramePayload = z.discriminatedUnion('type', [Created, TextDelta, InProgress, Completed, Failed]);
export type TurnFramePayload = z.infer<typeof TurnFramePayload>;

const turnStamp = { sequence_number: z.number().int().min(1), at_ms: z.number() };

/** A frame on the wire of `POST /v1/responses` and `GET /v1/responses/tail` (and stored as a turn's `events`). */
export const TurnFrame = z
  .discriminatedUnion('type', [
    Created.extend(turnStamp),
    TextDelta.extend(turnStamp),
    InProgress.extend(turnStamp),
    Completed.extend(turnStamp),
    Failed.extend(turnStamp),
  ])
  .meta({ id: 'TurnFrame', description: 'One SSE frame of a chat turn: `event: <type>` then `data: <this JSON>`.' });
export type TurnFrame = z.infer<typeof TurnFrame>;

/** The data-vault submission stream: the chat vocabulary, numbered but not timed; `status` says how it ended. */
const VaultCompleted = z.object({
  type: z.literal('response.completed'),
  response: z.object({ id: z.string(), status: z.enum(['success', 'failed', 'needs_input', 'retry']) }),
});
export const DataVaultFramePayload = z.discriminatedUnion('type', [Created, TextDelta, VaultCompleted]);
export type DataVaultFramePayload = z.infer<typeof DataVaultFramePayload>;
/** An unexpected failure ends the stream with an unnumbered frame. */
export const DataVaultFailedFrame = z.object({ type: z.literal('response.failed'), error: z.string() });
export type DataVaultFailedFrame = z.infer<typeof DataVaultFailedFrame>;
const vaultSeq = { sequence_number: z.number().int().min(1) };
export const DataVaultFrame = z
  .discriminatedUnion('type', [Created.extend(vaultSeq), TextDelta.extend(vaultSeq), VaultCompleted.extend(vaultSeq), DataVaultFailedFrame])
  .meta({ id: 'DataVaultFrame', description: 'One SSE frame of a data-vault submission.' });

/** `POST /v1/scratchpad/execute-stream`: data-only frames (no `event:` line). */
export const ScratchpadStreamFrame = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('progress'), message: z.string() }),
    z.object({ type: z.literal('cell'), cell: z.looseObject({}) }),
    z.object({ type: z.literal('error'), error: z.string() }),
  ])
  .meta({ id: 'ScratchpadStreamFrame', description: 'One data-only SSE frame of a streamed scratchpad cell.' });
export type ScratchpadStreamFrame = z.infer<typeof ScratchpadStreamFrame>;
