/** The reference's Cell (dataclasses.asdict), plus captured images. */
export interface Cell {
  code: string;
  stdout: string;
  stderr: string;
  error: string | null;
  description: string;
  estimated_time: string;
  logs: string;
  images?: { mime: string; data: string }[];
}

export interface ExecOptions {
  description?: string;
  estimatedSeconds?: number;
  estimatedTime?: string;
  signal?: AbortSignal;
  /** progress() lines and streamed output, as they happen. */
  onProgress?: (message: string) => void;
}

export interface Timeouts {
  totalMs: number;
  inactivityMs: number;
  /** Inactivity allowance once the cell has reported progress. */
  afterProgressMs: number;
}

/** No cell runs longer than this, whatever the estimate (1e9 would otherwise switch the watchdog off). */
export const MAX_CELL_SECONDS = 3600;

/** The reference's estimate-driven windows; output counts as activity. */
export function computeTimeouts(estimateSeconds: number, defaults = { total: 120, inactivity: 30, afterProgress: 60 }): Timeouts {
  // Capped so that 2×e (the total window) stays within MAX_CELL_SECONDS; NaN and negatives mean "no estimate".
  const e = estimateSeconds > 0 ? Math.min(estimateSeconds, MAX_CELL_SECONDS / 2) : 0;
  return e > 0
    ? { totalMs: Math.max(2 * e, e + 30) * 1000, inactivityMs: Math.max(0.5 * e, defaults.inactivity) * 1000, afterProgressMs: defaults.afterProgress * 1000 }
    : { totalMs: defaults.total * 1000, inactivityMs: defaults.inactivity * 1000, afterProgressMs: defaults.afterProgress * 1000 };
}
