// Percentiles by nearest rank over every sample (no sampling, no interpolation); a percentile is only reported
// when there are enough samples for it to mean something (p99 needs ≥ 1,000).
export function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  const n = s.length;
  const at = (p) => (n ? s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] : null);
  return { n, p50: at(50), p90: at(90), p99: n >= 1000 ? at(99) : null, max: n ? s[n - 1] : null, mean: n ? s.reduce((a, b) => a + b, 0) / n : null };
}

/** The median of the runs, and their spread (min…max), for one figure. */
export function medianOf(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { median: null, min: null, max: null, runs: values };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], runs: values };
}

export const nsToMs = (ns) => Number(ns) / 1e6;

/**
 * Ours against a baseline measured beside it run by run: the median of the per-run ratios, so a machine that drifts
 * between runs (it does: shared, and slower under sustained load) moves both sides of each ratio alike. Falls back to
 * the ratio of the medians when the runs do not pair up.
 */
export function pairedRatio(ours, base) {
  const pairs = ours.length === base.length ? ours.map((x, i) => x / base[i]).filter((r) => Number.isFinite(r)) : [];
  if (pairs.length && pairs.length === ours.length) return medianOf(pairs).median;
  const o = medianOf(ours).median;
  const b = medianOf(base).median;
  return o !== null && b ? o / b : null;
}
