// Floating point: iterative radix-2 complex FFT, forward then inverse, on a 4096-point signal.
// bench: full=160 quick=2
#include <math.h>

#include "bench.h"

enum { kLog = 12, kSize = 1 << kLog };

// sin on [-pi, pi] by a Taylor polynomial: libm's sin differs between wasi-libc and glibc in the
// last bit, which would make the checksums differ; +,-,*,/ are exact IEEE in both.
static double polySin(double x) {
  double x2 = x * x, term = x, sum = x;
  for (int k = 1; k < 12; k++) {
    term *= -x2 / (double)((2 * k) * (2 * k + 1));
    sum += term;
  }
  return sum;
}

static const double kPi = 3.14159265358979323846;

static void transform(double* re, double* im, const double* wr, const double* wi, int inverse) {
  for (int i = 1, j = 0; i < kSize; i++) {  // bit-reversal permutation
    int bit = kSize >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j |= bit;
    if (i < j) {
      double t = re[i];
      re[i] = re[j], re[j] = t;
      t = im[i], im[i] = im[j], im[j] = t;
    }
  }
  for (int len = 2; len <= kSize; len <<= 1) {
    int half = len >> 1, stride = kSize / len;
    for (int i = 0; i < kSize; i += len)
      for (int k = 0; k < half; k++) {
        double cr = wr[k * stride], ci = inverse ? -wi[k * stride] : wi[k * stride];
        double xr = re[i + k + half] * cr - im[i + k + half] * ci;
        double xi = re[i + k + half] * ci + im[i + k + half] * cr;
        re[i + k + half] = re[i + k] - xr, im[i + k + half] = im[i + k] - xi;
        re[i + k] += xr, im[i + k] += xi;
      }
  }
  if (inverse)
    for (int i = 0; i < kSize; i++) re[i] /= kSize, im[i] /= kSize;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 160);
  static double re[kSize], im[kSize], wr[kSize / 2], wi[kSize / 2];
  for (int k = 0; k < kSize / 2; k++) {
    double a = -2.0 * kPi * k / kSize;  // in (-pi, 0]
    wi[k] = polySin(a);
    wr[k] = polySin(a + kPi / 2);  // cos a = sin(a + pi/2), still within [-pi, pi]
  }
  uint64_t seed = 99;
  for (int i = 0; i < kSize; i++) {
    re[i] = (double)(bench_rand(&seed) % 1000) / 500.0 - 1.0;
    im[i] = 0;
  }
  uint64_t sum = 0;
  bench_start();
  for (long r = 0; r < reps; r++) {
    transform(re, im, wr, wi, 0);
    sum = bench_mix_double(sum, re[r % kSize]);
    transform(re, im, wr, wi, 1);
    re[r % kSize] += 0.001;  // perturb so the rounds differ
  }
  bench_end();
  for (int i = 0; i < kSize; i++) sum = bench_mix(sum, (uint64_t)(int64_t)llround(re[i] * 1e9));
  printf("re[1] = %.9f\n", re[1]);
  bench_report("fft", reps, sum);
  return 0;
}
