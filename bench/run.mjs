// `npm run bench [-- --quick]`: performance figures for docs/performance.md. Not part of `npm test`: targets
// live here and only here. The server under test is the real bin (dist), the LLM a stub process, the load a
// third process; a bare node:http relay and a bare Fastify server run in the same session as baselines,
// interleaved with ours run by run. Each figure is the median of RUNS runs (STREAM_RUNS for the streaming load),
// reported with its spread.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePort, getJson, loadgen, pollUntilOk, startProcess, tempHome } from './lib/procs.mjs';
import { medianOf, pairedRatio, summarize } from './lib/stats.mjs';
import { measureTerminal } from './lib/terminal.mjs';
import { measureSupervised } from './lib/supervisor.mjs';
import { buildThreadClock } from './lib/thread-clock.mjs';
import { renderDoc } from './report.mjs';

const QUICK = process.argv.includes('--quick');
// `--only=boot,stream,turns,sustained,history,search,terminal,supervisor`: a development run of some phases; it prints its table and
// writes nothing (bench/results and docs/performance.md only ever hold complete runs).
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? null;
const wanted = (phase) => !ONLY || ONLY.includes(phase);
const RUNS = 3;
// The streaming figures carry the tightest targets and the most run-to-run noise: more runs, and ours and the relay
// take turns at going first (whichever process runs second in a pair tends to measure slower).
const STREAM_RUNS = 6;
const P = QUICK
  ? { warmupMs: 1000, cpuWindowMs: 2000, sustainWarmupMs: 5000, sustainMs: 15_000, latencyWarmupMs: 500, latencyWindowMs: 1500, minSamples: 1000, healthRequests: 1000, search: [100_000], searchSamples: 40, messagesSamples: 200, churnTails: 200, churnTurns: 30 }
  : { warmupMs: 2000, cpuWindowMs: 5000, sustainWarmupMs: 10_000, sustainMs: 40_000, latencyWarmupMs: 1000, latencyWindowMs: 4000, minSamples: 2000, healthRequests: 3000, search: [100_000, 1_000_000], searchSamples: 100, messagesSamples: 1000, churnTails: 1000, churnTurns: 300 };
const STREAMS = 20;
/** Runs (per target) of the sustained load: each is long, and what it looks for (full GCs) comes every few seconds. */
const SUSTAINED_RUNS = 2;
const TOKENS = 200;
const TOKEN_DELAY_MS = 5;
/** Tokens per turn of the turn-cost phase's long turns. */
const LONG_TOKENS = 600;

const log = (...a) => console.error('·', ...a);
const mb = (b) => b / 1024 / 1024;
const serverBin = join(ROOT, 'bin', 'anton-cowork-server.js');

/** Our server on a fresh (or given) HOME, pointed at a stub. */
async function startOurs(stubUrl, home) {
  const port = await freePort();
  const env = {
    HOME: home,
    ANTON_SERVER_PORT: String(port),
    ANTON_DISABLE_AUTOUPDATES: 'true',
    ANTON_LOG_LEVEL: 'warn',
    ANTON_ANTHROPIC_API_KEY: 'sk-bench',
    ANTON_ANTHROPIC_BASE_URL: stubUrl,
    ANTON_MAX_CONCURRENT_TURNS: '64',
  };
  const p = startProcess(serverBin, [], { env });
  return { ...p, url: `http://127.0.0.1:${port}`, port };
}

async function startBaseline(name, args = []) {
  const port = await freePort();
  const p = startProcess(join(ROOT, 'bench', 'baselines', `${name}.mjs`), args, { env: { PORT: String(port) } });
  return { ...p, url: `http://127.0.0.1:${port}`, port };
}

async function startStub(tokens, delayMs, mode = 'stamp') {
  const p = startProcess(join(ROOT, 'bench', 'lib', 'stub-llm.mjs'), [String(tokens), String(delayMs), mode], { probe: false });
  const port = await p.announced();
  return { ...p, url: `http://127.0.0.1:${port}` };
}

const settle = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Idle means settled: V8 runs its memory reducer (a compacting GC that also shrinks the young generation) once the
 * process has gone quiet, about 8 s after its last full GC, and a server spends its life in that state. RSS is read
 * once the reducer has run and gone quiet (the probe sees its GCs) and at least SETTLED_MS after ready, the same for every server
 * measured. When that comes depends on the server: a start that compiles little (code cache) may have no full GC
 * to count from until later. Past SETTLED_CAP_MS it is read anyway, and said so.
 */
