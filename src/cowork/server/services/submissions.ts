import { randomBytes } from 'node:crypto';

export interface Submission {
  submission_id: string;
  form_id: string;
  conversation_id: string | null;
  values: Record<string, string>;
  skipped: string[];
  form_spec: Record<string, unknown> | null;
  created_at: number;
  status: 'received' | 'saved' | 'failed';
  saved_as: string | null;
}

const TTL_MS = 24 * 3600_000;

/** Staged credential-form submissions, in memory only; values are wiped as soon as they have been used. */
export class SubmissionStore {
  private readonly items = new Map<string, Submission>();

  private purge(): void {
    const cutoff = Date.now() - TTL_MS;
    for (const [id, s] of this.items) if (s.created_at * 1000 < cutoff) this.items.delete(id);
  }

  stage(input: Omit<Submission, 'submission_id' | 'created_at' | 'status' | 'saved_as'>): Submission {
    this.purge();
    const s: Submission = { ...input, submission_id: `sub_${randomBytes(6).toString('hex')}`, created_at: Date.now() / 1000, status: 'received', saved_as: null };
    this.items.set(s.submission_id, s);
    return s;
  }

  get(id: string): Submission | null {
    this.purge();
    return this.items.get(id) ?? null;
  }

  /** Outcome recorded, secrets dropped. */
  settle(id: string, status: 'saved' | 'failed', savedAs: string | null): void {
    const s = this.items.get(id);
    if (s) Object.assign(s, { status, saved_as: savedAs, values: {} });
  }

  /** What may be shown to anyone, including the model: never the values. */
  static public(s: Submission) {
    return {
      submission_id: s.submission_id,
      form_id: s.form_id,
      conversation_id: s.conversation_id,
      field_names: Object.keys(s.values).length ? Object.keys(s.values) : [],
      skipped: s.skipped,
      created_at: s.created_at,
      status: s.status,
      saved_as: s.saved_as,
    };
  }
}
