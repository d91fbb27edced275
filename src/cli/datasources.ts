import { VAULT_KEEP, type VaultRecord } from '../core/vault/vault.js';
import { removeConnection, saveConnection, testStoredConnection, type ConnectionDeps } from '../cowork/server/services/connections.js';
import { connectors, matchConnectors, methodOf, type Connector, type ConnectorField } from '../cowork/server/services/connectors.js';
import { canProbe, runProbe } from '../cowork/server/services/probes.js';
import { credentialsFor } from '../cowork/server/services/connections.js';
import { CliError, isUserError } from './session.js';
import { fit, type Term } from './ui/theme.js';

/** What this module needs of the server's context (and nothing more). */
export type ConnectionCliDeps = ConnectionDeps;

/** `engine/name`, or a name that only one connection has. */
export function findConnection(ctx: ConnectionCliDeps, which: string): VaultRecord {
  const all = ctx.vault.list();
  const [engine, name] = which.includes('/') ? which.split('/', 2) : [null, which];
  const hits = all.filter((r) => r.name === name && (!engine || r.engine === engine));
  if (hits.length === 1) return hits[0];
  if (!hits.length) throw new CliError(`No connection ${which}. \`anton list\` shows them.`);
  throw new CliError(`Several connections are named ${name}: ${hits.map((r) => `${r.engine}/${r.name}`).join(', ')}. Say which one as engine/name.`);
}

export function listConnections(term: Term, ctx: ConnectionCliDeps): void {
  const { c } = term;
  const all = ctx.vault.list();
  if (!all.length) {
    term.out.write('No data sources connected yet. `anton connect` (or /connect in the chat) adds one.\n');
    return;
  }
  for (const r of all) {
    const conn = connectors().get(r.engine);
    const testable = !!conn && canProbe(methodOf(conn, r.fields._method)?.probe);
    term.out.write(fit(`${c.cyan(`${r.engine}/${r.name}`)}  ${conn?.label ?? r.engine}${testable ? '' : c.dim('  (no live test)')}  ${c.dim(`updated ${r.updated_at.slice(0, 10)}`)}`, term.width + 40) + '\n');
  }
}

/** Live-test one connection, or all of them; returns false when any failed. */
export async function testConnections(term: Term, ctx: ConnectionCliDeps, which?: string): Promise<boolean> {
  const { c } = term;
  const records = which ? [findConnection(ctx, which)] : ctx.vault.list();
  if (!records.length) {
    term.out.write('No data sources connected yet.\n');
    return true;
  }
  let ok = true;
  for (const r of records) {
    const res = await testStoredConnection(connectors().get(r.engine), r);
    const label = `${r.engine}/${r.name}`;
    if (!res) term.out.write(`${c.dim('–')} ${label}: ${c.dim('no live test for this connector')}\n`);
    else if (res.ok) term.out.write(`${c.green('✓')} ${label}: ${res.message}\n`);
    else {
      ok = false;
      term.out.write(`${c.red('✗')} ${label}: ${res.message}${res.field ? c.dim(` (field ${res.field})`) : ''}\n`);
    }
  }
  return ok;
}

export async function removeConnectionCommand(term: Term, ctx: ConnectionCliDeps, which: string, yes: boolean): Promise<boolean> {
  const r = findConnection(ctx, which);
  if (!yes) {
    if (!process.stdin.isTTY) throw new CliError('Add --yes to remove without a question.');
    const p = await import('@clack/prompts');
    const sure = await p.confirm({ message: `Remove ${r.engine}/${r.name} and its stored credentials?`, initialValue: false });
    if (p.isCancel(sure) || !sure) return false;
  }
  await removeConnection(ctx, r.engine, r.name);
  term.out.write(`Removed ${r.engine}/${r.name}.\n`);
  return true;
}

function httpMessage(err: unknown): never {
  if (isUserError(err)) throw new CliError(err.message);
  throw err;
}

/**
 * `anton connect [engine]` / `anton edit <connection>`: the connector catalogue's form as prompts (method, then its
 * fields; secrets hidden), a live test with the connector's probe when it has one, then the vault (the same save as
 * POST /v1/connectors/{id}/save). Editing leaves a secret unchanged when its answer is empty.
 */