const SETTLED_MS = 12_000;
const SETTLED_CAP_MS = 60_000;
const REDUCER_QUIET_MS = 3_000;
async function settledRss(proc, readyAt) {
  const since = () => ms(process.hrtime.bigint() - readyAt);
  if (since() < SETTLED_MS) await settle(SETTLED_MS - since());
  for (;;) {
    const read = await proc.probe('read');
    // The reducer runs a few GCs about 0.6 s apart: settled once it has been quiet for REDUCER_QUIET_MS.
    if (read.memoryReducerGcs > 0 && read.msSinceMemoryReducerGc >= REDUCER_QUIET_MS) return mb(read.rss);
    if (since() > SETTLED_CAP_MS) {
      log(`no memory-reducing GC ${SETTLED_CAP_MS / 1000} s after ready: RSS read unsettled`);
      return mb(read.rss);
    }
    await settle(500);
  }
}
const ms = (ns) => Number(ns) / 1e6;

/** /health CPU per request in steady state: an unmeasured batch first (JIT warm-up), then the measured one. */
async function healthCpuPerRequest(proc) {
  await loadgen({ kind: 'hammer', url: proc.url, path: '/health', n: P.healthRequests });
  await proc.probe('reset');
  await loadgen({ kind: 'hammer', url: proc.url, path: '/health', n: P.healthRequests });
  return ((await proc.probe('read')).cpuMs * 1000) / P.healthRequests;
}

/** A first turn on `proc`: from its request's write to the stub receiving the model call. */
async function firstTurnMs(proc, stub) {
  const first = await loadgen({ kind: 'firstTurn', url: proc.url, stubUrl: stub.url });
  if (!first.completed) throw new Error('first turn did not complete');
  return first.ms;
}

