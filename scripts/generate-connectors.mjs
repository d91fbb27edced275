// Writes connectors/<id>.json, the connector catalogue shipped as package data. Run: node scripts/generate-connectors.mjs
// `--check` writes nothing and fails when connectors/ differs from what the sources produce (hand edits, stale output).
//
// Inputs (scripts/connector-data/):
//   facts.json        facts of every reference connector: ids, labels, categories, brand colour and icon, aliases,
//                     method ids, field names/types/required/secret/defaults/options, OAuth endpoints, docs links
//   extras.mjs        our connectors and methods beyond the reference
//   descriptions.mjs  our one-line description per connector
//   fields.mjs        our field labels, descriptions and placeholders
//   where.mjs         where each product issues its credential (for the how-to)
//   probes.mjs        the live probe of each method
// Every text in the output is ours; only facts come from the reference.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DESCRIPTIONS } from './connector-data/descriptions.mjs';
import { EXTRA_CONNECTORS, EXTRA_METHODS, EXTRA_FIELDS } from './connector-data/extras.mjs';
import { FIELD_TEXT, fallbackText, humanize } from './connector-data/fields.mjs';
import { PROBES } from './connector-data/probes.mjs';
import { WHERE } from './connector-data/where.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const facts = JSON.parse(readFileSync(join(ROOT, 'scripts/connector-data/facts.json'), 'utf8'));
const OUR_ALIASES = {
  postgres: ['postgresql', 'psql'],
  gmail: ['google mail', 'googlemail', 'g-mail'],
  mssql: ['sql server', 'sqlserver', 'tsql'],
  elasticsearch: ['opensearch', 'elastic'],
  redis: ['valkey', 'redis cache'],
  google_drive: ['gdrive', 'google docs', 'google sheets'],
};
const FEATURED = new Set(['bigquery', 'gmail', 'google_calendar', 'google_drive', 'hubspot', 'linear', 'mysql', 'notion', 'postgres', 'salesforce', 'slack', 'snowflake']);

// ── method labels and descriptions ──
const METHOD_LABEL = {
  'api-key': 'API key', 'api-token': 'API token', 'access-token': 'Access token', 'personal-access-token': 'Personal access token',
  'personal-api-key': 'Personal API key', 'personal-api-token': 'Personal API token', 'connection-string': 'Connection string',
  'host-port': 'Host and port', 'host-password': 'Host and password', 'service-account': 'Service account key', 'username-password': 'Username and password',
  'basic-auth': 'Username and password', 'bearer-token': 'Bearer token', 'no-auth': 'No authentication', 'url-no-auth': 'URL only (no authentication)',
  'self-hosted': 'Self-hosted', 'sql-auth': 'SQL login', 'windows-auth': 'Windows (NTLM) login', 'azure-ad-password': 'Microsoft Entra password',
  'service-principal': 'Service principal', 'service-principal-secret': 'Service principal (client secret)', 'iam-auth': 'IAM database authentication',
  'direct-connection': 'Direct connection', 'access-key': 'Access key', 'sts-temporary-credentials': 'Temporary STS credentials',
  'bot-token': 'Bot token', 'app-password': 'App password', 'imap-app-password': 'IMAP app password', 'client-credentials': 'Client credentials',
  'fine-grained-pat': 'Fine-grained personal access token', 'classic-pat': 'Classic personal access token', 'private-app': 'Private app token',
  'restricted-key': 'Restricted API key', 'secret-key': 'Secret API key', 'key-pair': 'Key-pair (JWT)', file: 'Database file',
  'browser_oauth_builtin': 'Sign in with Google (built in)', 'cluster-credentials': 'Cluster credentials', 'database-url': 'DATABASE_URL',
  'tns-connection-string': 'TNS descriptor', 'service-name': 'Service name', sid: 'SID', 'user-password': 'User and password',
  'rest-api': 'REST API (URL and token)', 'redis-connection-string': 'Redis connection string', manual: 'Host, port and password',
  'auth-proxy': 'Cloud SQL Auth Proxy', 'cloud-sql-auth-proxy': 'Cloud SQL Auth Proxy', 'private-ip': 'Private IP',
};
function methodLabel(m, L) {
  if (m.submit_action === 'oauth_launch') return m.id === 'oauth-byok' || m.id === 'oauth-client' ? `Sign in with ${L} (your own OAuth app)` : `Sign in with ${L}`;
  return METHOD_LABEL[m.id] ?? humanize(m.id);
}
function methodKind(m) {
  if (m.id === 'browser_oauth_builtin') return 'builtin';
  if (m.submit_action === 'oauth_launch') return 'oauth';
  const names = m.fields.map((f) => f.name);
  if (names.includes('service_account_json')) return 'service-account';
  if (names.some((n) => /^(connection_string|connection_uri|connection_url|database_url|tns_connection_string)$/.test(n))) return 'uri';
  if (names.includes('host') || names.includes('contact_points') || names.includes('path')) return 'server';
  if (!m.fields.some((f) => f.secret)) return 'open';
  return 'token';
}
function methodDescription(m, L, kind, secretLabels) {
  switch (kind) {
    case 'builtin': return `Anton opens Google's consent page itself; nothing to paste.`;
    case 'oauth': return `Approve access in your browser with an OAuth app you register with ${L}; Anton keeps the resulting tokens in its encrypted vault.`;
    case 'service-account': return `Use a Google Cloud service account's JSON key: best for unattended, read-only access.`;
    case 'uri': return `Paste one connection string that already contains host, credentials and options.`;
    case 'server': return `Enter the server address and credentials field by field.`;
    case 'open': return `Point Anton at the endpoint; no secret is needed.`;
    default: return `Paste your ${secretLabels.join(' and ') || 'credentials'} from ${L}.`;
  }
}