export async function connectInteractive(term: Term, ctx: ConnectionCliDeps, opts: { engine?: string; edit?: string }): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('This needs an interactive terminal (or use the Cowork app).');
  const p = await import('@clack/prompts');
  const cancelled = (v: unknown): v is symbol => {
    if (p.isCancel(v)) {
      p.cancel('Nothing was saved.');
      return true;
    }
    return false;
  };
  const existing = opts.edit ? findConnection(ctx, opts.edit) : null;
  let conn: Connector | undefined;
  if (existing) conn = connectors().get(existing.engine);
  else if (opts.engine) {
    conn = connectors().get(opts.engine);
    if (!conn) {
      const m = matchConnectors(opts.engine, 5);
      if (m.candidates.length === 1) conn = connectors().get(m.candidates[0].id);
      else if (m.candidates.length) {
        const v = await p.select({ message: `Which one did you mean by “${opts.engine}”?`, options: m.candidates.map((x) => ({ value: x.id, label: connectors().get(x.id)?.label ?? x.id })) });
        if (cancelled(v)) return false;
        conn = connectors().get(v);
      }
    }
  } else {
    const all = [...connectors().values()].sort((a, b) => Number(!!b.featured) - Number(!!a.featured) || a.label.localeCompare(b.label));
    const v = await p.autocomplete({ message: 'Which data source? (type to search)', options: all.map((x) => ({ value: x.id, label: x.label, hint: x.category })), maxItems: 8 });
    if (cancelled(v)) return false;
    conn = connectors().get(v as string);
  }
  if (!conn) throw new CliError(`No connector matches ${opts.engine ?? existing?.engine}. Try \`anton connect\` and search.`);
  p.intro(existing ? `Edit ${existing.engine}/${existing.name}` : `Connect ${conn.label}`);
  const methods = conn.form.methods ?? [];
  let methodId = existing?.fields._method || methods[0]?.id;
  if (!existing && methods.length > 1) {
    const v = await p.select({
      message: 'How do you sign in?',
      options: methods.map((m) => ({ value: m.id, label: m.label, hint: m.recommended ? 'recommended' : undefined })),
      initialValue: methods.find((m) => m.recommended)?.id ?? methods[0].id,
    });
    if (cancelled(v)) return false;
    methodId = v;
  }
  const method = methodOf(conn, methodId);
  if (method?.oauth) throw new CliError(`${conn.label} signs in through the browser: connect it from the Cowork app.`);
  if (method?.how_to) p.note(method.how_to, 'Where to find these');
  const values: Record<string, string> = {};
  for (const f of method?.fields ?? []) {
    const v = await askField(p, f, existing?.fields[f.name]);
    if (cancelled(v)) return false;
    values[f.name] = v;
  }
  let name = existing?.name ?? '';
  if (!existing) {
    const v = await p.text({ message: 'Name for this connection', placeholder: `${conn.id}-1`, defaultValue: `${conn.id}-${ctx.vault.list().filter((r) => r.engine === conn!.id).length + 1}` });
    if (cancelled(v)) return false;
    name = v.trim();
  }
  if (canProbe(method?.probe)) {
    const s = p.spinner();
    s.start('Testing the connection');
    let resolved: Record<string, string>;
    try {
      resolved = credentialsFor(ctx, conn, method, name, values);
    } catch (err) {
      s.error('Incomplete');
      return httpMessage(err);
    }
    const r = await runProbe(method!.probe!, resolved);
    if (r.ok) s.stop(r.message);
    else {
      s.error(`${r.message}${r.field ? ` (field ${r.field})` : ''}`);
      const save = await p.confirm({ message: 'Save it anyway?', initialValue: false });
      if (cancelled(save) || !save) return false;
    }
  }
  try {
    const saved = saveConnection(ctx, conn, method?.id, name, values);
    p.outro(`Saved ${saved.engine}/${saved.name}. The agent sees it as DS_* variables in its scratchpad.`);
  } catch (err) {
    httpMessage(err);
  }
  return true;
}

type Clack = typeof import('@clack/prompts');

function askField(p: Clack, f: ConnectorField, current: string | undefined): Promise<string | symbol> {
  const secret = !!(f.secret || f.type === 'password');
  const label = `${f.label || f.name}${f.required ? '' : ' (optional)'}`;
  if (f.type === 'select' && f.options?.length) {
    const options = [...(f.required ? [] : [{ value: '', label: '(not set)' }]), ...f.options.map((o) => ({ value: o.value, label: o.label }))];
    return p.select({ message: label, options, initialValue: current ?? f.default ?? options[0].value });
  }
  if (f.type === 'boolean') return p.confirm({ message: label, initialValue: (current ?? f.default) === 'true' }).then((v) => (typeof v === 'boolean' ? String(v) : v));
  if (secret) {
    return p
      .password({ message: current ? `${label} — leave empty to keep the saved one` : label, validate: (s) => (!current && f.required && !s ? 'Required' : undefined) })
      .then((v) => (typeof v === 'string' && !v && current ? VAULT_KEEP : v));
  }
  // Enter keeps the saved (or default) value; typing replaces it.
  const keep = current ?? f.default;
  return p.text({
    message: label,
    placeholder: keep || f.placeholder,
    defaultValue: keep,
    validate: (s) => (f.required && !(s ?? '').trim() && !keep ? 'Required' : undefined),
  });
}
