export interface SearchResult {
  type: 'task' | 'project' | 'artifact' | 'attachment' | 'schedule' | 'pin';
  id: string;
  title: string;
  subtitle: string;
  route: string;
  score: number;
  sessionId?: string;
}

/** One kind of searchable thing; each feature registers its own. */
export type SearchSource = (terms: string[], q: string) => SearchResult[];

/** The reference's scoring: per term, 10 if it occurs plus the number of occurrences. 0 = no match. */
export function scoreText(terms: string[], haystack: string): number {
  const hay = haystack.toLowerCase();
  let score = 0;
  for (const t of terms) {
    const n = hay.split(t).length - 1;
    if (n > 0) score += 10 + n;
  }
  return score;
}

export function splitTerms(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 12);
}

/** An FTS5 MATCH expression: every term as a quoted prefix, all required. */
export function ftsQuery(terms: string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"*`).join(' ');
}

export function search(sources: SearchSource[], q: string, limit: number): SearchResult[] {
  const terms = splitTerms(q);
  if (!terms.length) return [];
  return sources
    .flatMap((s) => s(terms, q))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
