import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopPacer } from './loop-pacer.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('a burst of slots is let through one per event-loop iteration, in order: a timer that falls due runs between them', async () => {
  const pacer = new LoopPacer();
  const seen: string[] = [];
  // Each piece of work takes 2 ms, so the 1 ms timer is due after the first: it must run before the second piece.
  setTimeout(() => seen.push('timer'), 1);
  await Promise.all(
    [1, 2, 3, 4].map((n) =>
      pacer.slot().then(() => {
        seen.push(`work ${n}`);
        spin(2);
      }),
    ),
  );
  assert.deepEqual(seen, ['work 1', 'timer', 'work 2', 'work 3', 'work 4']);
});

test('a slot with nothing queued resolves at the next check phase, and the pacer starts again after going idle', async () => {
  const pacer = new LoopPacer();
  await pacer.slot();
  const order: string[] = [];
  const slot = pacer.slot().then(() => order.push('slot'));
  order.push('sync');
  await slot;
  assert.deepEqual(order, ['sync', 'slot']);
});
