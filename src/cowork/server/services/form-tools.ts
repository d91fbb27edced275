import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { lazyToolInput, type ToolDef } from '../../../core/agent/tools.js';
import { connectors, matchConnectors, summary } from './connectors.js';
import { SubmissionStore } from './submissions.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const LOOKUP_CONNECTOR_INPUT = lazyToolInput(() => z.object({ id: z.string().optional(), query: z.string().optional() }));

const REQUEST_CREDENTIALS_INPUT = lazyToolInput(() => z.object({ spec: z.record(z.string(), z.unknown()).optional(), engine: z.string().optional(), title: z.string().optional() }));

const FETCH_SUBMISSION_INPUT = lazyToolInput(() => z.object({ submission_id: z.string() }));

const UPDATE_FORM_INPUT = lazyToolInput(() => z.object({ form_id: z.string(), fields: z.record(z.string(), z.unknown()).optional(), form_error: z.string().optional() }));

const WORKFLOW = `## Connecting data sources
To connect a data source: call lookup_connector first, then request_credentials with its form and echo the returned
\`data-vault-form\` block verbatim so the user can fill it in the side panel. Never ask for secrets in chat. After the user
submits, the server tests and saves the connection; call fetch_submission to learn the outcome. Saved connections reach your
scratchpad code as DS_<ENGINE>_<NAME>__<FIELD> environment variables; never print their values.`;

/** lookup_connector, request_credentials, fetch_submission, update_form (the reference's cowork tools). */
export function formTools(submissions: SubmissionStore): ToolDef[] {
  return [
    {
      name: 'lookup_connector',
      description: 'Find the connector (and its credential form) for a data source by id or by a natural-language name.',
      inputSchema: LOOKUP_CONNECTOR_INPUT(),
      prompt: WORKFLOW,
      handler: async (input) => {
        const id = typeof input.id === 'string' ? input.id : '';
        const query = typeof input.query === 'string' ? input.query : '';
        if (!id && !query) return { content: 'Give an "id" or a "query".', isError: true };
        const byId = id ? connectors().get(id) : undefined;
        const r = byId ? { stage: 'id', candidates: [{ id: byId.id, confidence: 1 }] } : matchConnectors(query || id);
        if (!r.candidates.length) return JSON.stringify({ id: null, match: 'none', message: 'No connector matches; ask the user which service they mean.', available_ids: [...connectors().keys()] });
        if (r.stage === 'scored-multi') {
          return JSON.stringify({ match: 'ambiguous', candidates: r.candidates.map((c) => ({ ...c, label: connectors().get(c.id)!.label, description: connectors().get(c.id)!.description })), message: 'Ask the user which one they mean.' });
        }
        const c = connectors().get(r.candidates[0].id)!;
        return JSON.stringify({
          ...summary(c),
          confidence: r.candidates[0].confidence,
          stage: r.stage,
          form: { ...c.form, _connector_id: c.id, engine: c.id },
          next_step: 'Call request_credentials with this form.',
        });
      },
    },
    {
      name: 'request_credentials',
      description: 'Show a credential form to the user in the side panel. Echo the returned data-vault-form block verbatim.',
      inputSchema: REQUEST_CREDENTIALS_INPUT(),
      handler: async (input) => {
        const spec = { ...((input.spec as Record<string, unknown>) ?? input) };
        if (!spec.engine && !spec._connector_id) return { content: 'The form needs an "engine" (use lookup_connector).', isError: true };
        spec.form_id ??= `fm_${randomBytes(5).toString('hex')}`;
        spec.title ??= 'Connect';
        if (!spec.fields && !spec.methods) spec.fields = [];
        return `Echo this block verbatim in your reply, then wait for the user to submit it:\n\n\`\`\`data-vault-form\n${JSON.stringify(spec, null, 2)}\n\`\`\``;
      },
    },
    {
      name: 'fetch_submission',
      description: 'Learn what happened to a submitted credential form (fields given, skipped, saved or failed). Values are never returned.',
      inputSchema: FETCH_SUBMISSION_INPUT(),
      handler: async (input) => {
        const id = String(input.submission_id ?? input.id ?? '');
        const s = submissions.get(id);
        return s ? JSON.stringify(SubmissionStore.public(s)) : `Submission ${id} was not found or has expired (24h).`;
      },
    },
    {
      name: 'update_form',
      description: 'Patch a credential form shown to the user (errors, warnings, help). Echo the returned block verbatim.',
      inputSchema: UPDATE_FORM_INPUT(),
      handler: async (input) => {
        const patch = { ...((input.patch as Record<string, unknown>) ?? input) };
        const fields = (patch.fields ?? {}) as Record<string, Record<string, unknown> | null>;
        // A patch may never carry credential values back into the form.
        patch.fields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([kk]) => kk !== 'value')) : v]));
        return `Echo this block verbatim:\n\n\`\`\`data-vault-form-patch\n${JSON.stringify(patch, null, 2)}\n\`\`\``;
      },
    },
  ];
}