// ── how-to texts ──
const possessive = (L) => (/s$/.test(L) ? `${L}'` : `${L}'s`);
/** Where OAuth apps are registered, by the provider's authorization host. */
function oauthConsole(m, L) {
  const host = m.oauth ? new URL(m.oauth.auth_url).host : '';
  if (/google\.com$/.test(host)) return 'the Google Cloud console (APIs & Services → Credentials → Create credentials → OAuth client ID, type "Desktop app"; enable the API first)';
  if (/microsoftonline\.com$/.test(host)) return 'the Microsoft Entra admin center (App registrations → New registration → Certificates & secrets)';
  if (/atlassian\.com$/.test(host)) return 'the Atlassian developer console (developer.atlassian.com → Create → OAuth 2.0 integration)';
  return `${possessive(L)} developer settings`;
}
function howTo(c, m, kind, fields, probe) {
  const L = c.label;
  const lines = [`## ${methodLabel(m, L)}`, ''];
  const w = WHERE[c.id];
  const where = w && typeof w === 'object' ? (w[m.id] ?? w.default) : w;
  const req = fields.filter((f) => f.required);
  const opt = fields.filter((f) => !f.required);
  if (kind === 'builtin') {
    lines.push(`Click the button and pick your Google account. Anton runs the sign-in itself (the server must have a Google OAuth client configured: GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET) and refreshes the token in the background.`);
  } else if (kind === 'oauth') {
    lines.push(
      `1. Register an OAuth application in ${oauthConsole(m, L)}.`,
      `2. Add \`http://127.0.0.1\` (any port) as an allowed redirect URI: the desktop app receives the code on a loopback address.`,
      m.oauth?.scopes?.length ? `3. Allow these scopes: ${m.oauth.scopes.map((s) => `\`${s}\``).join(', ')}.` : `3. Allow read access to the data you want Anton to use.`,
      `4. Copy the client ID and client secret into the form and submit; your browser opens ${possessive(L)} consent page.`,
    );
  } else if (kind === 'service-account') {
    lines.push(
      `1. In the Google Cloud console open **IAM & Admin → Service accounts** and create an account for Anton (or pick one).`,
      `2. Grant it read-only roles for ${L}${c.id.startsWith('google_') || c.id === 'gmail' ? ' (or share the data with its email address)' : ''}.`,
      `3. Under **Keys → Add key → Create new key → JSON**, download the key file and paste its whole content.`,
    );
    if (fields.some((f) => f.name === 'impersonate_email')) lines.push(`4. For Workspace data, enable domain-wide delegation for the account and name the user to act for.`);
  } else if (kind === 'uri') {
    lines.push(`1. Copy the connection string from ${where ?? `your ${L} console or your team's configuration`}.`, `2. Paste it as is; special characters in the password must be URL-encoded (\`@\` → \`%40\`).`);
  } else if (kind === 'server') {
    lines.push(`1. Find the host name and port${where ? ` (${where})` : ` in your ${L} console or from your database administrator`}.`, `2. Use a dedicated read-only user when you can.`, `3. Make sure this computer can reach the server (VPN, firewall or IP allow-list).`);
  } else if (kind === 'open') {
    lines.push(`Enter the address of your ${L} endpoint. Anton sends requests to it directly from this computer.`);
  } else {
    lines.push(`1. In ${L}, open ${where ?? 'the API or developer section of your account settings'}.`, `2. Create a credential for Anton; read-only access is enough for analysis.`, `3. Copy it right away (many services show it only once) and paste it below.`);
  }
  if (NOTES[c.id] && kind !== 'oauth' && kind !== 'builtin') lines.push('', NOTES[c.id]);
  if (req.length) lines.push('', '**Required:** ' + req.map((f) => `${f.label}`).join(', ') + '.');
  if (opt.length) lines.push('**Optional:** ' + opt.map((f) => `${f.label}${f.default !== undefined && f.default !== '' ? ` (default \`${f.default}\`)` : ''}`).join(', ') + '.');
  lines.push('', probe ? `**Test connection** ${probeSummary(probe, L)}` : `Anton has no live test for this method; it saves the values as entered.`);
  lines.push(`Secrets are kept in Anton's encrypted vault on this computer and are never shown to the model.`);
  if (m.help_url) lines.push('', `More: [${L} documentation](${m.help_url})`);
  return lines.join('\n');
}
/** A connector-specific remark for its credential methods (our words). */
const NOTES = {
  postgres: 'SSL mode follows libpq: `disable`, `prefer` (try TLS, fall back to plaintext), `require` (TLS without checking the certificate), `verify-ca` and `verify-full` (check it against the root certificate, or the system\'s trusted CAs). Without a mode, "Use TLS" means `require`.',
  redshift: 'Redshift listens on port 5439, not PostgreSQL\'s 5432. The host is the cluster or workgroup endpoint without `:5439/dev`.',
  cockroachdb: 'CockroachDB listens on 26257. CockroachDB Cloud requires TLS; `verify-full` works with its publicly trusted certificate.',
  neon: 'Neon requires TLS; the connection string already carries `sslmode=require`.',
  supabase: 'Use the session pooler host (port 5432) or the direct connection; both require TLS.',
  planetscale: 'PlanetScale only accepts TLS connections, verified against the system\'s trusted CAs.',
  snowflake: 'The account identifier is `<org>-<account>` (or the account locator with its region), as in the address `https://<identifier>.snowflakecomputing.com`.',
  bigquery: 'Give the service account BigQuery Data Viewer and BigQuery Job User on the project.',
  mssql: 'Encryption is on by default; switch on "Trust server certificate" only for a server with a self-signed certificate that you control.',
  oracle: 'Anton connects in thin mode: no Oracle Instant Client is needed.',
  mongodb: 'Atlas shows a `mongodb+srv://` string under Connect → Drivers.',
  redis: 'Use `rediss://` (two s) for TLS. Managed Redis services usually need it.',
  cassandra: 'Contact points are a comma-separated list of node addresses; the driver discovers the rest of the ring.',
  influxdb: 'The token needs read access to the bucket; organization and bucket are names from the InfluxDB UI.',
  sage_intacct: 'Web Services calls need both the sender credentials (from the Web Services subscription) and a company user; the sender ID must be authorised in Company → Security.',
};
function probeSummary(p, L) {
  switch (p.type) {
    case 'postgres': case 'mysql': case 'mssql': case 'oracle': case 'mongodb': case 'redis': case 'snowflake':
      return `signs in to the server and runs a trivial query.`;
    case 'sqlite': return 'opens the file read-only and counts its tables.';
    case 'aws-sts': return 'asks AWS STS who these keys belong to (GetCallerIdentity).';
    case 'azure-client-credentials': return 'requests a token for the app from Microsoft Entra ID.';
    case 'google-service-account': return 'exchanges the key for a Google access token and makes one read call.';
    case 'imap': return 'signs in to the mail server over IMAPS.';
    case 'cassandra': case 'neo4j': return 'signs in to the database and runs a trivial query.';
    default: return `makes one authenticated read call to the ${L} API.`;
  }
}

// ── fields ──
function fieldOut(f, c) {
  const [label, desc, placeholder] = FIELD_TEXT[f.name] ?? fallbackText(f.name, c.label);
  const domain = (c.domain ?? '').trim();
  const out = {
    name: f.name,
    label,
    type: f.type,
    required: !!f.required,
    ...(f.secret ? { secret: true } : {}),
    description: desc.replaceAll('{L}', c.label).replace('{domain}', domain || `${c.id.replace(/_/g, '')}.com`),
  };
  if (f.default !== undefined) out.default = f.default;
  const ph = f.type === 'boolean' || f.type === 'select' ? undefined : f.default !== undefined && f.default !== '' ? f.default : placeholder;
  if (ph !== undefined) out.placeholder = ph;
  if (f.options) out.options = f.options.map((v) => ({ value: v, label: optionLabel(v) }));
  return out;
}
const optionLabel = (v) => (/^[a-z]+$/.test(v) && v.length > 3 ? v[0].toUpperCase() + v.slice(1) : v);

// ── assemble ──
// An extra connector may borrow the methods of a reference one (`methods: 'postgres'`).
const borrow = (c) => (typeof c.methods === 'string' ? { ...c, methods: facts.find((x) => x.id === c.methods).methods, borrowed: c.methods } : c);
const all = [...facts, ...EXTRA_CONNECTORS.map(borrow)].map((c) => ({ ...c, methods: [...c.methods, ...(EXTRA_METHODS[c.id] ?? [])] }));
const missing = all.filter((c) => !DESCRIPTIONS[c.id]).map((c) => c.id);
if (missing.length) throw new Error(`no description for ${missing.join(', ')}`);
for (const [id, ms] of Object.entries(PROBES)) {
  const c = all.find((x) => x.id === id);
  if (!c) throw new Error(`probe for unknown connector ${id}`);
  for (const [mid, probe] of Object.entries(ms)) {
    const m = c.methods.find((x) => x.id === mid);
    if (!m) throw new Error(`probe for unknown method ${id}/${mid}`);
    // Every {{name}} of a declarative probe must be a field of its method or a derived value.
    const known = new Set([...m.fields.map((f) => f.name), ...(EXTRA_FIELDS[`${id}/${mid}`] ?? []).map((f) => f.name), ...Object.keys(probe.vars ?? {})]);
    const used = [...JSON.stringify({ ...probe, vars: Object.values(probe.vars ?? {}).map((x) => x.else ?? '') }).matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]);
    const unknown = used.filter((n) => !known.has(n));
    if (unknown.length) throw new Error(`probe ${id}/${mid} uses unknown fields: ${unknown.join(', ')}`);
    for (const v of Object.values(probe.vars ?? {})) if (!known.has(v.from)) throw new Error(`probe ${id}/${mid} derives from unknown field ${v.from}`);
  }
}

