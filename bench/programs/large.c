// A large module, for compile-time figures: 3,000 generated functions, 1.4 MB of code section.
// bench: full=400 quick=2
// Issues 10 and 11 measure compile speed on a module of 1 MB of code section or more. The
// functions are stamped out by the preprocessor from one template, each a loop over a switch of
// integer, floating-point and memory work whose constants come from the function's number (so no
// two compile to the same code and none folds away). Running it calls every function through a
// table, `scale` rounds.
#include "bench.h"

#define N_STATE 64
static uint32_t state[N_STATE];
static double fstate[16];

#define DEFINE(n)                                                                                   \
  __attribute__((noinline)) static uint64_t f##n(uint64_t h, uint32_t k) {                          \
    uint32_t s = (uint32_t)h ^ (n * 2654435761u);                                                   \
    for (uint32_t i = 0; i < 16 + (n % 7); i++) {                                                   \
      uint32_t j = (s + i * (n | 1)) & (N_STATE - 1);                                               \
      switch ((s >> (n % 23)) & 7) {                                                                \
        case 0: state[j] += s * (n + 3); break;                                                     \
        case 1: state[j] ^= (s >> 3) + n; break;                                                    \
        case 2: state[j] = (state[j] << (n % 31 + 1)) | (state[j] >> (31 - n % 31)); break;         \
        case 3: fstate[j & 15] = fstate[j & 15] * 0.5 + (double)(s % (n + 11)); break;              \
        case 4: s += (uint32_t)(fstate[(j + n) & 15] * 3.0); break;                                 \
        case 5: state[(j + 1) & (N_STATE - 1)] -= state[j] / ((n % 5) + 1); break;                  \
        case 6: s = s * 1664525u + 1013904223u + n; break;                                          \
        default: s ^= state[j] + k; break;                                                          \
      }                                                                                             \
      s = (s << 7 | s >> 25) + state[j];                                                            \
    }                                                                                               \
    return bench_mix(h, s + n);                                                                     \
  }

#define D10(p) DEFINE(p##0) DEFINE(p##1) DEFINE(p##2) DEFINE(p##3) DEFINE(p##4) \
               DEFINE(p##5) DEFINE(p##6) DEFINE(p##7) DEFINE(p##8) DEFINE(p##9)
#define D100(p) D10(p##0) D10(p##1) D10(p##2) D10(p##3) D10(p##4) D10(p##5) D10(p##6) D10(p##7) D10(p##8) D10(p##9)
#define D1000(p) D100(p##0) D100(p##1) D100(p##2) D100(p##3) D100(p##4) \
                 D100(p##5) D100(p##6) D100(p##7) D100(p##8) D100(p##9)
D1000(1)
D1000(2)
D1000(3)

#define T10(p) f##p##0, f##p##1, f##p##2, f##p##3, f##p##4, f##p##5, f##p##6, f##p##7, f##p##8, f##p##9
#define T100(p) T10(p##0), T10(p##1), T10(p##2), T10(p##3), T10(p##4), T10(p##5), T10(p##6), T10(p##7), \
                T10(p##8), T10(p##9)
#define T1000(p) T100(p##0), T100(p##1), T100(p##2), T100(p##3), T100(p##4), T100(p##5), T100(p##6), \
                 T100(p##7), T100(p##8), T100(p##9)
static uint64_t (*const table[])(uint64_t, uint32_t) = {T1000(1), T1000(2), T1000(3)};

int main(int argc, char** argv) {
  long rounds = bench_scale(argc, argv, 400);
  uint64_t h = 1;
  bench_start();
  for (long r = 0; r < rounds; r++)
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) h = table[i](h, (uint32_t)r);
  bench_end();
  for (int j = 0; j < N_STATE; j++) h = bench_mix(h, state[j]);
  bench_report("large", rounds, h);
  return 0;
}
