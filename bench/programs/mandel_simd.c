// SIMD: a Mandelbrot set in f32x4 lanes written with portable vector extensions (v128 in wasm, SSE natively).
// bench: full=6 quick=1 simd-only
#include "bench.h"

typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));

enum { kSize = 256, kMaxIter = 200 };

static uint32_t row(float y0, float x_min, float step, uint8_t* out) {
  uint32_t total = 0;
  for (int x = 0; x < kSize; x += 4) {
    f32x4 cr = {x_min + step * (float)x, x_min + step * (float)(x + 1), x_min + step * (float)(x + 2),
                x_min + step * (float)(x + 3)};
    f32x4 ci = {y0, y0, y0, y0};
    f32x4 zr = {0, 0, 0, 0}, zi = {0, 0, 0, 0};
    i32x4 count = {0, 0, 0, 0};
    for (int it = 0; it < kMaxIter; it++) {
      f32x4 zr2 = zr * zr, zi2 = zi * zi;
      i32x4 inside = (zr2 + zi2) <= 4.0f;  // -1 in lanes still iterating
      if (!(inside[0] | inside[1] | inside[2] | inside[3])) break;
      count -= inside;
      f32x4 zri = zr * zi;
      zr = zr2 - zi2 + cr;
      zi = zri + zri + ci;
    }
    for (int l = 0; l < 4; l++) out[x + l] = (uint8_t)count[l], total += (uint32_t)count[l];
  }
  return total;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 6);
  static uint8_t image[kSize * kSize];
  uint64_t sum = 0, total = 0;
  bench_start();
  for (long r = 0; r < reps; r++) {
    float zoom = 1.0f / (float)(1 + r);
    float step = 3.0f * zoom / kSize, x_min = -0.75f - 1.5f * zoom, y_min = 0.1f - 1.5f * zoom;
    for (int y = 0; y < kSize; y++) total += row(y_min + step * (float)y, x_min, step, image + y * kSize);
    sum = bench_mix(sum, total);
  }
  bench_end();
  for (int i = 0; i < kSize * kSize; i += 8) {
    uint64_t w;
    memcpy(&w, image + i, 8);
    sum = bench_mix(sum, w);
  }
  printf("%llu iterations in total\n", (unsigned long long)total);
  bench_report("mandel_simd", reps, sum);
  return 0;
}
