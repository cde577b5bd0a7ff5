// Integer kernel: Collatz chain lengths, Euclid's gcd and Newton integer square roots (64-bit division).
// bench: full=400000 quick=2000
#include "bench.h"

static uint32_t collatzSteps(uint64_t n) {
  uint32_t steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n >> 1;
    steps++;
  }
  return steps;
}

static uint64_t gcd(uint64_t a, uint64_t b) {
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static uint64_t isqrt(uint64_t n) {
  if (n < 2) return n;
  uint64_t x = n, y = (x + 1) / 2;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2;
  }
  return x;
}

int main(int argc, char** argv) {
  long n = bench_scale(argc, argv, 400000);
  uint64_t sum = 0, longest = 0, arg_longest = 0;
  bench_start();
  for (long i = 1; i <= n; i++) {
    uint32_t s = collatzSteps((uint64_t)i);
    if (s > longest) longest = s, arg_longest = (uint64_t)i;
    sum += s;
  }
  uint64_t seed = 42, g = 0;
  for (long i = 0; i < n / 2; i++) {
    uint64_t a = bench_rand(&seed) >> 20, b = bench_rand(&seed) >> 24;
    g = bench_mix(g, gcd(a, b + 1));
  }
  uint64_t r = 0;
  for (long i = 0; i < n / 4; i++) r += isqrt(bench_rand(&seed) >> (i & 31));
  bench_end();
  printf("longest chain below %ld starts at %llu (%llu steps)\n", n, (unsigned long long)arg_longest,
         (unsigned long long)longest);
  bench_report("intmath", n, bench_mix(bench_mix(sum, g), r));
  return 0;
}
