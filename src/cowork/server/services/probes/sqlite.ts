import { fail, ok, type ProbeResult } from './result.js';

export async function probeSqlite(v: Record<string, string>): Promise<ProbeResult> {
  const { default: Database } = await import('better-sqlite3');
  try {
    const db = new Database(v.path, { readonly: true, fileMustExist: true });
    try {
      const n = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      return ok(`Opened the database (${n.n} tables).`);
    } finally {
      db.close();
    }
  } catch (e) {
    return fail(`Cannot open it as SQLite: ${(e as Error).message}`, 'path');
  }
}
