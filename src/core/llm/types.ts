/** Canonical conversation format: Anthropic Messages content blocks (what `<id>_history.json` always held). */
export interface TextBlock {
  type: 'text';
  text: string;
}
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}
export interface ImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string };
}
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | ImageBlock;

export interface Message {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

export interface ToolSpec {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** Set when the model's JSON could not be parsed; the call is answered with an error, never run. */
  parseError?: string;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_creation_tokens?: number;
}

export interface LlmResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop' | string;
}

/** Provider-level stream events, in the order the model produced them. */
export type LlmStreamEvent =
  | { type: 'text_delta'; text: string }
  | { type: 'tool_use_start'; id: string; name: string }
  | { type: 'tool_use_delta'; id: string; json: string }
  | { type: 'tool_use_end'; id: string };

/** Receives each stream event synchronously, as the model's bytes arrive (may throw to fail the call). */
export type LlmEventSink = (ev: LlmStreamEvent) => void;

export interface LlmRequest {
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  maxTokens: number;
  /** 'none' keeps the tools declared (Anthropic requires them when history has tool blocks) but forbids calls. */
  toolChoice?: 'auto' | 'none';
}

export interface LlmProvider {
  readonly name: string;
  readonly model: string;
  /**
   * Stream one model call: every event goes to `onEvent` as it arrives, and the whole response is the result.
   * Push, not pull: per token there is no promise or generator step between the socket and the sink.
   */
  stream(req: LlmRequest, signal: AbortSignal, onEvent: LlmEventSink): Promise<LlmResponse>;
}

/** Retry and timeout policy shared by the provider adapters. */
export interface ProviderOptions {
  maxRetries: number;
  requestTimeoutMs: number;
  /** Abort a stream that sends nothing for this long. */
  idleTimeoutMs: number;
}