const CHECK = process.argv.includes('--check');
const out = new Map();
let probed = 0;
for (const c of all) {
  const desc = DESCRIPTIONS[c.id];
  const methods = c.methods.map((m) => {
    const extraFields = EXTRA_FIELDS[`${c.borrowed ?? c.id}/${m.id}`] ?? [];
    const fields = [...m.fields, ...extraFields].map((f) => fieldOut(f, c));
    const kind = methodKind(m);
    const probe = PROBES[c.id]?.[m.id] ?? (c.borrowed ? PROBES[c.borrowed]?.[m.id] : undefined);
    const secretLabels = fields.filter((f) => f.secret && f.required).map((f) => f.label.toLowerCase());
    return {
      id: m.id,
      label: methodLabel(m, c.label),
      description: methodDescription(m, c.label, kind, secretLabels),
      recommended: !!m.recommended,
      ...(m.hidden ? { hidden: true } : {}),
      ...(m.submit_action ? { submit_action: m.submit_action } : {}),
      ...(m.oauth ? { oauth: m.oauth } : {}),
      fields,
      ...(probe ? { probe } : {}),
      ...(m.help_url ? { help_url: m.help_url } : {}),
      how_to: howTo(c, m, kind, fields, probe),
    };
  });
  if (methods.some((m) => m.probe)) probed++;
  if (!methods.some((m) => m.recommended)) (methods.find((m) => !m.hidden) ?? methods[0]).recommended = true;
  const aliases = [...new Set([...(OUR_ALIASES[c.id] ?? []), ...(c.aliases ?? [])].map((a) => a.toLowerCase()))];
  // The client resolves logo_url against the logos it ships; null lets it fall back to the icon and colour.
  const logoUrl = c.logo_url ?? null;
  const spec = {
    id: c.id,
    label: c.label,
    aliases,
    keywords: c.keywords ?? [],
    description: desc,
    category: c.category,
    logo: c.icon,
    logo_color: c.color,
    logo_url: logoUrl,
    featured: FEATURED.has(c.id),
    form: {
      form_id: `${c.id.replace(/_/g, '-')}-connector`,
      ...(c.engine ? { engine: c.engine } : {}),
      title: `Connect ${c.label}`,
      subtitle: desc,
      logo: c.icon,
      logo_color: c.color,
      logo_url: logoUrl,
      methods,
    },
  };
  out.set(`${c.id}.json`, JSON.stringify(spec, null, 2) + '\n');
}
if (CHECK) {
  const dir = join(ROOT, 'connectors');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const stale = [...files.filter((f) => out.get(f) !== readFileSync(join(dir, f), 'utf8')), ...[...out.keys()].filter((f) => !files.includes(f))];
  if (stale.length) {
    console.error(`connectors/ is out of date (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? '…' : ''}); run node scripts/generate-connectors.mjs`);
    process.exit(1);
  }
  console.log(`connectors/ matches its sources (${out.size} connectors)`);
} else {
  rmSync(join(ROOT, 'connectors'), { recursive: true, force: true });
  mkdirSync(join(ROOT, 'connectors'));
  for (const [f, text] of out) writeFileSync(join(ROOT, 'connectors', f), text);
  console.log(`wrote ${out.size} connectors, ${probed} with a live probe`);
}
