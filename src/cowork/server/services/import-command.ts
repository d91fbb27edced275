import { join } from 'node:path';
import { closeContext, createContext } from '../context.js';
import { ImportLedger } from './import-ledger.js';
import { summaryLine, type ImportReport } from './import-reconcile.js';
import { importInstall } from './importer.js';
import { removePlaintextCredentials } from './vault-import.js';

export const IMPORT_USAGE = `Usage: anton cowork-server import [--remove-plaintext-credentials] [--json]
  Reconcile an existing Anton (Python) install's data with this server: new items are imported, items changed
  there are updated, items deleted here stay deleted. The Python app's files are only read.
  --remove-plaintext-credentials  after the import, securely remove ~/.anton/data_vault/ files that are now in the
                                  encrypted vault (an encrypted backup is kept in ~/.anton/cowork/backups/data_vault/)
  --json                          print the full report as JSON`;

function describe(r: ImportReport): string {
  const lines = [summaryLine(r)];
  for (const [kind, c] of Object.entries(r.kinds)) lines.push(`  ${kind}: imported ${c.imported}, updated ${c.updated}, skipped ${c.skipped}, tombstoned ${c.tombstoned}`);
  if (r.activeProject) lines.push(`  active project: ${r.activeProject}`);
  for (const c of r.conflicts) lines.push(`conflict: ${c}`);
  for (const e of r.errors) lines.push(`error: ${e}`);
  return lines.join('\n');
}

/** `anton cowork-server import`: 0 when everything was reconciled, 1 when some items failed, 2 for bad usage. */
export async function runImportCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const flags = new Set(argv);
  const known = new Set(['--remove-plaintext-credentials', '--json', '--help', '-h']);
  const unknown = argv.filter((a) => !known.has(a));
  if (flags.has('--help') || flags.has('-h')) {
    console.log(IMPORT_USAGE);
    return 0;
  }
  if (unknown.length) {
    console.error(`Unknown option: ${unknown.join(' ')}\n${IMPORT_USAGE}`);
    return 2;
  }
  // The boot's own reconcile is skipped so that this report says what this run did (a fresh install included).
  const ctx = createContext({ ...env, ANTON_IMPORT_ON_BOOT: 'false' }, { logLevel: 'warn' });
  try {
    const report = importInstall(ctx);
    let removal: { removed: string[]; backupDir: string } | null = null;
    if (flags.has('--remove-plaintext-credentials')) {
      removal = removePlaintextCredentials(ctx.vault, ctx.paths.vaultDir, new ImportLedger(ctx.db), join(ctx.paths.coworkStateDir, 'backups'));
    }
    if (flags.has('--json')) console.log(JSON.stringify({ summary: summaryLine(report), ...report, ...(removal ? { plaintextRemoved: removal.removed, backupDir: removal.backupDir } : {}) }, null, 2));
    else {
      console.log(describe(report));
      if (removal) console.log(`removed ${removal.removed.length} plaintext credential file(s); encrypted backups in ${removal.backupDir}`);
      else if (report.plaintextCredentials.length) {
        console.log(
          `note: ${report.plaintextCredentials.length} plaintext credential file(s) in ${ctx.paths.vaultDir} are now in the encrypted vault but still readable;` +
            ' once you no longer run the Python app, run `anton cowork-server import --remove-plaintext-credentials`',
        );
      }
    }
    return report.errors.length ? 1 : 0;
  } catch (e) {
    console.error(`import failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await closeContext(ctx);
  }
}
