import type { RoleConfig } from '../settings/providers.js';
import { midStreamError } from './errors.js';
import { guardedStream } from './stream-guard.js';
import { HttpStatusError, safeJson, statusMessage } from './sse-transport.js';
import { parseToolInput } from './tool-json.js';
import type { ContentBlock, LlmEventSink, LlmProvider, LlmRequest, LlmResponse, LlmStreamEvent, Message, ToolCall, ProviderOptions } from './types.js';

type ChatMessage = Record<string, unknown>;

function blocks(content: Message['content']): ContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** Anthropic-block history → Chat Completions messages (tool_use → tool_calls, tool_result → role:"tool"). */
export function toChatMessages(system: string, history: Message[], vision: boolean): ChatMessage[] {
  const out: ChatMessage[] = [{ role: 'system', content: system }];
  for (const m of history) {
    const bs = blocks(m.content);
    if (m.role === 'assistant') {
      const text = bs.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
      const calls = bs.flatMap((b) =>
        b.type === 'tool_use' ? [{ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }] : [],
      );
      out.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    // Tool results must directly follow the assistant's tool_calls, before any new user text.
    for (const b of bs) if (b.type === 'tool_result') out.push({ role: 'tool', tool_call_id: b.tool_use_id, content: b.content });
    const parts = bs.flatMap((b): Record<string, unknown>[] => {
      if (b.type === 'text') return [{ type: 'text', text: b.text }];
      if (b.type === 'image' && vision) return [{ type: 'image_url', image_url: { url: `data:${b.source.media_type};base64,${b.source.data}` } }];
      return [];
    });
    if (parts.length === 1 && parts[0].type === 'text') out.push({ role: 'user', content: parts[0].text });
    else if (parts.length) out.push({ role: 'user', content: parts });
  }
  return out;
}

interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

const DEFAULT_BASE = 'https://api.openai.com/v1';

/** `<base>/chat/completions`, joining the slash the way the SDK did (Gemini's base ends with one). */
export function chatCompletionsUrl(baseUrl: string | undefined): string {
  const base = baseUrl || DEFAULT_BASE;
  return base.endsWith('/') ? `${base}chat/completions` : `${base}/chat/completions`;
}

/** Bearer auth. (Configuration comes only through the settings registry, never straight from process.env.) */
function openaiHeaders(apiKey: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` };
}

/** A failed answer as the SDK worded it: `<status> <error.message>` of the `{error:{…}}` body, else the raw text. */
function openaiError(status: number, text: string): Error {
  const json = safeJson(text) as { error?: unknown } | undefined;
  return new HttpStatusError(status, statusMessage(status, json?.error, json === undefined ? text : ''));
}

/** The message of an error reported inside the stream (`{"error":{…}}`). */
function streamErrorMessage(chunk: { error?: { message?: unknown } }): string {
  const e = chunk.error ?? chunk;
  return typeof (e as { message?: unknown }).message === 'string' ? ((e as { message: string }).message) : JSON.stringify(e);
}

const STOP_REASONS: Record<string, string> = { tool_calls: 'tool_use', function_call: 'tool_use', length: 'max_tokens', stop: 'end_turn' };

/** OpenAI Chat Completions (streaming): OpenAI itself, Gemini's and Minds' OpenAI endpoints, Ollama, vLLM, LM Studio. */
export class OpenAIProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;

  constructor(
    private readonly cfg: RoleConfig,
    private readonly opts: ProviderOptions,
  ) {
    this.name = cfg.provider;
    this.model = cfg.model;
  }

  async stream(req: LlmRequest, signal: AbortSignal, sink: LlmEventSink): Promise<LlmResponse> {
    const isOpenAI = this.cfg.provider === 'openai';
    const calls = new Map<number, { id?: string; name?: string; args: string; started: boolean }>();
    let text = '';
    let stopReason = 'end_turn';
    const usage = { input_tokens: 0, output_tokens: 0 };
    let done = false;
    // Events produced by one received chunk, handed on after the chunk is parsed (reused: no per-token array).
    const out: LlmStreamEvent[] = [];
    const onEvent = (event: string | undefined, data: string) => {
      if (done) return;
      if (data.startsWith('[DONE]')) {
        done = true;
        return;
      }
      const chunk = JSON.parse(data);
      if (event === 'error' || chunk?.error) throw midStreamError(streamErrorMessage(chunk), [this.cfg.apiKey]);
      if (chunk.usage) {
        usage.input_tokens = chunk.usage.prompt_tokens ?? 0;
        usage.output_tokens = chunk.usage.completion_tokens ?? 0;
      }
      const choice = chunk.choices?.[0];
      if (!choice) return;
      if (choice.finish_reason) stopReason = STOP_REASONS[choice.finish_reason] ?? choice.finish_reason;
      const delta = choice.delta;
      if (!delta) return;
      if (delta.content) {
        text += delta.content;
        out.push({ type: 'text_delta', text: delta.content });
      }
      if (delta.tool_calls) for (const tc of delta.tool_calls) this.toolCallDelta(calls, tc, out);
    };
    const body = () =>
      JSON.stringify({
        model: this.model,
        messages: toChatMessages(req.system, req.messages, this.cfg.provider !== 'openai-compatible'),
        stream: true,
        stream_options: { include_usage: true },
        ...(isOpenAI ? { max_completion_tokens: req.maxTokens } : { max_tokens: req.maxTokens }),
        ...(req.tools.length
          ? {
              tools: req.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.input_schema } })),
              tool_choice: req.toolChoice === 'none' ? ('none' as const) : ('auto' as const),
            }
          : {}),
      });
    await guardedStream(
      {
        url: chatCompletionsUrl(this.cfg.baseUrl),
        headers: openaiHeaders(this.cfg.apiKey || 'not-needed'),
        body,
        insecure: !this.cfg.sslVerify,
        statusError: openaiError,
      },
      { signal, opts: this.opts, apiKey: this.cfg.apiKey },
      { onEvent, out, sink },
    );
    const toolCalls: ToolCall[] = [];
    for (const [index, st] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
      const id = st.id ?? `call_${index}_${Date.now().toString(36)}`;
      const name = st.name ?? 'unknown_tool';
      if (!st.started) {
        sink({ type: 'tool_use_start', id, name });
        if (st.args) sink({ type: 'tool_use_delta', id, json: st.args });
      }
      sink({ type: 'tool_use_end', id });
      const parsed = parseToolInput(st.args);
      toolCalls.push({ id, name, input: parsed.input, ...(parsed.error ? { parseError: parsed.error } : {}) });
    }
    if (toolCalls.length && stopReason === 'end_turn') stopReason = 'tool_use';
    return { text, toolCalls, usage, stopReason };
  }

  /** One streamed tool-call piece: the call starts once its id and name are known; arguments stream after that. */
  private toolCallDelta(calls: Map<number, { id?: string; name?: string; args: string; started: boolean }>, tc: OpenAIToolCallDelta, out: LlmStreamEvent[]): void {
    let st = calls.get(tc.index);
    if (!st) calls.set(tc.index, (st = { args: '', started: false }));
    if (tc.id) st.id = tc.id;
    if (tc.function?.name) st.name = tc.function.name;
    const piece = tc.function?.arguments ?? '';
    if (!st.started && st.id && st.name) {
      st.started = true;
      out.push({ type: 'tool_use_start', id: st.id, name: st.name });
      if (st.args) out.push({ type: 'tool_use_delta', id: st.id, json: st.args });
    }
    st.args += piece;
    if (st.started && piece) out.push({ type: 'tool_use_delta', id: st.id!, json: piece });
  }
}