/** Wait (on the file, not a clock) until a server on `home` has saved its code cache (src/cowork/server/server-loader.ts). */
async function codeCacheWritten(home, timeoutMs = 30_000) {
  const dir = join(home, '.anton', 'cowork', 'code-cache');
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.v8cache')))) {
    if (Date.now() > deadline) throw new Error(`no code cache in ${dir} after ${timeoutMs} ms`);
    await settle(20);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Phases. Each returns per-run raw numbers; figures are assembled at the end.

/** Start-up, idle memory, the first turn and /health CPU: fresh processes each run, ours and baselines interleaved. */
async function bootPhase(runs) {
  const stub = await startStub(20, 0);
  try {
    for (let r = 0; r < RUNS; r++) {
      log(`boot run ${r + 1}/${RUNS}`);
      // ours, the first start of a fresh install: the state dir is created, the code compiled without a cache
      const { home, cleanup } = tempHome();
      try {
        const fresh = await startOurs(stub.url, home);
        try {
          runs.ours_fresh_start_health.push(ms((await pollUntilOk(`${fresh.url}/health`)) - fresh.startedAt));
          runs.ours_fresh_start_v1.push(ms((await pollUntilOk(`${fresh.url}/v1/projects`)) - fresh.startedAt));
          await codeCacheWritten(home); // once warm, the server saves V8's code cache for its later starts
        } finally {
          await fresh.stop();
        }
        // ours, a usual start (every later launch of the app): same install
        const s = await startOurs(stub.url, home);
        try {
          const health = await pollUntilOk(`${s.url}/health`);
          const v1 = await pollUntilOk(`${s.url}/v1/projects`);
          runs.ours_start_health.push(ms(health - s.startedAt));
          runs.ours_start_v1.push(ms(v1 - s.startedAt));
          await settle(1500); // past the background warm-up: ready for a turn
          // No forced GC here: a full GC can flush compiled code and would make the first turn look colder than it is.
          const early = await s.probe('read');
          runs.ours_early_rss.push(mb(early.rss));
          runs.ours_idle_heap.push(mb(early.heapUsed));
          runs.ours_first_turn.push(await firstTurnMs(s, stub));
          runs.ours_health_cpu.push(await healthCpuPerRequest(s));
        } finally {
          await s.stop();
        }
        // ours again, left idle until settled: memory, then the first turn a user who came back later would start
        const settled = await startOurs(stub.url, home);
        try {
          runs.ours_idle_rss.push(await settledRss(settled, await pollUntilOk(`${settled.url}/v1/projects`)));
          runs.ours_first_turn_idle.push(await firstTurnMs(settled, stub));
        } finally {
          await settled.stop();
        }
      } finally {
        cleanup();
      }
      // bare Fastify: start-up, idle memory, /health CPU
      const f = await startBaseline('fastify');
      try {
        const fastifyV1 = await pollUntilOk(`${f.url}/v1/projects`);
        runs.fastify_start_v1.push(ms(fastifyV1 - f.startedAt));
        await settle(1500);
        runs.fastify_early_rss.push(mb((await f.probe('read')).rss));
        runs.fastify_idle_rss.push(await settledRss(f, fastifyV1));
        runs.fastify_health_cpu.push(await healthCpuPerRequest(f));
      } finally {
        await f.stop();
      }
      // relay: the first turn
      const relay = await startBaseline('relay', [stub.url]);
      try {
        await relay.announced();
        await pollUntilOk(`${relay.url}/health`);
        await settle(300);
        runs.relay_first_turn.push(await firstTurnMs(relay, stub));
      } finally {
        await relay.stop();
      }
    }
  } finally {
    await stub.stop();
  }
}

/** Ours and the relay take turns at going first, run by run (the machine drifts while a pair runs). */
const pairOrder = (run) => (run % 2 ? ['relay', 'ours'] : ['ours', 'relay']);

/** Run `fn` against ours or the relay, started on a fresh HOME and pointed at `stubUrl`; stopped afterwards. */
async function withTarget(who, stubUrl, fn) {
  const { home, cleanup } = tempHome();
  const target = who === 'ours' ? await startOurs(stubUrl, home) : await startBaseline('relay', [stubUrl]);
  try {
    await pollUntilOk(`${target.url}/v1/responses/in-flight-list`);
    return await fn(target);
  } finally {
    await target.stop();
    cleanup();
  }
}

/**
 * The server's CPU over one window of `lanes` concurrent turns (restarted as they finish), after the same load for a
 * while, not counted: the first turns after boot run code that is still compiling, and the cold path has its own
 * figures (start-up, first turn). The warm-up and the window are one load-generator process, so the window's turns
 * use connections that are already open, as a client that stays connected does: a new connection's peer check
 * (src/cowork/server/peer-uid.ts) reads /proc/net/tcp, a few ms each, and used to fall on the window's first turns.
 */
async function cpuWindow(target, lanes, { warmupMs = P.warmupMs, windowMs = P.cpuWindowMs, stalls = false } = {}) {
  const run = await loadgen({ kind: 'stream', url: target.url, turns: lanes, warmupMs, durationMs: windowMs }, () => target.probe('reset', { stalls }));
  return { run, probe: await target.probe('read') };
}

const failedTurns = (who, target, n) => new Error(`${who}: ${n} turns failed\n${target.output().slice(-2000)}`);

/** One CPU window of `lanes` turns against ours or the relay, started fresh; every turn must complete. */
const measureLoad = (who, stubUrl, lanes, windows) =>
  withTarget(who, stubUrl, async (target) => {
    const { run, probe } = await cpuWindow(target, lanes, windows);
    if (run.failed) throw failedTurns(who, target, run.failed);
    return { run, probe };
  });

/**
 * Where the CPU of a streaming load goes, for ours and the relay: per turn (turns one after another, one token each)
 * and per token with long turns (LONG_TOKENS each, the stream phase's pace). No targets: these say whether an excess
 * of the stream phase's CPU per token comes with each turn or with each token.
 */
async function turnCostPhase(runs) {
  const shortStub = await startStub(1, 0);
  const longStub = await startStub(LONG_TOKENS, TOKEN_DELAY_MS);
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const who of pairOrder(r)) {
        log(`turn-cost run ${r + 1}/${RUNS}: ${who}`);
        const short = await measureLoad(who, shortStub.url, 1);
        runs[`${who}_turn_cpu`].push((short.probe.cpuMs * 1000) / short.run.completed);
        const long = await measureLoad(who, longStub.url, STREAMS);
        runs[`${who}_cpu_per_1k_long`].push((long.probe.cpuMs / long.run.tokens) * 1000);
      }
    }
  } finally {
    await shortStub.stop();
    await longStub.stop();
  }
}

