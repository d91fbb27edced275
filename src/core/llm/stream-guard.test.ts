import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { StreamGuard } from './stream-guard.js';
import { LlmError } from './errors.js';

test('a stream that keeps sending stays alive past the idle time; silence then aborts it as a timeout', async (t) => {
  const outer = new AbortController();
  const guard = new StreamGuard(outer.signal, 60);
  let touches = 0;
  const tick = setInterval(() => guard.touch(), 10);
  t.after(() => clearInterval(tick));
  // Keep it busy for well over two idle periods, counting on the guard's own timer having re-armed itself.
  await new Promise<void>((resolve) => {
    const count = setInterval(() => {
      if (++touches === 20) {
        clearInterval(count);
        resolve();
      }
    }, 10);
  });
  assert.equal(guard.signal.aborted, false, 'activity keeps the stream open');
  clearInterval(tick);
  const keepAlive = setInterval(() => {}, 1000); // the guard's timer is unref'd (a live socket holds the loop in real use)
  await once(guard.signal, 'abort');
  clearInterval(keepAlive);
  assert.equal(guard.timedOut, true);
  const err = guard.explain(new Error('socket closed'));
  assert.ok(err instanceof LlmError && err.kind === 'timeout');
  guard.dispose();
});

test('the caller’s abort passes through and is not a timeout', async () => {
  const outer = new AbortController();
  const guard = new StreamGuard(outer.signal, 10_000);
  outer.abort();
  assert.equal(guard.signal.aborted, true);
  assert.equal(guard.timedOut, false);
  guard.dispose();
});
