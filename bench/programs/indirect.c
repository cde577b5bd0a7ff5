// Call-heavy: indirect calls through a table of function pointers and through per-object "vtables".
// bench: full=12 quick=1
#include "bench.h"

typedef uint32_t (*Op)(uint32_t acc, uint32_t x);

static uint32_t opAdd(uint32_t a, uint32_t x) { return a + x; }
static uint32_t opXor(uint32_t a, uint32_t x) { return a ^ (x * 0x9e3779b9u); }
static uint32_t opRot(uint32_t a, uint32_t x) { return (a << (x & 31)) | (a >> ((32 - (x & 31)) & 31)); }
static uint32_t opMul(uint32_t a, uint32_t x) { return a * (x | 1); }
static uint32_t opSub(uint32_t a, uint32_t x) { return a - (x >> 3); }
static uint32_t opMix(uint32_t a, uint32_t x) { return (a ^ (a >> 15)) + x; }
static uint32_t opMin(uint32_t a, uint32_t x) { return a < x ? a + 1 : x + a; }
static uint32_t opNot(uint32_t a, uint32_t x) { return ~a + (x & 0xff); }

typedef struct Shape Shape;
typedef struct {
  int64_t (*area)(const Shape*);
  int64_t (*perimeter)(const Shape*);
} ShapeVtable;
struct Shape {
  const ShapeVtable* vt;
  int32_t a, b;
};

static int64_t rectArea(const Shape* s) { return (int64_t)s->a * s->b; }
static int64_t rectPerimeter(const Shape* s) { return 2 * ((int64_t)s->a + s->b); }
static int64_t triArea(const Shape* s) { return (int64_t)s->a * s->b / 2; }
static int64_t triPerimeter(const Shape* s) { return (int64_t)s->a + s->b + (s->a > s->b ? s->a : s->b); }
static int64_t squareArea(const Shape* s) { return (int64_t)s->a * s->a; }
static int64_t squarePerimeter(const Shape* s) { return 4 * (int64_t)s->a; }

static const ShapeVtable kRect = {rectArea, rectPerimeter};
static const ShapeVtable kTri = {triArea, triPerimeter};
static const ShapeVtable kSquare = {squareArea, squarePerimeter};

int main(int argc, char** argv) {
  long millions = bench_scale(argc, argv, 12);
  // volatile: the table must stay a table, or the compiler turns the calls into a switch.
  static Op volatile ops[8] = {opAdd, opXor, opRot, opMul, opSub, opMix, opMin, opNot};
  enum { kShapes = 1024 };
  static Shape shapes[kShapes];
  const ShapeVtable* vts[3] = {&kRect, &kTri, &kSquare};
  uint64_t seed = 77;
  for (int i = 0; i < kShapes; i++) {
    uint64_t r = bench_rand(&seed);
    shapes[i] = (Shape){vts[r % 3], (int32_t)(r >> 8 & 1023) + 1, (int32_t)(r >> 20 & 1023) + 1};
  }
  uint8_t program[4096];
  for (int i = 0; i < 4096; i++) program[i] = (uint8_t)(bench_rand(&seed) & 7);
  uint32_t acc = 1;
  int64_t total = 0;
  bench_start();
  for (long i = 0; i < millions * 1000000; i++) acc = ops[program[i & 4095]](acc, (uint32_t)i);
  for (long i = 0; i < millions * 250000; i++) {
    const Shape* s = &shapes[(i * 7) & (kShapes - 1)];
    total += s->vt->area(s) - s->vt->perimeter(s);
  }
  bench_end();
  printf("acc = %u, total = %lld\n", acc, (long long)total);
  bench_report("indirect", millions, bench_mix(acc, (uint64_t)total));
  return 0;
}