/**
 * The stream load held for much longer, after a longer warm-up: what a server that has been busy for a minute sees.
 * The stream phase's short windows end before most full GCs and while per-turn code is still being optimized. The
 * stall sampler (bench/lib/probe.mjs) runs here, beside the CPU count: it adds about 1 µs a millisecond to both
 * targets, and these figures have no targets.
 */
async function sustainedPhase(runs) {
  const stub = await startStub(TOKENS, TOKEN_DELAY_MS);
  try {
    for (let r = 0; r < SUSTAINED_RUNS; r++) {
      for (const who of pairOrder(r)) {
        log(`sustained run ${r + 1}/${SUSTAINED_RUNS}: ${who}`);
        const { run, probe } = await measureLoad(who, stub.url, STREAMS, { warmupMs: P.sustainWarmupMs, windowMs: P.sustainMs, stalls: true });
        runs[`${who}_sustained_loop_max`].push(probe.loopDelayMaxMs);
        if (probe.stallMaxMs !== null) runs[`${who}_sustained_stall_max`].push(probe.stallMaxMs);
        runs[`${who}_sustained_cpu_per_1k`].push((probe.cpuMs / run.tokens) * 1000);
      }
    }
  } finally {
    await stub.stop();
  }
}

/**
 * 20 concurrent streamed turns, restarted as they finish: CPU per token and loop delay, then control-route latency
 * and the server's own loop stalls (the stall sampler stays out of the window whose CPU is counted).
 */
async function streamPhase(runs, details) {
  const stub = await startStub(TOKENS, TOKEN_DELAY_MS);
  const samplePaths = ['/health', '/v1/conversations?project=all&limit=200', '/v1/responses/in-flight-list'];
  try {
    for (let r = 0; r < STREAM_RUNS; r++) {
      for (const who of pairOrder(r)) {
        log(`stream run ${r + 1}/${STREAM_RUNS}: ${who}`);
        await withTarget(who, stub.url, async (target) => {
          await settle(1000);
          const { run: cpuRun, probe } = await cpuWindow(target, STREAMS);
          runs[`${who}_cpu_per_1k`].push((probe.cpuMs / cpuRun.tokens) * 1000);
          runs[`${who}_loop_max`].push(probe.loopDelayMaxMs);
          runs[`${who}_loop_p99`].push(probe.loopDelayP99Ms);
          runs[`${who}_token_p99`].push(cpuRun.tokenLatencyMs.p99);
          const lat = await loadgen(
            { kind: 'stream', url: target.url, turns: STREAMS, warmupMs: P.latencyWarmupMs, durationMs: P.latencyWindowMs, minSamples: P.minSamples, samplePaths },
            () => target.probe('reset', { stalls: true }),
          );
          const { stallMaxMs } = await target.probe('read');
          if (stallMaxMs !== null) runs[`${who}_stall_max`].push(stallMaxMs);
          runs[`${who}_health_p99`].push(lat.latencyMs['/health'].p99);
          runs[`${who}_health_p50`].push(lat.latencyMs['/health'].p50);
          runs[`${who}_list_p99`].push(lat.latencyMs[samplePaths[1]].p99);
          runs[`${who}_inflight_p99`].push(lat.latencyMs[samplePaths[2]].p99);
          details.push({ phase: 'stream', run: r + 1, who, cpuRun: { ...cpuRun, probe }, latencyRun: lat });
          if (cpuRun.failed || lat.failed) throw failedTurns(who, target, cpuRun.failed + lat.failed);
        });
      }
    }
  } finally {
    await stub.stop();
  }
}

/** Reopening a 50-turn conversation (~200 word tokens per answer), and leaks after SSE churn + turns. */
async function historyPhase(runs) {
  const stub = await startStub(TOKENS, 0, 'words');
  try {
    for (let r = 0; r < RUNS; r++) {
      log(`history run ${r + 1}/${RUNS}`);
      const { home, cleanup } = tempHome();
      const s = await startOurs(stub.url, home);
      try {
        await pollUntilOk(`${s.url}/v1/projects`);
        const { conversation } = await loadgen({ kind: 'turnsIn', url: s.url, n: 50 });
        const m = await loadgen({ kind: 'hammer', url: s.url, path: `/v1/conversations/${conversation}/messages`, n: P.messagesSamples });
        runs.messages_kb.push(m.bytes / 1024);
        runs.messages_p50.push(m.latencyMs.p50);
        const before = await s.probe('read', { gc: true });
        await loadgen({ kind: 'churn', url: s.url, tails: P.churnTails, turns: P.churnTurns });
        await settle(500);
        const after = await s.probe('read', { gc: true });
        runs.leak_heap.push(mb(after.heapUsed - before.heapUsed));
        runs.leak_rss.push(mb(after.rss - before.rss));
      } finally {
        await s.stop();
        cleanup();
      }
    }
  } finally {
    await stub.stop();
  }
}

