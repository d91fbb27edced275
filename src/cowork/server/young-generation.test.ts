import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// In a fresh process (the flag is process-wide): objects that survive, the way a boot's do, while the young
// generation is held and after it is released. Prints the young generation's size (MB) at both points.
const PROGRAM = `
import { getHeapSpaceStatistics } from 'node:v8';
const { holdYoungGeneration, releaseYoungGeneration } = await import(process.argv[1]);
const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
const kept = [];
const survive = (n) => { for (let i = 0; i < n; i++) kept.push({ i, s: 'x'.repeat(i % 64) + i }); };
holdYoungGeneration();
const start = youngMb();
survive(400_000);
const held = youngMb();
releaseYoungGeneration();
survive(400_000);
console.log(JSON.stringify({ start, held, released: youngMb() }));
`;

test('holding the young generation keeps it at its initial size while boot-like objects survive; releasing lets it grow', () => {
  const module = fileURLToPath(new URL('./young-generation.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROGRAM, module], { encoding: 'utf8' });
  const { start, held, released } = JSON.parse(out.trim().split('\n').pop()!) as Record<'start' | 'held' | 'released', number>;
  assert.equal(held, start, 'the young generation grew while held');
  assert.ok(released > held, `young generation did not grow after release (${released} MB)`);
});
