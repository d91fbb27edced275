// The load generator, in its own process so that its work is never counted in the server's latencies or CPU.
// Latencies are process.hrtime from just before the request is written to the end of the body.
// Usage: node bench/lib/loadgen.mjs '<json command>'  → prints one JSON result line.
import { Agent, request } from 'node:http';
import { sseData } from './sse-data.mjs';
import { summarize, nsToMs } from './stats.mjs';

const cmd = JSON.parse(process.argv[2]);
const now = () => process.hrtime.bigint();

/** One request; resolves with { status, body, ms }. */
function call(base, path, { method = 'GET', body, agent } = {}) {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const t0 = now();
    const req = request(url, { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: nsToMs(now() - t0) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Tell the bench this process is warm, and wait for its "go". */
function goAhead() {
  process.stdout.write('{"warm":true}\n');
  return new Promise((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', function onData(d) {
      if (!d.includes('go')) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve();
    });
  });
}

/** A streamed turn: counts text deltas and times each "@<ns> " token from the stub's write to its arrival here. */
function streamTurn(base, input, onToken) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ input, project: 'general' });
    const sentAt = now();
    const req = request(new URL('/v1/responses', base), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.setEncoding('utf8');
      let last = '';
      let conversation = '';
      let at = 0n; // arrival of the chunk being read: every token in it arrived then
      const feed = sseData((data) => {
        const stamp = /"delta":"@(\d+) "/.exec(data);
        if (stamp) onToken(at - BigInt(stamp[1]));
        else {
          const type = /"type":"([^"]+)"/.exec(data)?.[1] ?? '';
          if (type === 'response.created') conversation = /"conversation_id":"([^"]+)"/.exec(data)?.[1] ?? '';
          last = type;
        }
      });
      res.on('data', (chunk) => {
        at = now();
        feed(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode, last, conversation, sentAt }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `warmupMs`: the turns run that long first, then this process prints {"warm":true} and waits for "go" on stdin (the
 * bench resets the server's counters meanwhile, the turns still running), and counts from there: the window sees the
 * load's steady state, its connections already open, as a client that stays connected does (a fresh connection's
 * cost, the peer check, is in the first-turn figure).
 */
async function stream({ url, turns, durationMs, warmupMs = 0, samplePaths = [], minSamples = 0, maxMs = 120_000 }) {
  const tokenLatency = [];
  let tokens = 0;
  let completed = 0;
  let failed = 0;
  let firstToken;
  const gotFirst = new Promise((r) => (firstToken = r));
  const onToken = (ns) => {
    tokens++;
    tokenLatency.push(nsToMs(ns));
    firstToken();
  };
  let stop = false;
  const lane = async (k) => {
    while (!stop) {
      const r = await streamTurn(url, `stream please ${k}`, onToken).catch(() => ({ status: 0, last: '' }));
      if (r.status === 200 && r.last === 'response.completed') completed++;
      else failed++;
    }
  };
  const lanes = Array.from({ length: turns }, (_, k) => lane(k));
  await gotFirst;
  if (warmupMs > 0) {
    await new Promise((r) => setTimeout(r, warmupMs));
    await goAhead();
    tokens = completed = failed = 0;
    tokenLatency.length = 0;
  }
  const samples = Object.fromEntries(samplePaths.map((p) => [p, []]));
  const sampleErrors = Object.fromEntries(samplePaths.map((p) => [p, 0]));
  const t0 = Date.now();
  const tokensAtStart = tokens;
  const samplers = samplePaths.map(async (p) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // At least durationMs, and until every path has minSamples (so that p99 is a percentile, not the maximum).
    while ((Date.now() - t0 < durationMs || samples[p].length < minSamples) && Date.now() - t0 < maxMs) {
      const r = await call(url, p, { agent }).catch(() => null);
      if (r && r.status === 200) samples[p].push(r.ms);
      else sampleErrors[p]++;
    }
    agent.destroy();
  });
  if (!samplePaths.length) await new Promise((r) => setTimeout(r, durationMs));
  await Promise.all(samplers);
  const windowTokens = tokens - tokensAtStart;
  const windowMs = Date.now() - t0;
  stop = true;
  await Promise.all(lanes);
  return {
    windowMs,
    windowTokens,
    tokens,
    completed,
    failed,
    tokenLatencyMs: summarize(tokenLatency),
    latencyMs: Object.fromEntries(Object.entries(samples).map(([p, s]) => [p, summarize(s)])),
    sampleErrors,
  };
}

async function hammer({ url, path, n }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = await call(url, path, { agent });
    if (r.status !== 200) throw new Error(`${path} → ${r.status}: ${r.body.toString().slice(0, 200)}`);
    ms.push(r.ms);
    bytes = r.body.length;
  }
  agent.destroy();
  return { latencyMs: summarize(ms), bytes };
}

/** One turn on a freshly booted server: when did the stub see the request, counted from our POST? */
async function firstTurn({ url, stubUrl }) {
  const before = JSON.parse((await call(stubUrl, '/__bench/arrivals')).body.toString()).length;
  const r = await streamTurn(url, 'first turn after boot', () => {});
  const arrivals = JSON.parse((await call(stubUrl, '/__bench/arrivals')).body.toString());
  if (arrivals.length <= before) throw new Error('the stub saw no request');
  return { ms: nsToMs(BigInt(arrivals[before]) - r.sentAt), completed: r.last === 'response.completed', conversation: r.conversation };
}

/** Sequential turns in one conversation (to build a long one through the real server). */
async function turnsIn({ url, n }) {
  let conversation = '';
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({ input: `question ${i}`, conversation: conversation || null, project: 'general' });
    const r = await new Promise((resolve, reject) => {
      const req = request(new URL('/v1/responses', url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
    conversation ||= /"conversation_id":"([^"]+)"/.exec(r)?.[1] ?? '';
  }
  return { conversation };
}

/** SSE readers that connect and go away, then whole turns: what is left behind is a leak. */
async function churn({ url, tails, turns }) {
  const base = await turnsIn({ url, n: 1 });
  for (let i = 0; i < tails; i++) {
    await new Promise((resolve) => {
      const req = request(new URL(`/v1/responses/tail?conversation_id=${base.conversation}&from_seq=0`, url), (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
        res.on('error', resolve);
      });
      req.on('error', resolve);
      req.end();
    });
  }
  for (let i = 0; i < turns; i++) await streamTurn(url, `churn ${i}`, () => {});
  return { ok: true };
}

const handlers = { stream, hammer, firstTurn, turnsIn, churn };
const result = await handlers[cmd.kind](cmd);
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
