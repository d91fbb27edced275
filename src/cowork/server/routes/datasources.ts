import { z } from 'zod';
import { getConfigStatus } from '../../../core/settings/config-status.js';
import { DataVault } from '../../../core/vault/vault.js';
import { badRequest, notFound } from '../errors.js';
import { methodOf, secretFields, type ConnectorMethod } from '../services/connectors.js';
import { deriveName, engineFor, fieldPayload, registryEngines } from '../services/datasource-registry.js';
import { canProbe, runProbe } from '../services/probes.js';
import { MissingFieldsError } from '../../../core/errors.js';
import { credentialsFor } from '../services/connections.js';
import { routeGroup } from './types.js';
import { removeConnection } from '../services/connections.js';

const EngineName = z.object({ engine: z.string(), name: z.string() });
const Body = z.object({
  engine: z.string(),
  name: z.string().max(200).default(''),
  authMethod: z.string().nullish(),
  credentials: z.record(z.string(), z.unknown()).default({}),
  /** Our addition: actually connect (the reference only checked the shape: liveTest "not_run"). */
  live: z.boolean().default(false),
});

export const datasourceRoutes = routeGroup(['env', 'vault', 'db', 'kv', 'log'], (app, ctx) => {
  const engineOf = (engine: string) => {
    if (!engine.trim()) throw badRequest('Datasource engine is required');
    const e = engineFor(engine.trim());
    if (!e) throw badRequest(`Unknown datasource engine: ${engine}`);
    return e;
  };
  const methodFor = (methods: ConnectorMethod[], engine: string, authMethod: string | null | undefined) => {
    const m = methodOf({ form: { methods } } as never, authMethod);
    if (authMethod && !m) throw badRequest(`Unknown auth method for ${engine}: ${authMethod}`);
    return m;
  };

  app.get('/v1/datasources', { schema: { tags: ['datasources'] } }, async () => {
    const cfg = getConfigStatus(ctx.env);
    return {
      connections: ctx.vault.list().map((r) => {
        const e = engineFor(r.engine);
        return { engine: r.engine, name: r.name, displayName: e ? `${e.connector.label} — ${r.name}` : r.name, testAvailable: !!e && canProbe(methodOf(e.connector, r.fields._method)?.probe) };
      }),
      engines: registryEngines().map((e) => {
        const methods = (e.connector.form.methods ?? []).filter((m) => !m.hidden);
        const choice = methods.length > 1;
        return {
          engine: e.engine,
          displayName: e.connector.label,
          popular: e.popular,
          custom: false,
          testAvailable: methods.some((m) => canProbe(m.probe)),
          nameFrom: e.nameFrom,
          authMethodMode: choice ? 'choice' : '',
          fields: choice ? [] : (methods[0]?.fields ?? []).map(fieldPayload),
          authMethods: choice ? methods.map((m) => ({ name: m.id, display: m.label, fields: m.fields.map(fieldPayload) })) : [],
        };
      }),
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
    const e = engineOf(b.engine);
    const c = e.connector;
    const method = methodFor(c.form.methods ?? [], b.engine, b.authMethod);
    const given = Object.keys(b.credentials).length ? b.credentials : b.name ? (ctx.vault.get(e.engine, b.name)?.fields ?? {}) : {};
    let missing: string[] = [];
    let values: Record<string, string> = {};
    try {
      values = credentialsFor(ctx, c, method, b.name, given, e.engine);
    } catch (err) {
      if (!(err instanceof MissingFieldsError)) throw err;
      missing = err.fields;
    }
    const probe = method?.probe;
    const live = b.live && !missing.length && canProbe(probe) ? await runProbe(probe!, values) : null;
    return {
      status: missing.length ? 'missing_fields' : live && !live.ok ? 'failed' : 'ok',
      engine: e.engine,
      displayName: c.label,
      authMethod: method?.id ?? null,
      authDisplay: method?.label ?? '',
      fields: (method?.fields ?? []).map(fieldPayload),
      missingFields: missing,
      testAvailable: canProbe(probe),
      liveTest: live ? (live.ok ? 'ok' : 'failed') : 'not_run',
      message: missing.length ? `Missing required fields: ${missing.join(', ')}` : (live?.message ?? 'Looks complete.'),
      ...(live?.field ? { field: live.field } : {}),
    };
  });

  app.post('/v1/datasources', { schema: { tags: ['datasources'], body: Body } }, async (req) => {
    const b = req.body;
    const e = engineOf(b.engine);
    const c = e.connector;
    const method = methodFor(c.form.methods ?? [], b.engine, b.authMethod);
    // The name: given, else derived from the engine's nameFrom fields, else the next "<engine>-N".
    const draft = Object.fromEntries(Object.entries(b.credentials).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : String(v ?? '')]));
    const name = b.name.trim() || deriveName(e.nameFrom, draft) || `${e.engine}-${ctx.vault.list().filter((r) => r.engine === e.engine).length + 1}`;
    const values = credentialsFor(ctx, c, method, name, b.credentials, e.engine);
    if (!Object.keys(values).length) throw badRequest('At least one credential value is required');
    ctx.vault.save(e.engine, name, { ...values, _method: method?.id ?? '', _connector_id: c.id }, secretFields(method));
    return { status: 'ok', slug: `${e.engine}-${name}`, engine: e.engine, name };
  });

  app.delete('/v1/datasources/:engine/:name', { schema: { tags: ['datasources'], params: EngineName } }, async (req) => {
    await removeConnection(ctx, req.params.engine, req.params.name);
    return { status: 'ok', deleted: { engine: req.params.engine, name: req.params.name } };
  });
});
