import { Cron } from 'croner';

export const CADENCES = ['once', 'hourly', 'daily', 'weekly', 'cron'] as const;
export type Cadence = (typeof CADENCES)[number];

export interface CadenceSpec {
  cadence: Cadence;
  /** IANA zone, or "local" for the server's zone. */
  timezone: string;
  /** The first run; daily/weekly keep its wall-clock time (in `timezone`) across DST changes. */
  anchor: Date;
  cron?: string | null;
}

export function resolveZone(tz: string): string {
  return !tz || tz === 'local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz;
}

export function isValidZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: resolveZone(tz) });
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock parts of an instant in a zone. */
function wallClock(d: Date, zone: string): { minute: number; hour: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour12: false, hour: '2-digit', minute: '2-digit', weekday: 'short' }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { minute: Number(get('minute')), hour: Number(get('hour')) % 24, weekday };
}

/** The cron pattern a cadence stands for (daily/weekly at the anchor's local time). Null for once/hourly. */
export function cronPattern(spec: CadenceSpec): string | null {
  const zone = resolveZone(spec.timezone);
  if (spec.cadence === 'cron') return spec.cron ?? null;
  const w = wallClock(spec.anchor, zone);
  if (spec.cadence === 'daily') return `${w.minute} ${w.hour} * * *`;
  if (spec.cadence === 'weekly') return `${w.minute} ${w.hour} * * ${w.weekday}`;
  return null;
}

/** Throws with a readable message for an invalid cron expression or zone. */
export function validateCadence(spec: CadenceSpec): void {
  if (!isValidZone(spec.timezone)) throw new Error(`Unknown timezone: ${spec.timezone}`);
  if (spec.cadence === 'cron') {
    if (!spec.cron) throw new Error('A cron cadence needs a cron expression.');
    new Cron(spec.cron, { timezone: resolveZone(spec.timezone), paused: true });
  }
}

/** The first slot strictly after `after`, or null when there is none (a past `once`). */
export function nextSlot(spec: CadenceSpec, after: Date): Date | null {
  if (spec.cadence === 'once') return spec.anchor > after ? spec.anchor : null;
  if (spec.cadence === 'hourly') {
    const step = 3_600_000;
    const t = spec.anchor.getTime();
    if (t > after.getTime()) return spec.anchor;
    return new Date(t + (Math.floor((after.getTime() - t) / step) + 1) * step);
  }
  if (spec.anchor > after) return spec.anchor;
  const job = new Cron(cronPattern(spec)!, { timezone: resolveZone(spec.timezone), paused: true });
  return job.nextRun(after) ?? null;
}

/** How many slots fall in (from, to]: the runs a sleeping machine missed. Capped to keep it cheap. */
export function countSlots(spec: CadenceSpec, from: Date, to: Date, cap = 10_000): number {
  let n = 0;
  let t: Date | null = from;
  while (n < cap && (t = nextSlot(spec, t)) && t <= to) n++;
  return n;
}
