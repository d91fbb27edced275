import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { appendMessage } from '../../../core/agent/history.js';
import { badRequest, notFound } from '../errors.js';
import { connectors, methodOf, secretFields } from '../services/connectors.js';
import { canProbe, runProbe } from '../services/probes.js';
import { openSse } from '../services/sse.js';
import { SubmissionStore } from '../services/submissions.js';
import type { ServerServices } from '../server-services.js';
import { routeGroup } from './types.js';
import type { DataVaultFailedFrame, DataVaultFramePayload } from '../schemas/frames.js';

const patchBlock = (patch: object) => `\n\n\`\`\`data-vault-form-patch\n${JSON.stringify(patch, null, 2)}\n\`\`\`\n\n`;

/**
 * Stage the values of a credential form, test them for real where the connector declares a probe, save them
 * in the encrypted vault, and report through the same SSE vocabulary as chat (form updates travel as
 * `data-vault-form-patch` blocks inside text deltas, as the client expects).
 */
export const datavaultRoutes = routeGroup(['conversations', 'log', 'submissions', 'vault'], (app, ctx) => {
  const store = ctx.submissions;

  app.post(
    '/v1/datavault/submissions',
    {
      schema: {
        tags: ['datavault'],
        body: z.object({
          form_id: z.string(),
          conversation_id: z.string().nullish(),
          values: z.record(z.string(), z.unknown()).default({}),
          skipped: z.array(z.string()).default([]),
          form_spec: z.record(z.string(), z.unknown()).nullish(),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (!b.form_id.trim()) throw badRequest('form_id is required');
      const values = Object.fromEntries(Object.entries(b.values).flatMap(([k, v]) => (v === null || v === undefined || String(v).trim() === '' || b.skipped.includes(k) ? [] : [[k, String(v).trim()]])));
      const conversationId = b.conversation_id && !b.conversation_id.startsWith('tmp-') ? b.conversation_id : null;
      const sub = store.stage({ form_id: b.form_id, conversation_id: conversationId, values, skipped: b.skipped, form_spec: b.form_spec ?? null });
      const sse = openSse(reply);
      let seq = 0;
      const frames: object[] = [];
      const emit = (payload: DataVaultFramePayload) => {
        const { type, ...rest } = payload;
        const frame = { type, sequence_number: ++seq, ...rest };
        frames.push(frame);
        sse.send(frame);
      };
      const respId = `resp-${randomBytes(6).toString('hex')}`;
      const itemId = `msg-${randomBytes(6).toString('hex')}`;
      let text = '';
      const say = (delta: string) => {
        text += delta;
        emit({ type: 'response.output_text.delta', item_id: itemId, delta });
      };
      const finish = (status: 'success' | 'failed' | 'needs_input' | 'retry') => emit({ type: 'response.completed', response: { id: respId, status } });
      try {
        emit({ type: 'response.created', response: { id: respId, model: 'datavault-agent', status: 'created' } });
        const spec = b.form_spec ?? {};
        const engine = String(spec._connector_id ?? spec.engine ?? '');
        const c = connectors().get(engine);
        if (!c) {
          say(`I don't know the connector "${engine || 'unknown'}", so nothing was saved.`);
          say(patchBlock({ form_id: b.form_id, form_error: 'Unknown connector.', _is_probing: false }));
          store.settle(sub.submission_id, 'failed', null);
          finish('failed');
        } else {
          const method = methodOf(c, (spec.selected_method as string) ?? (spec.auth_method as string) ?? null);
          const name = String(spec.name ?? spec.connection_name ?? '').trim() || `${c.id}-${ctx.vault.list().filter((r) => r.engine === c.id).length + 1}`;
          const missing = (method?.fields ?? []).filter((f) => f.required && !values[f.name] && !b.skipped.includes(f.name)).map((f) => f.name);
          if (missing.length) {
            say(`A few required fields are still empty: ${missing.join(', ')}.`);
            say(patchBlock({ form_id: b.form_id, form_error: 'Fill in the required fields.', fields: Object.fromEntries(missing.map((m) => [m, { error: 'Required' }])) }));
            store.settle(sub.submission_id, 'failed', null);
            finish('needs_input');
          } else {
            let ok = true;
            if (canProbe(method?.probe)) {
              say(`Trying to connect to **${c.label}**…`);
              say(patchBlock({ form_id: b.form_id, _is_probing: true, status_text: 'Testing the connection…', form_error: null }));
              const r = await runProbe(method!.probe!, values);
              ok = r.ok;
              if (!r.ok) {
                say(`\n\n${r.message}`);
                say(patchBlock({ form_id: b.form_id, _is_probing: false, _is_success: false, status_text: null, form_error: r.message, ...(r.field ? { fields: { [r.field]: { error: r.message } } } : {}) }));
                store.settle(sub.submission_id, 'failed', null);
                finish('retry');
              } else say(`\n\n${r.message}`);
            }
            if (ok) {
              ctx.vault.save(c.id, name, { ...values, _method: method?.id ?? '', _connector_id: c.id }, secretFields(method));
              const slug = `${c.id}-${name}`;
              store.settle(sub.submission_id, 'saved', slug);
              say(canProbe(method?.probe) ? `\n\nSaved as \`${slug}\`.` : `Saved as \`${slug}\` (no live test is available for ${c.label}).`);
              say(patchBlock({ form_id: b.form_id, title: `Connected — ${slug}`, subtitle: c.label, status_text: null, form_error: null, _is_probing: false, _is_success: true, actions: [{ id: 'dismiss', label: 'Close', kind: 'cancel' }] }));
              finish('success');
            }
          }
        }
      } catch (err) {
        ctx.log.error({ err }, 'datavault submission failed');
        store.settle(sub.submission_id, 'failed', null);
        const failed: DataVaultFailedFrame = { type: 'response.failed', error: 'Internal server error' };
        sse.send(failed);
      } finally {
        sse.end();
        // The outcome becomes part of the conversation, like any assistant message, with its frames.
        if (conversationId && ctx.conversations.get(conversationId) && text) recordInConversation(ctx, conversationId, text, frames);
      }
      return reply;
    },
  );

  app.get('/v1/datavault/submissions/:id', { schema: { tags: ['datavault'], params: z.object({ id: z.string() }) } }, async (req) => {
    const s = store.get(req.params.id);
    if (!s) throw notFound('Submission not found');
    return SubmissionStore.public(s);
  });
});

function recordInConversation(ctx: Pick<ServerServices, 'conversations'>, conversationId: string, text: string, frames: object[]): void {
  const turnId = ctx.conversations.startTurn(conversationId, Date.now());
  frames.forEach((f, i) => ctx.conversations.appendFrame(turnId, i + 1, f));
  const h = ctx.conversations.loadHistory(conversationId);
  const from = appendMessage(h, { role: 'assistant', content: text });
  if (from >= 0) ctx.conversations.saveHistory(conversationId, h, from, turnId);
  ctx.conversations.finishTurn(turnId, 'completed');
}
