import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring allocates straight into the old generation from any site whose objects often
 * survive a young-generation GC. A streaming turn's HTTP request and response objects live as long as the turn, and
 * share their allocation sites (header parsing, header writing, Fastify's request and reply) with every short
 * control request: once pretenured, those short-lived objects fill the old generation too. Measured under 20
 * streaming turns with control requests (`--trace-gc`): each young GC took 1.5–6 ms instead of under 1, and a full GC
 * came every 2–3 s instead of about every 7 s. V8 reads the flag at each GC, so setting it first thing holds for the
 * whole process (docs/decisions.md).
 */
export function tuneGc(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