/** /v1/search over N seeded messages: a common word, 2-letter and 1-letter prefixes, two words, a rare word, no match. */
async function searchPhase(runs, details) {
  for (const n of P.search) {
    const { home, cleanup } = tempHome();
    try {
      log(`seeding ${n.toLocaleString('en')} messages`);
      const seeded = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench', 'lib', 'seed.mjs'), home, String(n)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
      const queries = [seeded.common, 'ka', 'k', `${seeded.common} ${seeded.rare}`, seeded.rare, 'zzzzqx'];
      for (let r = 0; r < RUNS; r++) {
        log(`search ${n} run ${r + 1}/${RUNS}`);
        const s = await startOurs('http://127.0.0.1:9', home);
        try {
          await pollUntilOk(`${s.url}/v1/projects`);
          const perQuery = {};
          for (const q of queries) {
            perQuery[q] = (await loadgen({ kind: 'hammer', url: s.url, path: `/v1/search?q=${encodeURIComponent(q)}&limit=25`, n: P.searchSamples })).latencyMs;
          }
          const worst = Object.entries(perQuery).sort((a, b) => b[1].p50 - a[1].p50)[0];
          runs[`search_${n}`].push(worst[1].p50);
          details.push({ phase: 'search', messages: n, run: r + 1, seedMs: seeded.ms, worstQuery: worst[0], perQuery });
        } finally {
          await s.stop();
        }
      }
    } finally {
      cleanup();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

const FIGURES = [
  // id, label, unit, ours key, baseline { name, key }, target
  ['health_p99_busy', `/health p99 while ${STREAMS} turns stream (${TOKENS} tokens, ${TOKEN_DELAY_MS} ms apart)`, 'ms', 'ours_health_p99', ['node:http relay', 'relay_health_p99'], { max: 5 }],
  ['health_p50_busy', '/health p50 under that load', 'ms', 'ours_health_p50', ['node:http relay', 'relay_health_p50'], null],
  ['list_p99_busy', 'GET /v1/conversations?project=all&limit=200 p99, same load', 'ms', 'ours_list_p99', ['node:http relay', 'relay_list_p99'], { max: 5 }],
  ['inflight_p99_busy', 'GET /v1/responses/in-flight-list p99, same load', 'ms', 'ours_inflight_p99', ['node:http relay', 'relay_inflight_p99'], { max: 5 }],
  ['cpu_per_1k_tokens', 'server CPU per 1,000 streamed tokens (all work of the turns)', 'ms', 'ours_cpu_per_1k', ['node:http relay', 'relay_cpu_per_1k'], { ratio: 1.5 }],
  ['turn_cpu', 'server CPU per turn, turns one after another (1 token each)', 'µs', 'ours_turn_cpu', ['node:http relay', 'relay_turn_cpu'], null],
  ['cpu_per_1k_long', `server CPU per 1,000 streamed tokens, ${STREAMS} turns of ${LONG_TOKENS} tokens`, 'ms', 'ours_cpu_per_1k_long', ['node:http relay', 'relay_cpu_per_1k_long'], null],
  // The stall is what the server holds its loop for; the delay adds the time the machine ran other processes.
  ['loop_stall_max', "event-loop stall, max, while streaming (the server's own time in one turn of its loop)", 'ms', 'ours_stall_max', ['node:http relay', 'relay_stall_max'], { max: 5 }],
  ['loop_delay_max', 'event-loop delay, max, while streaming (as measured: includes time the CPU ran other processes)', 'ms', 'ours_loop_max', ['node:http relay', 'relay_loop_max'], null],
  ['loop_delay_p99', 'event-loop delay, p99, while streaming', 'ms', 'ours_loop_p99', ['node:http relay', 'relay_loop_p99'], null],
  ['loop_stall_max_sustained', `event-loop stall, max, over ${P.sustainMs / 1000} s of that load (after ${P.sustainWarmupMs / 1000} s)`, 'ms', 'ours_sustained_stall_max', ['node:http relay', 'relay_sustained_stall_max'], null],
  ['loop_delay_max_sustained', 'event-loop delay, max, over that sustained load (as measured)', 'ms', 'ours_sustained_loop_max', ['node:http relay', 'relay_sustained_loop_max'], null],
  ['cpu_per_1k_sustained', 'server CPU per 1,000 streamed tokens over that sustained load', 'ms', 'ours_sustained_cpu_per_1k', ['node:http relay', 'relay_sustained_cpu_per_1k'], null],
  ['token_latency_p99', 'token latency stub → client, p99', 'ms', 'ours_token_p99', ['node:http relay', 'relay_token_p99'], null],
  ['health_cpu_per_request', '/health CPU per request (idle server, after an unmeasured warm-up batch)', 'µs', 'ours_health_cpu', ['bare Fastify', 'fastify_health_cpu'], { ratio: 1.3 }],
  ['start_to_health', 'start → first /health 200, a usual start', 'ms', 'ours_start_health', null, null],
  ['fresh_start_to_health', 'first start of a fresh install → first /health 200', 'ms', 'ours_fresh_start_health', null, null],
  ['start_to_v1', 'start → first /v1 answer (full app ready), a usual start (code cache in place)', 'ms', 'ours_start_v1', ['bare Fastify', 'fastify_start_v1'], { max: 250 }],
  ['fresh_start_to_v1', 'first start of a fresh install → first /v1 answer (no code cache yet)', 'ms', 'ours_fresh_start_v1', ['bare Fastify', 'fastify_start_v1'], null],
  ['first_turn_to_llm', 'first turn 1.5 s after ready → its request at the LLM', 'ms', 'ours_first_turn', ['node:http relay', 'relay_first_turn'], { max: 15 }],
  ['first_turn_idle_to_llm', 'first turn once settled (memory reducer run, ≥ 12 s after ready) → its request at the LLM', 'ms', 'ours_first_turn_idle', ['node:http relay', 'relay_first_turn'], null],
  ['early_rss', 'RSS 1.5 s after ready (warm-up done, before V8 settles)', 'MB', 'ours_early_rss', ['bare Fastify', 'fastify_early_rss'], null],
  ['idle_rss', 'idle RSS, settled (memory reducer run, ≥ 12 s after ready)', 'MB', 'ours_idle_rss', ['bare Fastify', 'fastify_idle_rss'], { max: 65 }],
  ['idle_heap', 'idle heap used after ready (no forced GC)', 'MB', 'ours_idle_heap', null, null],
  ['search_100000', 'search, 100k messages: slowest query kind, median', 'ms', 'search_100000', null, { max: 50 }],
  ['search_1000000', 'search, 1M messages: slowest query kind, median', 'ms', 'search_1000000', null, { max: 150 }],
  ['messages_kb', '/messages of a 50-turn conversation: size', 'KB', 'messages_kb', null, { max: 150 }],
  ['messages_p50', '/messages of a 50-turn conversation: p50', 'ms', 'messages_p50', null, { max: 5 }],
  ['leak_heap', 'heap growth after SSE connect/disconnect churn + turns (after GC)', 'MB', 'leak_heap', null, null],
  ['leak_rss', 'RSS growth, same', 'MB', 'leak_rss', null, null],
  ['terminal_start_to_prompt', '`anton` terminal: start → prompt', 'ms', 'terminal', null, null],
  // A new version's first start has no code cache yet: its like is the first start of a fresh install.
  ['supervised_start_to_health', 'after an update: start → first /health (supervisor + child, the new version\'s first start)', 'ms', 'sup_start_health', ['first start, no supervisor', 'ours_fresh_start_health'], { ratio: 1.5 }],
  ['supervisor_uss', 'after an update: the supervisor\'s private memory (USS)', 'MB', 'sup_uss', null, { max: 20 }],
  ['supervisor_rss', 'after an update: the supervisor\'s RSS (mostly the node executable, shared with the child)', 'MB', 'sup_rss', null, null],
];

function assemble(runs) {
  return FIGURES.flatMap(([id, label, unit, key, baseline, target]) => {
    const values = runs[key] ?? [];
    if (!values.length) return [];
    const ours = medianOf(values);
    const base = baseline ? { name: baseline[0], ...medianOf(runs[baseline[1]] ?? []) } : null;
    const ratio = base?.median ? pairedRatio(values, runs[baseline[1]]) : null;
    let pass = null;
    if (target?.max !== undefined && ours.median !== null) pass = ours.median <= target.max;
    if (target?.ratio !== undefined && ratio !== null) pass = ratio <= target.ratio;
    const targetText = target ? (target.max !== undefined ? `≤ ${target.max} ${unit}` : `≤ ${target.ratio}× baseline`) : '—';
    return [{ id, label, unit, value: ours, baseline: base, ratio, target: target ? { ...target, text: targetText } : null, pass }];
  });
}

function printTable(figures) {
  const f = (x, d = 2) => (x === null || x === undefined ? '—' : Number(x).toFixed(x >= 100 ? 0 : d));
  const rows = figures.map((g) => [
    g.label,
    `${f(g.value.median)} ${g.unit}`,
    `${f(g.value.min)}–${f(g.value.max)}`,
    g.baseline ? `${f(g.baseline.median)} (${g.baseline.name})` : '—',
    g.ratio === null ? '—' : `${g.ratio.toFixed(2)}×`,
    g.target?.text ?? '—',
    g.pass === null ? '—' : g.pass ? 'pass' : 'FAIL',
  ]);
  const head = ['figure', 'ours (median)', 'spread', 'baseline', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

async function main() {
  const started = Date.now();
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'server.cjs'))) throw new Error('Build first: npm run build');
  const runs = new Proxy({}, { get: (o, k) => (o[k] ??= []) });
  const details = [];
  const noThreadClock = buildThreadClock();
  if (noThreadClock) {
    log(`event-loop stalls not measured: ${noThreadClock}`);
    details.push({ phase: 'stalls', skipped: noThreadClock });
  }
  if (wanted('boot')) await bootPhase(runs);
  if (wanted('stream')) await streamPhase(runs, details);
  if (wanted('turns')) await turnCostPhase(runs);
  if (wanted('sustained')) await sustainedPhase(runs);
  if (wanted('history')) await historyPhase(runs);
  if (wanted('search')) await searchPhase(runs, details);
  for (let r = 0; r < RUNS && wanted('terminal'); r++) {
    const t = await measureTerminal();
    if (t.skipped) {
      details.push({ phase: 'terminal', skipped: t.skipped });
      break;
    }
    runs.terminal.push(t.ms);
  }
  for (let r = 0; r < RUNS && wanted('supervisor'); r++) {
    const s = await measureSupervised();
    runs.sup_start_health.push(s.startHealthMs);
    runs.sup_uss.push(s.uss);
    runs.sup_rss.push(s.rss);
  }
  const raw = Object.fromEntries(Object.keys(runs).map((k) => [k, runs[k]]));
  const figures = assemble(runs);
  const result = {
    meta: {
      at: new Date().toISOString(),
      mode: QUICK ? 'quick' : 'full',
      commit,
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      loadavgAtStart: loadAvgStart,
      loadavgAtEnd: loadavg(),
      runs: RUNS,
      streamRuns: STREAM_RUNS,
      sustainedRuns: SUSTAINED_RUNS,
      pairedRatios: true,
      streams: STREAMS,
      tokensPerTurn: TOKENS,
      tokenDelayMs: TOKEN_DELAY_MS,
      params: P,
      durationS: Math.round((Date.now() - started) / 1000),
    },
    figures,
    raw,
    details,
  };
  console.log(`\nAnton Cowork server benchmark (${result.meta.mode}) — node ${process.version}, ${result.meta.cpus} CPUs, load ${loadAvgStart.map((x) => x.toFixed(1)).join(' ')}, ${result.meta.durationS} s\n`);
  printTable(figures);
  if (ONLY) return;
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${result.meta.at.replace(/[:.]/g, '-')}-${result.meta.mode}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  renderDoc(result);
  console.log(`\nwrote ${file}, bench/results/latest.json and docs/performance.md`);
  void summarize;
}

const loadAvgStart = loadavg();
await main();
process.exit(0);
