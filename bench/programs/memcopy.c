// Memory-bound: copies, overlapping moves, fills and a strided gather over a 4 MiB buffer.
// bench: full=48 quick=1 simd
#include "bench.h"

enum { kBuf = 4 << 20 };

// A plain byte loop: what a memcpy without a fast path costs (the compiler may widen it).
static void copyBytes(uint8_t* dst, const uint8_t* src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[i] ^ (uint8_t)i;
}

static void copyWords(uint64_t* dst, const uint64_t* src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[i] + 1;
}

static uint64_t gather(const uint32_t* src, size_t n, size_t stride) {
  uint64_t s = 0;
  for (size_t i = 0, j = 0; i < n; i++, j = (j + stride) & (kBuf / 4 - 1)) s += src[j];
  return s;
}

int main(int argc, char** argv) {
  long rounds = bench_scale(argc, argv, 48);
  uint8_t* a = malloc(kBuf);
  uint8_t* b = malloc(kBuf);
  uint64_t seed = 3;
  for (size_t i = 0; i < kBuf; i += 8) {
    uint64_t r = bench_rand(&seed);
    memcpy(a + i, &r, 8);
  }
  uint64_t sum = 0;
  bench_start();
  for (long r = 0; r < rounds; r++) {
    size_t shift = (size_t)(r * 37) % 4096;
    copyBytes(b, a + shift, kBuf / 2);
    copyWords((uint64_t*)a, (const uint64_t*)b, kBuf / 16);
    memmove(a + 1 + shift, a, kBuf / 2);  // overlapping, forward-unfriendly direction
    memcpy(b + kBuf / 2, a + (r & 4095), kBuf / 4);
    memset(b + (r % 8192), (int)r, 65536);
    sum = bench_mix(sum, gather((const uint32_t*)b, kBuf / 16, 4099));
    sum = bench_mix(sum, a[r * 101 % kBuf]);
  }
  bench_end();
  for (size_t i = 0; i < kBuf; i += 4096) sum = bench_mix(sum, (uint64_t)a[i] << 8 | b[i]);
  bench_report("memcopy", rounds, sum);
  free(a), free(b);
  return 0;
}
