import { z } from 'zod';
import { PROBE_TYPES } from './probes.js';

/** What every connectors/<id>.json must look like (checked over the whole catalogue in connectors.test.ts). */
const Field = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/),
    label: z.string().min(1),
    type: z.enum(['text', 'password', 'url', 'select', 'textarea', 'boolean']),
    required: z.boolean(),
    secret: z.literal(true).optional(),
    description: z.string().min(10),
    default: z.string().optional(),
    placeholder: z.string().optional(),
    options: z.array(z.object({ value: z.string(), label: z.string().min(1) })).min(1).optional(),
  })
  .strict()
  .refine((f) => f.type !== 'password' || f.secret, 'a password field must be secret')
  .refine((f) => (f.type === 'select') === !!f.options, 'select fields (and only they) have options')
  .refine((f) => f.type !== 'boolean' || f.default === undefined || ['true', 'false'].includes(f.default), 'a boolean default is the string "true" or "false"')
  .refine((f) => !f.options || f.default === undefined || f.options.some((o) => o.value === f.default), 'the default is one of the options');

const Probe = z.object({ type: z.enum(PROBE_TYPES) }).passthrough();
const HttpProbe = z.object({ type: z.literal('http'), method: z.enum(['GET', 'POST']), url: z.string().min(8), headers: z.record(z.string(), z.string()) }).passthrough();

const Method = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]+$/),
    label: z.string().min(1),
    description: z.string().min(10),
    recommended: z.boolean(),
    hidden: z.literal(true).optional(),
    submit_action: z.literal('oauth_launch').optional(),
    oauth: z
      .object({ auth_url: z.string().url().startsWith('https://'), token_url: z.string().url().startsWith('https://'), scopes: z.array(z.string()), extra_auth_params: z.record(z.string(), z.string()).optional() })
      .strict()
      .optional(),
    fields: z.array(Field),
    probe: Probe.optional(),
    help_url: z.string().url().startsWith('https://').optional(),
    how_to: z.string().min(80),
  })
  .strict()
  .refine((m) => !m.submit_action === !m.oauth, 'oauth_launch and oauth endpoints go together')
  .refine((m) => m.probe?.type !== 'http' || HttpProbe.safeParse(m.probe).success, 'an http probe has method, url and headers')
  .refine((m) => new Set(m.fields.map((f) => f.name)).size === m.fields.length, 'field names are unique');

const LOGO = /^#[0-9A-F]{6}$/;
export const ConnectorSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_]+$/),
    label: z.string().min(1),
    aliases: z.array(z.string().min(1)),
    keywords: z.array(z.string().min(1)),
    description: z.string().min(20),
    category: z.string().regex(/^[a-z-]+$/),
    logo: z.string().min(1),
    logo_color: z.string().regex(LOGO),
    logo_url: z.string().regex(/^logos\/[a-z0-9_]+\.svg$/).nullable(),
    featured: z.boolean(),
    form: z
      .object({
        form_id: z.string().regex(/^[a-z0-9-]+-connector$/),
        engine: z.string().optional(),
        title: z.string().min(1),
        subtitle: z.string().min(1),
        logo: z.string().min(1),
        logo_color: z.string().regex(LOGO),
        logo_url: z.string().nullable(),
        methods: z.array(Method).min(1),
      })
      .strict(),
  })
  .strict()
  .refine((c) => c.form.methods.filter((m) => m.recommended).length === 1, 'exactly one recommended method')
  .refine((c) => new Set(c.form.methods.map((m) => m.id)).size === c.form.methods.length, 'method ids are unique')
  .refine((c) => c.form.logo_color === c.logo_color && c.form.logo === c.logo && c.form.logo_url === c.logo_url, 'form and summary show the same logo');

type Spec = z.infer<typeof ConnectorSchema>;
type MethodSpec = Spec['form']['methods'][number];

/** Known default ports per connector, and the families they belong to. */
const DEFAULT_PORT: Record<string, string> = {
  redshift: '5439',
  cockroachdb: '26257',
  mssql: '1433',
  azure_sql: '1433',
  aws_rds_sqlserver: '1433',
  oracle: '1521',
  mongodb: '27017',
  redis: '6379',
};
const FAMILY_PORT: Record<string, string> = { postgres: '5432', mysql: '3306', mssql: '1433', oracle: '1521', redis: '6379' };

const names = (m: MethodSpec) => new Set(m.fields.map((f) => f.name));
const requiredNames = (m: MethodSpec) => new Set(m.fields.filter((f) => f.required).map((f) => f.name));
const hasAny = (set: Set<string>, ...n: string[]) => n.some((x) => set.has(x));

/**
 * Per-engine rules a schema cannot express: the right default port for the engine, and the essentials a form must
 * ask for (a server form needs host, database, user and password; Cassandra needs contact points and a keyspace…).
 */
export function engineRuleErrors(c: Spec): string[] {
  const errs: string[] = [];
  for (const m of c.form.methods) {
    const all = names(m);
    const req = requiredNames(m);
    const port = m.fields.find((f) => f.name === 'port');
    const family = m.probe?.type;
    const expected = DEFAULT_PORT[c.id] ?? (family && FAMILY_PORT[family]);
    if (port && expected && !/proxy/.test(m.id) && port.default !== expected) errs.push(`${c.id}/${m.id}: port default ${port.default ?? '(none)'} should be ${expected}`);
    const dbServer = (family === 'postgres' || family === 'mysql' || family === 'mssql') && all.has('host');
    if (dbServer) {
      for (const need of ['host', 'database']) if (!req.has(need)) errs.push(`${c.id}/${m.id}: ${need} must be required`);
      if (!hasAny(req, 'username', 'user', 'db_username') && !all.has('client_id')) errs.push(`${c.id}/${m.id}: a user must be required`);
      if (!req.has('password') && !all.has('client_secret')) errs.push(`${c.id}/${m.id}: password must be required`);
    }
    if (family === 'oracle' && !hasAny(req, 'service_name', 'sid', 'tns_connection_string')) errs.push(`${c.id}/${m.id}: an Oracle service name, SID or descriptor is required`);
    if (m.fields.some((f) => f.secret && !/password|secret|token|key|credential|connection|uri|url|json|pem|headers/i.test(f.name))) errs.push(`${c.id}/${m.id}: a secret field has a name the vault would not recognise`);
  }
  const methods = c.form.methods;
  const some = (pred: (m: MethodSpec) => boolean) => methods.some(pred);
  const rules: Record<string, [boolean, string]> = {
    cassandra: [some((m) => requiredNames(m).has('contact_points') && requiredNames(m).has('keyspace')), 'contact points and keyspace'],
    sage_intacct: [some((m) => ['sender_id', 'sender_password', 'company_id', 'user_id'].every((n) => requiredNames(m).has(n))), 'sender and company ids'],
    google_ads: [some((m) => requiredNames(m).has('developer_token') && names(m).has('login_customer_id')), 'developer token and customer id'],
    influxdb: [some((m) => requiredNames(m).has('organization') && requiredNames(m).has('bucket')), 'organization and bucket'],
    snowflake: [some((m) => requiredNames(m).has('account_identifier')), 'account identifier'],
    bigquery: [some((m) => requiredNames(m).has('project_id')), 'project id'],
    databricks: [some((m) => requiredNames(m).has('http_path')), 'HTTP path'],
  };
  const rule = rules[c.id];
  if (rule && !rule[0]) errs.push(`${c.id}: the form must ask for ${rule[1]}`);
  return errs;
}
