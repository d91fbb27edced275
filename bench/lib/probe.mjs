// Preloaded (`node --import bench/lib/probe.mjs …`) into every server the bench measures — ours and the
// baselines alike — so RSS, heap, CPU and event-loop delay are read inside the measured process, over the IPC
// channel the bench opened. It adds no route to the server, and no timer outside the stall sampler's windows.
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { loadThreadClock } from './thread-clock.mjs';

if (process.send) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let cpuFrom = process.cpuUsage();
  // V8's memory reducer (a compacting GC run once the process has gone quiet) is a full GC that also collects all
  // external memory, and is not forced: once it has run, the process has settled.
  let memoryReducerGcs = 0;
  let lastMemoryReducerGc = 0;
  const { NODE_PERFORMANCE_GC_MAJOR: MAJOR, NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY: ALL_EXTERNAL, NODE_PERFORMANCE_GC_FLAGS_FORCED: FORCED } = constants;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail?.kind === MAJOR && e.detail.flags & ALL_EXTERNAL && !(e.detail.flags & FORCED)) {
        memoryReducerGcs++;
        lastMemoryReducerGc = performance.now();
      }
  }).observe({ entryTypes: ['gc'] });
  // Stalls: how long the server itself held its loop. The delay histogram above counts every late timer, including
  // the time the thread waited for a CPU while the OS ran another process (the stub and the load generator share the
  // machine's cores: the relay's own maximum is over 5 ms with under 1 ms of its work in it). This sampler, on from a
  // reset asked `{ stalls: true }` to the next read, ticks every 1 ms and reads the main thread's own CPU clock
  // (bench/lib/thread-clock.mjs): the CPU time between two ticks is the work of one turn of the loop, GC pauses
  // included. Not counted: time off the CPU, whatever the reason — preempted, waiting to be scheduled, or blocked
  // (a synchronous disk wait, a parallel GC waiting for its helper threads). About 1 µs a tick: it is kept out of the
  // windows whose CPU is counted, except where a figure says so.
  const clock = loadThreadClock();
  let stalls = null;
  const startStalls = () => {
    let [lastCpu] = clock.sample();
    const s = { maxMs: 0, ticks: 0 };
    s.timer = setInterval(() => {
      const [cpu] = clock.sample();
      if (cpu - lastCpu > s.maxMs) s.maxMs = cpu - lastCpu;
      s.ticks++;
      lastCpu = cpu;
    }, 1);
    s.timer.unref();
    return s;
  };
  const stopStalls = () => {
    if (!stalls) return null;
    clearInterval(stalls.timer);
    const s = stalls;
    stalls = null;
    return s.ticks ? s.maxMs : null;
  };
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object' || !('probe' in msg)) return;
    if (msg.probe === 'reset') {
      delay.reset();
      stopStalls();
      if (msg.stalls && clock) stalls = startStalls();
      cpuFrom = process.cpuUsage();
      process.send({ probe: 'reset', ok: true });
      return;
    }
    if (msg.gc && typeof globalThis.gc === 'function') globalThis.gc();
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage(cpuFrom);
    process.send({
      probe: 'read',
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      // The histogram's floor is its resolution; values are in ns.
      loopDelayMaxMs: delay.max / 1e6,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMeanMs: delay.mean / 1e6,
      stallMaxMs: stopStalls(),
      memoryReducerGcs,
      msSinceMemoryReducerGc: memoryReducerGcs ? performance.now() - lastMemoryReducerGc : null,
    });
  });
  process.channel?.unref(); // the probe never keeps a process alive
}
