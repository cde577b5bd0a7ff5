// SIMD: alpha blending and a box blur of 8-bit RGBA images with explicit 128-bit intrinsics.
// bench: full=200 quick=1 simd-only
//
// The same source uses wasm_simd128.h in wasm (-msimd128) and SSE2 natively; each intrinsic pair
// below has the same lane semantics, so both builds compute identical pixels.
#include "bench.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
typedef v128_t vec;
#define vload(p) wasm_v128_load(p)
#define vstore(p, v) wasm_v128_store(p, v)
#define vsplat16(x) wasm_i16x8_splat(x)
#define vwiden_lo(v) wasm_u16x8_extend_low_u8x16(v)
#define vwiden_hi(v) wasm_u16x8_extend_high_u8x16(v)
#define vmul16(a, b) wasm_i16x8_mul(a, b)
#define vadd16(a, b) wasm_i16x8_add(a, b)
#define vshr16(a, n) wasm_u16x8_shr(a, n)
#define vnarrow(a, b) wasm_u8x16_narrow_i16x8(a, b)
#define vavg8(a, b) wasm_u8x16_avgr(a, b)
#define vaddsat8(a, b) wasm_u8x16_add_sat(a, b)
#elif defined(__SSE2__)
#include <emmintrin.h>
typedef __m128i vec;
#define vload(p) _mm_loadu_si128((const __m128i*)(p))
#define vstore(p, v) _mm_storeu_si128((__m128i*)(p), v)
#define vsplat16(x) _mm_set1_epi16(x)
#define vwiden_lo(v) _mm_unpacklo_epi8(v, _mm_setzero_si128())
#define vwiden_hi(v) _mm_unpackhi_epi8(v, _mm_setzero_si128())
#define vmul16(a, b) _mm_mullo_epi16(a, b)
#define vadd16(a, b) _mm_add_epi16(a, b)
#define vshr16(a, n) _mm_srli_epi16(a, n)
#define vnarrow(a, b) _mm_packus_epi16(a, b)
#define vavg8(a, b) _mm_avg_epu8(a, b)
#define vaddsat8(a, b) _mm_adds_epu8(a, b)
#else
#error "simd_blend needs wasm SIMD128 or SSE2"
#endif

enum { kWidth = 512, kHeight = 256, kBytes = kWidth * kHeight * 4 };

// out = (a * alpha + b * (256 - alpha)) >> 8 per byte, 16 bytes at a time.
static void blend(uint8_t* out, const uint8_t* a, const uint8_t* b, int alpha) {
  vec wa = vsplat16((int16_t)alpha), wb = vsplat16((int16_t)(256 - alpha));
  for (int i = 0; i < kBytes; i += 16) {
    vec va = vload(a + i), vb = vload(b + i);
    vec lo = vadd16(vmul16(vwiden_lo(va), wa), vmul16(vwiden_lo(vb), wb));
    vec hi = vadd16(vmul16(vwiden_hi(va), wa), vmul16(vwiden_hi(vb), wb));
    vstore(out + i, vnarrow(vshr16(lo, 8), vshr16(hi, 8)));
  }
}

// A vertical 3-tap blur with rounding averages, then a saturating brighten.
static void blurBrighten(uint8_t* out, const uint8_t* in, uint8_t amount) {
  const int row = kWidth * 4;
  uint8_t bright[16];
  memset(bright, amount, 16);
  vec add = vload(bright);
  memcpy(out, in, row);
  for (int i = row; i < kBytes - row; i += 16) {
    vec v = vavg8(vavg8(vload(in + i - row), vload(in + i + row)), vload(in + i));
    vstore(out + i, vaddsat8(v, add));
  }
  memcpy(out + kBytes - row, in + kBytes - row, row);
}

int main(int argc, char** argv) {
  long frames = bench_scale(argc, argv, 200);
  uint8_t* a = malloc(kBytes);
  uint8_t* b = malloc(kBytes);
  uint8_t* t = malloc(kBytes);
  uint64_t seed = 11;
  for (int i = 0; i < kBytes; i++) a[i] = (uint8_t)bench_rand(&seed), b[i] = (uint8_t)(i * 7 + (i >> 9));
  uint64_t sum = 0;
  bench_start();
  for (long f = 0; f < frames; f++) {
    blend(t, a, b, (int)(f * 37 % 257));
    blurBrighten(a, t, (uint8_t)(f & 7));
    sum = bench_mix(sum, a[(f * 4099) % kBytes]);
  }
  bench_end();
  for (int i = 0; i < kBytes; i += 8) {
    uint64_t w;
    memcpy(&w, a + i, 8);
    sum = bench_mix(sum, w);
  }
  bench_report("simd_blend", frames, sum);
  free(a), free(b), free(t);
  return 0;
}
