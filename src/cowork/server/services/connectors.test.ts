import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { connectors, matchConnectors } from './connectors.js';

const Field = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  type: z.enum(['text', 'password', 'url', 'select', 'textarea', 'boolean']),
  required: z.boolean(),
  secret: z.boolean().optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
});
const Method = z.object({
  id: z.string().regex(/^[a-z0-9_-]+$/),
  label: z.string().min(1),
  description: z.string(),
  recommended: z.boolean(),
  fields: z.array(Field),
  help_url: z.string().url().startsWith('https://'),
  how_to: z.string().min(20),
  submit_action: z.literal('oauth_launch').optional(),
  oauth: z.object({ auth_url: z.string().url().startsWith('https://'), token_url: z.string().url().startsWith('https://'), scopes: z.array(z.string()) }).optional(),
  probe: z.object({ type: z.enum(['postgres', 'mysql', 'sqlite', 'http']), method: z.string().optional(), url: z.string().optional(), headers: z.record(z.string(), z.string()).optional(), okField: z.string().optional() }).optional(),
});
const ConnectorSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  label: z.string().min(1),
  aliases: z.array(z.string()),
  keywords: z.array(z.string()),
  description: z.string().min(10),
  category: z.string().min(1),
  logo: z.string().min(1),
  logo_color: z.string().regex(/^#[0-9A-Fa-f]{6}$/),
  logo_url: z.string().startsWith('logos/'),
  featured: z.boolean(),
  form: z.object({ form_id: z.string(), title: z.string(), subtitle: z.string(), methods: z.array(Method).min(1) }).passthrough(),
});

test('the connector catalogue: at least 150, each valid, unique ids, known field types, https docs links', () => {
  const all = [...connectors().values()];
  assert.ok(all.length >= 150, `${all.length} connectors`);
  const errors = all.flatMap((c) => {
    const r = ConnectorSchema.safeParse(c);
    return r.success ? [] : [`${c.id}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`];
  });
  assert.deepEqual(errors, []);
  assert.equal(new Set(all.map((c) => c.id)).size, all.length);
  for (const c of all) {
    for (const m of c.form.methods) {
      assert.equal(new Set(m.fields.map((f) => f.name)).size, m.fields.length, `${c.id}/${m.id} duplicate field`);
      if (m.submit_action) assert.ok(m.oauth, `${c.id}/${m.id} launches OAuth without endpoints`);
    }
  }
  assert.ok(new Set(all.map((c) => c.category)).size >= 25, 'spread across the reference categories');
  assert.equal(all.filter((c) => c.featured).length, 12);
});

test('matching: exact ids and aliases, ranked natural-language lookups, no match', () => {
  assert.deepEqual(matchConnectors('postgresql'), { stage: 'exact', candidates: [{ id: 'postgres', confidence: 1 }] });
  assert.deepEqual(matchConnectors('Google Mail').candidates[0].id, 'gmail');
  assert.deepEqual(matchConnectors('pipedrive deals please'), { stage: 'scored-single', candidates: [{ id: 'pipedrive', confidence: 0.85 }] });
  const crm = matchConnectors('my crm', 3);
  assert.equal(crm.stage, 'scored-multi');
  assert.equal(crm.candidates.length, 3);
  assert.deepEqual(matchConnectors('zzzz qqqq'), { stage: 'no-match', candidates: [] });
});
