// Call-heavy: doubly recursive Fibonacci, a recursive binary-tree build and walk, and deep mutual recursion.
// bench: full=30 quick=16
#include "bench.h"

// noinline keeps the calls real: with them inlined and unrolled this would measure nothing.
__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

typedef struct Node {
  struct Node *left, *right;
  uint32_t value;
} Node;

__attribute__((noinline)) static Node* build(Node** arena, int depth, uint32_t seed) {
  Node* node = (*arena)++;
  node->value = seed;
  node->left = depth > 0 ? build(arena, depth - 1, seed * 2 + 1) : NULL;
  node->right = depth > 0 ? build(arena, depth - 1, seed * 3 + 7) : NULL;
  return node;
}

__attribute__((noinline)) static uint64_t walk(const Node* node, uint64_t depth) {
  if (!node) return depth;
  return bench_mix(walk(node->left, depth + 1), node->value) ^ walk(node->right, depth + 1);
}

// Mutual recursion a few thousand frames deep: stresses the call stack, not just call speed.
__attribute__((noinline)) static uint64_t odd(uint32_t n, uint64_t acc);
__attribute__((noinline)) static uint64_t even(uint32_t n, uint64_t acc) { return n == 0 ? acc : odd(n - 1, acc * 3 + n) + 1; }
__attribute__((noinline)) static uint64_t odd(uint32_t n, uint64_t acc) { return n == 0 ? acc ^ 1 : even(n - 1, acc + n) * 5; }

int main(int argc, char** argv) {
  long n = bench_scale(argc, argv, 30);
  int depth = n > 14 ? (int)(n - 12) : 2;
  Node* arena = malloc(sizeof(Node) << (depth + 1));
  uint64_t sum = 0;
  bench_start();
  sum = bench_mix(sum, fib((uint32_t)n));
  for (int r = 0; r < 4; r++) {
    Node* cursor = arena;
    Node* root = build(&cursor, depth, (uint32_t)r);
    sum = bench_mix(sum, walk(root, 0));
  }
  for (uint32_t r = 0; r < (uint32_t)n * 20; r++) sum = bench_mix(sum, even(3000 + r, r));
  bench_end();
  printf("fib(%ld) = %u\n", n, fib((uint32_t)n));
  bench_report("recursion", n, sum);
  free(arena);
  return 0;
}
