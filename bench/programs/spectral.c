// Floating point: the spectral norm of the infinite matrix a(i,j) = 1/((i+j)(i+j+1)/2+i+1), by power iteration.
// bench: full=700 quick=40
#include <math.h>

#include "bench.h"

static inline double entry(long i, long j) { return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1); }

static void mulA(const double* v, double* out, long n) {
  for (long i = 0; i < n; i++) {
    double s = 0;
    for (long j = 0; j < n; j++) s += entry(i, j) * v[j];
    out[i] = s;
  }
}

static void mulAt(const double* v, double* out, long n) {
  for (long i = 0; i < n; i++) {
    double s = 0;
    for (long j = 0; j < n; j++) s += entry(j, i) * v[j];
    out[i] = s;
  }
}

static void mulAtA(const double* v, double* out, double* tmp, long n) {
  mulA(v, tmp, n);
  mulAt(tmp, out, n);
}

int main(int argc, char** argv) {
  long n = bench_scale(argc, argv, 700);
  double* u = malloc(sizeof(double) * n);
  double* v = malloc(sizeof(double) * n);
  double* tmp = malloc(sizeof(double) * n);
  for (long i = 0; i < n; i++) u[i] = 1.0;
  bench_start();
  for (int i = 0; i < 10; i++) {
    mulAtA(u, v, tmp, n);
    mulAtA(v, u, tmp, n);
  }
  double vbv = 0, vv = 0;
  for (long i = 0; i < n; i++) vbv += u[i] * v[i], vv += v[i] * v[i];
  bench_end();
  double norm = sqrt(vbv / vv);
  printf("spectral norm %.9f\n", norm);
  uint64_t sum = 0;
  for (long i = 0; i < n; i++) sum = bench_mix_double(sum, u[i]);
  bench_report("spectral", n, bench_mix_double(sum, norm));
  free(u), free(v), free(tmp);
  return 0;
}
