// Preloaded (`node --import bench/lib/probe.mjs …`) into every server the bench measures — ours and the
// baselines alike — so RSS, heap, CPU and event-loop delay are read inside the measured process, over the IPC
// channel the bench opened. It adds no route and no timer to the server.
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

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
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object' || !('probe' in msg)) return;
    if (msg.probe === 'reset') {
      delay.reset();
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
      memoryReducerGcs,
      msSinceMemoryReducerGc: memoryReducerGcs ? performance.now() - lastMemoryReducerGc : null,
    });
  });
  process.channel?.unref(); // the probe never keeps a process alive
}
