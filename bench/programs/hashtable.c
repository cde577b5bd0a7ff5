// Memory-bound: an open-addressing hash table (linear probing, tombstones) under inserts, lookups and deletes.
// bench: full=600 quick=10
#include "bench.h"

typedef struct {
  uint64_t* keys;  // 0 = empty, 1 = deleted; real keys are >= 2
  uint32_t* values;
  size_t mask;
  size_t used;
} Table;

static inline size_t slotOf(uint64_t key, size_t mask) { return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & mask; }

static void insert(Table* t, uint64_t key, uint32_t value) {
  size_t i = slotOf(key, t->mask), tomb = (size_t)-1;
  for (;; i = (i + 1) & t->mask) {
    uint64_t k = t->keys[i];
    if (k == key) {
      t->values[i] += value;
      return;
    }
    if (k == 1 && tomb == (size_t)-1) tomb = i;
    if (k == 0) break;
  }
  if (tomb != (size_t)-1) i = tomb;
  t->keys[i] = key, t->values[i] = value, t->used++;
}

static uint32_t* find(Table* t, uint64_t key) {
  for (size_t i = slotOf(key, t->mask);; i = (i + 1) & t->mask) {
    if (t->keys[i] == key) return &t->values[i];
    if (t->keys[i] == 0) return NULL;
  }
}

static int erase(Table* t, uint64_t key) {
  uint32_t* v = find(t, key);
  if (!v) return 0;
  t->keys[v - t->values] = 1;
  t->used--;
  return 1;
}

int main(int argc, char** argv) {
  long thousands = bench_scale(argc, argv, 600);
  long ops = thousands * 1000;
  size_t size = 1;
  while (size < (size_t)ops) size <<= 1;  // load stays below 1/2 with the deletes below
  Table t = {calloc(size * 2, sizeof(uint64_t)), calloc(size * 2, sizeof(uint32_t)), size * 2 - 1, 0};
  uint64_t seed = 1234, sum = 0;
  bench_start();
  for (long i = 0; i < ops; i++) {
    uint64_t key = (bench_rand(&seed) % (uint64_t)(ops * 2)) + 2;  // about 1 in 3 repeats
    insert(&t, key, (uint32_t)i);
    if ((i & 3) == 0) sum += (uint64_t)erase(&t, key ^ 6);
  }
  seed = 1234;
  for (long i = 0; i < ops * 2; i++) {
    uint64_t key = (i & 1) ? (uint64_t)i + 2 : (bench_rand(&seed) % (uint64_t)(ops * 2)) + 2;
    uint32_t* v = find(&t, key);
    sum = v ? bench_mix(sum, *v) : sum + 1;
  }
  bench_end();
  printf("%zu live keys in %zu slots\n", t.used, size * 2);
  bench_report("hashtable", thousands, bench_mix(sum, t.used));
  free(t.keys), free(t.values);
  return 0;
}
