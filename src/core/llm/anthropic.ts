import type { RoleConfig } from '../settings/providers.js';
import { LlmError, classifyLlmError } from './errors.js';
import { StreamGuard } from './stream-guard.js';
import { cachedClient } from './client-cache.js';
import { parseToolInput } from './tool-json.js';
import type { LlmProvider, LlmRequest, LlmResponse, LlmStreamEvent, ToolCall, ProviderOptions } from './types.js';

interface BlockState {
  kind: 'text' | 'tool_use' | 'other';
  id?: string;
  name?: string;
  json: string;
}

/** Anthropic Messages API (streaming). The SDK retries 408/429/5xx/529 with backoff and honours retry-after. */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly model: string;

  constructor(
    private readonly cfg: RoleConfig,
    private readonly opts: ProviderOptions,
  ) {
    this.model = cfg.model;
  }

  async *stream(req: LlmRequest, signal: AbortSignal): AsyncIterable<LlmStreamEvent> {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    // One client per configuration, reused across turns (see client-cache.ts); anything passed to the
    // constructor must be part of the key.
    const client = cachedClient(['anthropic', this.cfg.apiKey ?? '', this.cfg.baseUrl, this.opts.maxRetries, this.opts.requestTimeoutMs], () =>
      new Anthropic({
        apiKey: this.cfg.apiKey ?? '',
        baseURL: this.cfg.baseUrl || undefined,
        maxRetries: this.opts.maxRetries,
        timeout: this.opts.requestTimeoutMs,
      }),
    );
    const guard = new StreamGuard(signal, this.opts.idleTimeoutMs);
    const secrets = [this.cfg.apiKey];
    const blocks = new Map<number, BlockState>();
    const toolCalls: ToolCall[] = [];
    let text = '';
    const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0 };
    let stopReason = 'end_turn';
    try {
      const stream = await client.messages.create(
        {
          model: this.model,
          max_tokens: req.maxTokens,
          system: req.system,
          messages: req.messages as never,
          ...(req.tools.length ? { tools: req.tools as never, tool_choice: { type: req.toolChoice === 'none' ? 'none' : 'auto' } } : {}),
          stream: true,
        },
        { signal: guard.signal },
      );
      for await (const ev of stream) {
        guard.touch();
        switch (ev.type) {
          case 'message_start':
            usage.input_tokens = ev.message.usage.input_tokens ?? 0;
            usage.cache_read_tokens = ev.message.usage.cache_read_input_tokens ?? 0;
            usage.cache_creation_tokens = ev.message.usage.cache_creation_input_tokens ?? 0;
            break;
          case 'content_block_start': {
            const b = ev.content_block;
            if (b.type === 'text') {
              blocks.set(ev.index, { kind: 'text', json: '' });
              if (b.text) {
                text += b.text;
                yield { type: 'text_delta', text: b.text };
              }
            } else if (b.type === 'tool_use') {
              blocks.set(ev.index, { kind: 'tool_use', id: b.id, name: b.name, json: '' });
              yield { type: 'tool_use_start', id: b.id, name: b.name };
            } else blocks.set(ev.index, { kind: 'other', json: '' });
            break;
          }
          case 'content_block_delta': {
            const st = blocks.get(ev.index);
            if (ev.delta.type === 'text_delta') {
              text += ev.delta.text;
              yield { type: 'text_delta', text: ev.delta.text };
            } else if (ev.delta.type === 'input_json_delta' && st?.kind === 'tool_use') {
              st.json += ev.delta.partial_json;
              yield { type: 'tool_use_delta', id: st.id!, json: ev.delta.partial_json };
            }
            break;
          }
          case 'content_block_stop': {
            const st = blocks.get(ev.index);
            if (st?.kind === 'tool_use') {
              const parsed = parseToolInput(st.json);
              toolCalls.push({ id: st.id!, name: st.name!, input: parsed.input, ...(parsed.error ? { parseError: parsed.error } : {}) });
              yield { type: 'tool_use_end', id: st.id! };
            }
            break;
          }
          case 'message_delta':
            if (ev.delta.stop_reason) stopReason = ev.delta.stop_reason;
            usage.output_tokens = ev.usage.output_tokens ?? usage.output_tokens;
            break;
          default:
            break;
        }
      }
      // The SDKs end a stream quietly when its signal aborts: that is a cancel or an idle timeout, not a finish.
      if (guard.signal.aborted) throw new LlmError('aborted', 'Request aborted');
    } catch (err) {
      throw classifyLlmError(guard.explain(err), secrets);
    } finally {
      guard.dispose();
    }
    const response: LlmResponse = { text, toolCalls, usage, stopReason };
    yield { type: 'complete', response };
  }
}
