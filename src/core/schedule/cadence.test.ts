import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSlots, nextSlot, validateCadence } from './cadence.js';

test('daily keeps its wall-clock time across a DST change (Europe/Berlin, March 2026)', () => {
  const anchor = new Date('2026-03-27T08:00:00Z'); // 09:00 CET
  const spec = { cadence: 'daily' as const, timezone: 'Europe/Berlin', anchor };
  const d1 = nextSlot(spec, anchor)!;
  const d2 = nextSlot(spec, d1)!;
  const d3 = nextSlot(spec, d2)!;
  assert.equal(d1.toISOString(), '2026-03-28T08:00:00.000Z'); // 09:00 CET
  assert.equal(d2.toISOString(), '2026-03-29T07:00:00.000Z'); // 09:00 CEST (clocks moved forward that night)
  assert.equal(d3.toISOString(), '2026-03-30T07:00:00.000Z');
});

test('weekly and cron honour the zone; hourly is a plain interval', () => {
  const weekly = { cadence: 'weekly' as const, timezone: 'America/New_York', anchor: new Date('2026-10-26T13:30:00Z') }; // Mon 09:30 EDT
  assert.equal(nextSlot(weekly, weekly.anchor)!.toISOString(), '2026-11-02T14:30:00.000Z'); // Mon 09:30 EST
  const cron = { cadence: 'cron' as const, timezone: 'Asia/Tokyo', anchor: new Date('2026-01-01T00:00:00Z'), cron: '0 9 * * 1-5' };
  assert.equal(nextSlot(cron, new Date('2026-01-02T01:00:00Z'))!.toISOString(), '2026-01-05T00:00:00.000Z'); // Mon 09:00 JST
  const hourly = { cadence: 'hourly' as const, timezone: 'local', anchor: new Date('2026-01-01T00:15:00Z') };
  assert.equal(nextSlot(hourly, new Date('2026-01-01T05:20:00Z'))!.toISOString(), '2026-01-01T06:15:00.000Z');
});

test('once has no slot after it passed; missed slots are counted', () => {
  const once = { cadence: 'once' as const, timezone: 'UTC', anchor: new Date('2026-01-01T00:00:00Z') };
  assert.equal(nextSlot(once, new Date('2026-02-01T00:00:00Z')), null);
  const daily = { cadence: 'daily' as const, timezone: 'UTC', anchor: new Date('2026-01-01T09:00:00Z') };
  assert.equal(countSlots(daily, new Date('2026-01-01T09:00:00Z'), new Date('2026-01-04T10:00:00Z')), 3);
});

test('invalid cron expressions and zones are rejected with a message', () => {
  assert.throws(() => validateCadence({ cadence: 'cron', timezone: 'UTC', anchor: new Date(), cron: 'not a cron' }));
  assert.throws(() => validateCadence({ cadence: 'daily', timezone: 'Mars/Olympus', anchor: new Date() }), /Unknown timezone/);
});
