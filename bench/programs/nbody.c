// Floating point: a gravitational n-body system integrated with symplectic Euler steps.
// bench: full=400000 quick=2000
#include <math.h>

#include "bench.h"

enum { kBodies = 6 };

typedef struct {
  double x, y, z, vx, vy, vz, mass;
} Body;

static void advance(Body* b, double dt) {
  for (int i = 0; i < kBodies; i++)
    for (int j = i + 1; j < kBodies; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      double d2 = dx * dx + dy * dy + dz * dz + 1e-9;
      double mag = dt / (d2 * sqrt(d2));
      b[i].vx -= dx * b[j].mass * mag, b[i].vy -= dy * b[j].mass * mag, b[i].vz -= dz * b[j].mass * mag;
      b[j].vx += dx * b[i].mass * mag, b[j].vy += dy * b[i].mass * mag, b[j].vz += dz * b[i].mass * mag;
    }
  for (int i = 0; i < kBodies; i++) b[i].x += dt * b[i].vx, b[i].y += dt * b[i].vy, b[i].z += dt * b[i].vz;
}

static double energy(const Body* b) {
  double e = 0;
  for (int i = 0; i < kBodies; i++) {
    e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < kBodies; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

int main(int argc, char** argv) {
  long steps = bench_scale(argc, argv, 400000);
  // A heavy central body and five lighter ones on roughly circular orbits (units: G = 1).
  Body bodies[kBodies] = {{0, 0, 0, 0, 0, 0, 1000.0}};
  for (int i = 1; i < kBodies; i++) {
    double r = 3.0 * i, v = sqrt(1000.0 / r);
    bodies[i] = (Body){r, 0.1 * i, 0.05 * i, 0, v, 0.01 * i, 0.5 + 0.25 * i};
  }
  // Zero the total momentum so the system does not drift.
  for (int i = 1; i < kBodies; i++) {
    bodies[0].vx -= bodies[i].vx * bodies[i].mass / bodies[0].mass;
    bodies[0].vy -= bodies[i].vy * bodies[i].mass / bodies[0].mass;
    bodies[0].vz -= bodies[i].vz * bodies[i].mass / bodies[0].mass;
  }
  double e0 = energy(bodies);
  bench_start();
  for (long s = 0; s < steps; s++) advance(bodies, 0.0005);
  bench_end();
  double e1 = energy(bodies);
  printf("energy %.9f -> %.9f\n", e0, e1);
  uint64_t sum = 0;
  for (int i = 0; i < kBodies; i++) {
    sum = bench_mix_double(sum, bodies[i].x);
    sum = bench_mix_double(sum, bodies[i].vy);
  }
  bench_report("nbody", steps, bench_mix_double(sum, e1));
  return 0;
}
