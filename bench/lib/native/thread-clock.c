/*
 * The bench's stall sampler (bench/lib/probe.mjs) needs the calling thread's own CPU clock and its count of
 * involuntary context switches; Node 20 exposes neither (process.cpuUsage() is the whole process, and other
 * threads' time reaches it only at their scheduler ticks). Built by bench/lib/thread-clock.mjs; bench only.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <sys/resource.h>
#include <time.h>

/* sample() -> [cpu ms of this thread, involuntary context switches of this thread] */
static napi_value sample(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec ts;
  struct rusage ru;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  getrusage(RUSAGE_THREAD, &ru);
  napi_value out, cpu, switches;
  napi_create_array_with_length(env, 2, &out);
  napi_create_double(env, (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6, &cpu);
  napi_create_double(env, (double)ru.ru_nivcsw, &switches);
  napi_set_element(env, out, 0, cpu);
  napi_set_element(env, out, 1, switches);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "sample", NAPI_AUTO_LENGTH, sample, NULL, &fn);
  napi_set_named_property(env, exports, "sample", fn);
  return exports;
}
