// Glue shared by the benchmark programs: bench_start/bench_end, the scale argument and the checksum line.
//
// In wasm the two markers are the Sightglass imports bench.start and bench.end, so the engine
// times the work (see ../shared/bench/README.md). Natively, and in wasm built with
// -DBENCH_SELF_TIMED (for engines that cannot provide the bench imports), they read
// CLOCK_MONOTONIC and bench_end prints "[bench] ns=N" on stderr, which the harness reads and
// strips before it compares outputs.
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__wasm__) && !defined(BENCH_SELF_TIMED)
__attribute__((import_module("bench"), import_name("start"))) void bench_start(void);
__attribute__((import_module("bench"), import_name("end"))) void bench_end(void);
#else
#include <time.h>
static struct timespec bench_t0_;
static void bench_start(void) { clock_gettime(CLOCK_MONOTONIC, &bench_t0_); }
static void bench_end(void) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (long long)(t1.tv_sec - bench_t0_.tv_sec) * 1000000000LL + (t1.tv_nsec - bench_t0_.tv_nsec);
  fprintf(stderr, "[bench] ns=%lld\n", ns);
}
#endif

// The size or scale of the work: argv[1] when given, else the full-size default.
static inline long bench_scale(int argc, char** argv, long full) {
  if (argc < 2) return full;
  long v = strtol(argv[1], NULL, 10);
  return v > 0 ? v : full;
}

// A 64-bit mixing step (a multiply-xorshift), so every input bit reaches the checksum.
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

static inline uint64_t bench_mix_double(uint64_t h, double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bench_mix(h, bits);
}

// A small deterministic generator (xorshift64*), identical on every target.
static inline uint64_t bench_rand(uint64_t* state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545f4914f6cdd1dULL;
}

// The line the harness compares between the wasm and native builds.
static inline void bench_report(const char* name, long scale, uint64_t checksum) {
  printf("%s(%ld): checksum %016llx\n", name, scale, (unsigned long long)checksum);
}
