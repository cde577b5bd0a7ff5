// Floating point: dense double-precision matrix multiply C = A*B (i-k-j order, vectorizable inner loop).
// bench: full=300 quick=24 simd
#include "bench.h"

int main(int argc, char** argv) {
  long n = bench_scale(argc, argv, 300);
  double* a = malloc(sizeof(double) * n * n);
  double* b = malloc(sizeof(double) * n * n);
  double* c = malloc(sizeof(double) * n * n);
  uint64_t seed = 7;
  for (long i = 0; i < n * n; i++) {
    a[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
    b[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
  }
  bench_start();
  for (int rep = 0; rep < 2; rep++) {
    for (long i = 0; i < n * n; i++) c[i] = 0.0;
    for (long i = 0; i < n; i++)
      for (long k = 0; k < n; k++) {
        double aik = a[i * n + k];
        for (long j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
      }
    // Feed the product back so the second round is not the same work.
    double* t = a;
    a = c;
    c = t;
    for (long i = 0; i < n * n; i++) a[i] *= 1.0 / (double)n;
  }
  bench_end();
  uint64_t sum = 0;
  double trace = 0;
  for (long i = 0; i < n * n; i++) sum = bench_mix_double(sum, a[i]);
  for (long i = 0; i < n; i++) trace += a[i * n + i];
  printf("trace = %.6f\n", trace);
  bench_report("matmul", n, sum);
  free(a), free(b), free(c);
  return 0;
}
