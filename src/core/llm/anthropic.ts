import type { RoleConfig } from '../settings/providers.js';
import { midStreamError } from './errors.js';
import { guardedStream } from './stream-guard.js';
import { HttpStatusError, safeJson, statusMessage } from './sse-transport.js';
import { parseToolInput } from './tool-json.js';
import type { LlmEventSink, LlmProvider, LlmResponse, LlmRequest, LlmStreamEvent, ToolCall, ProviderOptions } from './types.js';

interface BlockState {
  kind: 'text' | 'tool_use' | 'other';
  id?: string;
  name?: string;
  json: string;
}

/** The API version the SDK we used before sent; the wire format below is that version's. */
const ANTHROPIC_VERSION = '2026-10-21';
const DEFAULT_BASE = 'https://api.anthropic.com';

/** `<base>/v1/messages`, joining the slash the way the SDK did. */
export function anthropicUrl(baseUrl: string | undefined): string {
  const base = baseUrl || DEFAULT_BASE;
  return base.endsWith('/') ? `${base}v1/messages` : `${base}/v1/messages`;
}

/** An Anthropic error answer (`{type:"error", error:{…}}`) worded as the SDK did. */
function anthropicError(status: number, text: string): Error {
  const json = safeJson(text);
  return new HttpStatusError(status, statusMessage(status, json, json === undefined ? text : ''));
}

/** The message of an `error` event inside the stream. */
function eventErrorMessage(data: string): string {
  const m = (safeJson(data) as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof m === 'string' ? m : data;
}

/** Anthropic Messages API (streaming) over the lean SSE transport (sse-transport.ts: retries, timeouts, abort). */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly model: string;

  constructor(
    private readonly cfg: RoleConfig,
    private readonly opts: ProviderOptions,
  ) {
    this.model = cfg.model;
  }

  async stream(req: LlmRequest, signal: AbortSignal, sink: LlmEventSink): Promise<LlmResponse> {
    const apiKey = this.cfg.apiKey ?? '';
    const blocks = new Map<number, BlockState>();
    const toolCalls: ToolCall[] = [];
    let text = '';
    const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0 };
    let stopReason = 'end_turn';
    // Events produced by one received chunk, handed on after the chunk is parsed (reused: no per-token array).
    const out: LlmStreamEvent[] = [];
    const onEvent = (event: string | undefined, data: string) => {
      if (event === 'ping' || !data) return;
      if (event === 'error') throw midStreamError(eventErrorMessage(data), [apiKey]);
      if (event === undefined) return; // the SDK skipped unnamed events too
      const ev = JSON.parse(data);
      switch (ev.type) {
        case 'content_block_delta': {
          const d = ev.delta;
          if (d.type === 'text_delta') {
            text += d.text;
            out.push({ type: 'text_delta', text: d.text });
          } else if (d.type === 'input_json_delta') {
            const st = blocks.get(ev.index);
            if (st?.kind === 'tool_use') {
              st.json += d.partial_json;
              out.push({ type: 'tool_use_delta', id: st.id!, json: d.partial_json });
            }
          }
          break;
        }
        case 'message_start': {
          const u = ev.message?.usage ?? {};
          usage.input_tokens = u.input_tokens ?? 0;
          usage.cache_read_tokens = u.cache_read_input_tokens ?? 0;
          usage.cache_creation_tokens = u.cache_creation_input_tokens ?? 0;
          break;
        }
        case 'content_block_start': {
          const b = ev.content_block;
          if (b.type === 'text') {
            blocks.set(ev.index, { kind: 'text', json: '' });
            if (b.text) {
              text += b.text;
              out.push({ type: 'text_delta', text: b.text });
            }
          } else if (b.type === 'tool_use') {
            blocks.set(ev.index, { kind: 'tool_use', id: b.id, name: b.name, json: '' });
            out.push({ type: 'tool_use_start', id: b.id, name: b.name });
          } else blocks.set(ev.index, { kind: 'other', json: '' });
          break;
        }
        case 'content_block_stop': {
          const st = blocks.get(ev.index);
          if (st?.kind === 'tool_use') {
            const parsed = parseToolInput(st.json);
            toolCalls.push({ id: st.id!, name: st.name!, input: parsed.input, ...(parsed.error ? { parseError: parsed.error } : {}) });
            out.push({ type: 'tool_use_end', id: st.id! });
          }
          break;
        }
        case 'message_delta':
          if (ev.delta?.stop_reason) stopReason = ev.delta.stop_reason;
          usage.output_tokens = ev.usage?.output_tokens ?? usage.output_tokens;
          break;
        default:
          break;
      }
    };
    const body = () =>
      JSON.stringify({
        model: this.model,
        max_tokens: req.maxTokens,
        system: req.system,
        messages: req.messages,
        ...(req.tools.length ? { tools: req.tools, tool_choice: { type: req.toolChoice === 'none' ? 'none' : 'auto' } } : {}),
        stream: true,
      });
    await guardedStream(
      {
        url: anthropicUrl(this.cfg.baseUrl),
        // The SDK authenticated with a bearer token; x-api-key is the header the API documents. Both carry the key.
        headers: { 'content-type': 'application/json', accept: 'application/json', 'anthropic-version': ANTHROPIC_VERSION, 'x-api-key': apiKey, authorization: `Bearer ${apiKey}` },
        body,
        insecure: false,
        statusError: anthropicError,
      },
      { signal, opts: this.opts, apiKey: this.cfg.apiKey },
      { onEvent, out, sink },
    );
    return { text, toolCalls, usage, stopReason };
  }
}
