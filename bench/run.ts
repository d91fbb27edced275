/**
 * `npm run bench`: performance figures for docs/performance.md. Not part of `npm test` (no timing asserts).
 * Everything runs on loopback against the scripted stub LLM; the server under test is the real one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp } from '../src/testing/test-app.js';
import { StubLlm } from '../src/testing/stub-llm.js';
import { postJson, readSse } from '../src/testing/sse-client.js';
import { cleanEnv, makeTempHome } from '../src/testing/temp-home.js';
import { REPO_ROOT, freePort } from '../src/testing/spawn-server.js';
import type { Message } from '../src/core/llm/types.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const median = (xs: number[]) => pct(xs, 50);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const results: Record<string, number | string> = {};
const row = (name: string, value: number | string, unit = '') => {
  results[name] = value;
  console.log(`${name.padEnd(52)} ${String(typeof value === 'number' ? Math.round(value * 100) / 100 : value).padStart(10)} ${unit}`);
};

async function timeIt<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

async function coldStart(): Promise<void> {
  const times: number[] = [];
  const apiTimes: number[] = [];
  let rss = 0;
  for (let i = 0; i < 10; i++) {
    const { home, cleanup } = makeTempHome('anton-bench-');
    const port = await freePort();
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/anton-cowork-server.js'], { cwd: REPO_ROOT, env: { ...cleanEnv(home), ANTON_SERVER_PORT: String(port) }, stdio: 'ignore' });
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    times.push(performance.now() - t0);
    await fetch(`http://127.0.0.1:${port}/v1/projects`); // queued until the full app is ready
    apiTimes.push(performance.now() - t0);
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 1000));
      const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    cleanup();
  }
  row('cold start: spawn → first /health 200 (median of 10)', median(times), 'ms');
  row('cold start: spawn → first /v1 answer (full app ready)', median(apiTimes), 'ms');
  row('idle RSS after boot', mb(rss), 'MB');
}

async function underLoad(): Promise<void> {
  const stub = await new StubLlm().start();
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'k', ANTON_ANTHROPIC_BASE_URL: stub.url, ANTON_MAX_CONCURRENT_TURNS: '64' } });
  try {
    for (let i = 0; i < 20; i++) stub.enqueue({ timestampedTokens: 150, chunkDelayMs: 20 });
    const streams = Array.from({ length: 20 }, () => postJson(`${ta.url}/v1/responses`, { input: 'stream please' }).then((r) => readSse(r)));
    const health: number[] = [];
    const list: number[] = [];
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 100; i++) {
      health.push((await timeIt(() => fetch(`${ta.url}/health`).then((r) => r.json())))[0]);
      list.push((await timeIt(() => fetch(`${ta.url}/v1/conversations?project=all`).then((r) => r.json())))[0]);
    }
    const received = Date.now();
    const done = await Promise.all(streams);
    row('/health p50 while 20 turns stream', median(health), 'ms');
    row('/health p99 while 20 turns stream', pct(health, 99), 'ms');
    row('GET /v1/conversations p50 while 20 turns stream', median(list), 'ms');
    row('GET /v1/conversations p99 while 20 turns stream', pct(list, 99), 'ms');
    void received;
    // SSE overhead: the stub stamps each token when it sends it; compare with arrival at the client.
    stub.enqueue({ timestampedTokens: 300, chunkDelayMs: 5 });
    const lat: number[] = [];
    const res = await postJson(`${ta.url}/v1/responses`, { input: 'latency' });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      const now = Date.now();
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m = /"delta":"@(\d+) "/.exec(block);
        if (m) lat.push(now - Number(m[1]));
      }
    }
    row('SSE token latency stub → client p50', median(lat), 'ms');
    row('SSE token latency stub → client p99', pct(lat, 99), 'ms');
    row('turns completed in the load test', done.filter((d) => d.frames.at(-1)?.type === 'response.completed').length);
  } finally {
    await ta.close();
    await stub.stop();
  }
}

async function scale(): Promise<void> {
  const ta = await startTestApp({ listen: true });
  try {
    const store = ta.ctx.conversations;
    const words = ['revenue', 'churn', 'pipeline', 'forecast', 'region', 'margin', 'cohort', 'segment', 'invoice', 'warehouse'];
    const seed = ta.ctx.db.transaction(() => {
      for (let c = 0; c < 10_000; c++) {
        const id = `20260101_000000_${c.toString(16).padStart(6, '0')}`;
        store.ensure(id, 'general');
        const msgs: Message[] = [];
        const n = c < 1000 ? 100 : 2; // 1,000 × 100 + 9,000 × 2 ≈ 118k messages
        for (let m = 0; m < n; m++) {
          const text = `${words[(c + m) % 10]} analysis ${c}-${m} about ${words[(c * 7 + m) % 10]} and ${words[m % 10]}`;
          msgs.push(m % 2 ? { role: 'assistant', content: [{ type: 'text', text }] } : { role: 'user', content: text });
        }
        store.saveHistory(id, msgs, 0, null);
      }
      const long: Message[] = [];
      for (let m = 0; m < 4000; m++) long.push(m % 2 ? { role: 'assistant', content: [{ type: 'text', text: `answer ${m}` }] } : { role: 'user', content: `question ${m}` });
      store.ensure('long_conversation', 'general');
      store.saveHistory('long_conversation', long, 0, null);
    });
    const [seedMs] = await timeIt(async () => seed());
    row('seed 10k conversations / ~120k messages', seedMs, 'ms');
    const [listMs, listed] = await timeIt(() => fetch(`${ta.url}/v1/conversations?project=all&limit=10000`).then((r) => r.json() as Promise<{ conversations: unknown[] }>));
    row(`list ${listed.conversations.length} conversations`, listMs, 'ms');
    const searches: number[] = [];
    for (const q of ['revenue', 'forecast margin', 'cohort 4', 'warehouse invoice']) searches.push((await timeIt(() => fetch(`${ta.url}/v1/search?q=${encodeURIComponent(q)}`).then((r) => r.json())))[0]);
    row('search over ~120k messages (median of 4)', median(searches), 'ms');
    const [msgMs] = await timeIt(() => fetch(`${ta.url}/v1/conversations/long_conversation/messages`).then((r) => r.json()));
    row('/messages of a 2,000-turn conversation', msgMs, 'ms');
  } finally {
    await ta.close();
  }
}

async function churn(): Promise<void> {
  const stub = await new StubLlm().start();
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'k', ANTON_ANTHROPIC_BASE_URL: stub.url } });
  try {
    stub.enqueue({ text: 'hold', hang: true });
    const first = await readSse(await postJson(`${ta.url}/v1/responses`, { input: 'long' }), { stopAfter: (f) => f.type === 'response.output_text.delta' });
    const cid = first.frames[0].conversation_id;
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) {
      const ac = new AbortController();
      const res = await fetch(`${ta.url}/v1/responses/tail?conversation_id=${cid}&from_seq=0`, { signal: ac.signal });
      await res.body!.getReader().read();
      ac.abort();
    }
    await postJson(`${ta.url}/v1/responses/cancel`, { conversation_id: cid });
    for (let i = 0; i < 500; i++) {
      stub.enqueue({ text: `answer number ${i} with a few words` });
      await readSse(await postJson(`${ta.url}/v1/responses`, { input: `turn ${i}` }));
    }
    global.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    const after = process.memoryUsage().rss;
    row('RSS before 1,000 SSE cycles + 500 turns', mb(before), 'MB');
    row('RSS after', mb(after), 'MB');
    row('RSS growth', mb(after - before), 'MB');
  } finally {
    await ta.close();
    await stub.stop();
  }
}

console.log(`Anton Cowork server benchmark — node ${process.version}, ${new Date().toISOString()}\n`);
await coldStart();
await underLoad();
await scale();
await churn();
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
const file = join(REPO_ROOT, 'bench', 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ node: process.version, at: new Date().toISOString(), results }, null, 2));
console.log(`\nwrote ${file}`);
process.exit(0);
