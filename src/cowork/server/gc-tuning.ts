import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring allocates straight into the old generation from any site whose objects often
 * survive a young-generation GC. A streaming turn's HTTP request and response objects live as long as the turn, and
 * share their allocation sites (header parsing, header writing, Fastify's request and reply) with every short
 * control request: once pretenured, those short-lived objects fill the old generation too. Measured under 20
 * streaming turns with control requests: each young GC then took 4–6 ms instead of under 1, and a full GC came every
 * ~2 s instead of every ~7 s. The flag is read at each GC, so setting it at start (before the server is loaded) holds
 * for the whole process.
 */
export function tuneGc(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
