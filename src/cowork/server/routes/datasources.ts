import { z } from 'zod';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import { DataVault } from '../../../core/vault/vault.js';
import { badRequest, notFound } from '../errors.js';
import { connectors, methodOf, secretFields } from '../services/connectors.js';
import { canProbe, runProbe } from '../services/probes.js';
import { credentialsFor, mustConnector } from './connectors.js';
import { routeGroup } from './types.js';
import { GOOGLE_ENGINES, revokeGoogle } from '../services/google-oauth.js';
import { recordTombstone } from '../services/import-ledger.js';

const EngineName = z.object({ engine: z.string(), name: z.string() });
const Body = z.object({
  engine: z.string(),
  name: z.string().max(200).default(''),
  authMethod: z.string().nullish(),
  credentials: z.record(z.string(), z.unknown()).default({}),
  /** Our addition: actually connect (the reference only checked the shape: liveTest "not_run"). */
  live: z.boolean().default(false),
});

export const datasourceRoutes = routeGroup((app, ctx) => {
  const engineOf = (engine: string) => {
    const c = connectors().get(engine);
    if (!c) throw badRequest(`Unknown datasource engine: ${engine}`);
    return c;
  };

  app.get('/v1/datasources', { schema: { tags: ['datasources'] } }, async () => {
    const cfg = getConfigStatus(ctx.env);
    return {
      connections: ctx.vault.list().map((r) => {
        const c = connectors().get(r.engine);
        return { engine: r.engine, name: r.name, displayName: c ? `${c.label} — ${r.name}` : r.name, testAvailable: !!c && canProbe(methodOf(c, r.fields._method)?.probe) };
      }),
      engines: [...connectors().values()].map((c) => ({
        engine: c.id,
        displayName: c.label,
        popular: !!c.featured,
        custom: false,
        testAvailable: (c.form.methods ?? []).some((m) => canProbe(m.probe)),
        nameFrom: '',
        authMethodMode: (c.form.methods ?? []).length > 1 ? 'choice' : '',
        fields: (methodOf(c)?.fields ?? []).map((f) => ({ name: f.name, required: !!f.required, secret: !!(f.secret || f.type === 'password'), description: f.label, default: f.default ?? '' })),
        authMethods: (c.form.methods ?? []).map((m) => ({ name: m.id, display: m.label, fields: m.fields.map((f) => ({ name: f.name, required: !!f.required, secret: !!(f.secret || f.type === 'password'), description: f.label, default: f.default ?? '' })) })),
      })),
      configReady: cfg.config_ready,
      configError: cfg.config_error,
    };
  });

  app.get('/v1/datasources/:engine/:name', { schema: { tags: ['datasources'], params: EngineName } }, async (req) => {
    const r = ctx.vault.get(req.params.engine, req.params.name);
    if (!r) throw notFound('Datasource connection not found');
    return { engine: r.engine, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at, secureKeys: r.secure_keys, fields: DataVault.masked(r) };
  });

  app.post('/v1/datasources/validate', { schema: { tags: ['datasources'], body: Body } }, async (req) => {
    const b = req.body;
    const c = engineOf(b.engine);
    const method = methodOf(c, b.authMethod);
    if (b.authMethod && !method) throw badRequest(`Unknown auth method for ${b.engine}: ${b.authMethod}`);
    const given = Object.keys(b.credentials).length ? b.credentials : b.name ? (ctx.vault.get(c.id, b.name)?.fields ?? {}) : {};
    let missing: string[] = [];
    let values: Record<string, string> = {};
    try {
      values = credentialsFor(ctx, c, method, b.name, given);
    } catch (e) {
      missing = String((e as Error).message).replace('Missing required fields: ', '').split(', ');
    }
    const probe = method?.probe;
    const live = b.live && !missing.length && canProbe(probe) ? await runProbe(probe!, values) : null;
    return {
      status: missing.length ? 'missing_fields' : live && !live.ok ? 'failed' : 'ok',
      engine: c.id,
      displayName: c.label,
      authMethod: method?.id ?? null,
      authDisplay: method?.label ?? '',
      fields: (method?.fields ?? []).map((f) => f.name),
      missingFields: missing,
      testAvailable: canProbe(probe),
      liveTest: live ? (live.ok ? 'ok' : 'failed') : 'not_run',
      message: missing.length ? `Missing required fields: ${missing.join(', ')}` : (live?.message ?? 'Looks complete.'),
      ...(live?.field ? { field: live.field } : {}),
    };
  });

  app.post('/v1/datasources', { schema: { tags: ['datasources'], body: Body } }, async (req) => {
    const b = req.body;
    if (!b.engine.trim()) throw badRequest('Datasource engine is required');
    const c = mustConnector(b.engine);
    const method = methodOf(c, b.authMethod);
    const name = b.name.trim() || `${c.id}-${ctx.vault.list().filter((r) => r.engine === c.id).length + 1}`;
    const values = credentialsFor(ctx, c, method, name, b.credentials);
    if (!Object.keys(values).length) throw badRequest('At least one credential value is required');
    ctx.vault.save(c.id, name, { ...values, _method: method?.id ?? '', _connector_id: c.id }, secretFields(method));
    return { status: 'ok', slug: `${c.id}-${name}`, engine: c.id, name };
  });

  app.delete('/v1/datasources/:engine/:name', { schema: { tags: ['datasources'], params: EngineName } }, async (req) => {
    const rec = ctx.vault.get(req.params.engine, req.params.name);
    if (!rec) throw notFound('Datasource connection not found');
    if (GOOGLE_ENGINES.includes(rec.engine)) await revokeGoogle(ctx, rec.fields);
    ctx.vault.delete(req.params.engine, req.params.name);
    recordTombstone(ctx.db, 'connection', `${rec.engine}/${rec.name}`); // an imported connection stays deleted
    return { status: 'ok', deleted: { engine: req.params.engine, name: req.params.name } };
  });
});
