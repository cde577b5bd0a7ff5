// Switch-heavy: a stack-machine bytecode interpreter (one dense switch) running a sieve and a hash loop.
// bench: full=30 quick=2
#include "bench.h"

enum Opcode {
  kPush, kLoad, kStore, kAdd, kSub, kMul, kAnd, kXor, kShl, kShr, kLt, kJmp, kJz, kLoadMem, kStoreMem, kDup, kHalt
};

// Runs `code` (an opcode byte, then a 32-bit little-endian operand for Push/Load/Store/Jmp/Jz).
static int64_t run(const uint8_t* code, int64_t* vars, int64_t* mem, uint64_t* executed) {
  int64_t stack[64];
  int sp = 0;
  uint64_t count = 0;
  for (const uint8_t* pc = code;;) {
    count++;
    uint8_t op = *pc++;
    int32_t arg = 0;
    if (op == kPush || op == kLoad || op == kStore || op == kJmp || op == kJz) {
      arg = (int32_t)((uint32_t)pc[0] | (uint32_t)pc[1] << 8 | (uint32_t)pc[2] << 16 | (uint32_t)pc[3] << 24);
      pc += 4;
    }
    switch (op) {
      case kPush: stack[sp++] = arg; break;
      case kLoad: stack[sp++] = vars[arg]; break;
      case kStore: vars[arg] = stack[--sp]; break;
      case kAdd: sp--, stack[sp - 1] += stack[sp]; break;
      case kSub: sp--, stack[sp - 1] -= stack[sp]; break;
      case kMul: sp--, stack[sp - 1] *= stack[sp]; break;
      case kAnd: sp--, stack[sp - 1] &= stack[sp]; break;
      case kXor: sp--, stack[sp - 1] ^= stack[sp]; break;
      case kShl: sp--, stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] << (stack[sp] & 63)); break;
      case kShr: sp--, stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63)); break;
      case kLt: sp--, stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case kJmp: pc = code + arg; break;
      case kJz: if (stack[--sp] == 0) pc = code + arg; break;
      case kLoadMem: stack[sp - 1] = mem[stack[sp - 1]]; break;
      case kStoreMem: sp -= 2, mem[stack[sp + 1]] = stack[sp]; break;
      case kDup: stack[sp] = stack[sp - 1], sp++; break;
      case kHalt: *executed = count; return sp > 0 ? stack[sp - 1] : 0;
      default: *executed = count; return -1;
    }
  }
}

typedef struct {
  uint8_t code[1024];
  int len;
} Asm;

static void emit(Asm* a, enum Opcode op) { a->code[a->len++] = (uint8_t)op; }
static void emitArg(Asm* a, enum Opcode op, int32_t arg) {
  emit(a, op);
  for (int i = 0; i < 4; i++) a->code[a->len++] = (uint8_t)((uint32_t)arg >> (8 * i));
}
static int here(const Asm* a) { return a->len; }
static void patch(Asm* a, int at, int32_t target) {
  for (int i = 0; i < 4; i++) a->code[at + 1 + i] = (uint8_t)((uint32_t)target >> (8 * i));
}

// vars: 0 = i, 1 = j, 2 = n, 3 = count, 4 = hash. The program sieves primes below n (mem[k] = 1 marks a
// composite), counts them, then hashes the first n integers with a shift-xor-multiply loop.
static void assemble(Asm* a) {
  emitArg(a, kPush, 2), emitArg(a, kStore, 0);
  int outer = here(a);
  emitArg(a, kLoad, 0), emitArg(a, kLoad, 2), emit(a, kLt);
  int exit1 = here(a);
  emitArg(a, kJz, 0);
  emitArg(a, kLoad, 0), emit(a, kLoadMem);
  int skip = here(a);
  emitArg(a, kJz, 0);
  int next_i = here(a);
  emitArg(a, kJmp, 0);
  patch(a, skip, here(a));  // i is prime: count it, mark its multiples from 2i
  emitArg(a, kLoad, 3), emitArg(a, kPush, 1), emit(a, kAdd), emitArg(a, kStore, 3);
  emitArg(a, kLoad, 0), emit(a, kDup), emit(a, kAdd), emitArg(a, kStore, 1);
  int inner = here(a);
  emitArg(a, kLoad, 1), emitArg(a, kLoad, 2), emit(a, kLt);
  int exit2 = here(a);
  emitArg(a, kJz, 0);
  emitArg(a, kPush, 1), emitArg(a, kLoad, 1), emit(a, kStoreMem);
  emitArg(a, kLoad, 1), emitArg(a, kLoad, 0), emit(a, kAdd), emitArg(a, kStore, 1);
  emitArg(a, kJmp, inner);
  patch(a, exit2, here(a));
  patch(a, next_i, here(a));
  emitArg(a, kLoad, 0), emitArg(a, kPush, 1), emit(a, kAdd), emitArg(a, kStore, 0);
  emitArg(a, kJmp, outer);
  patch(a, exit1, here(a));
  // hash loop: for (i = 0; i < n; i++) hash = ((hash << 5) ^ (hash >> 3) ^ i) * 31 & 0xffffffff
  emitArg(a, kPush, 0), emitArg(a, kStore, 0);
  int loop = here(a);
  emitArg(a, kLoad, 0), emitArg(a, kLoad, 2), emit(a, kLt);
  int exit3 = here(a);
  emitArg(a, kJz, 0);
  emitArg(a, kLoad, 4), emitArg(a, kPush, 5), emit(a, kShl);
  emitArg(a, kLoad, 4), emitArg(a, kPush, 3), emit(a, kShr), emit(a, kXor);
  emitArg(a, kLoad, 0), emit(a, kXor), emitArg(a, kPush, 31), emit(a, kMul);
  emitArg(a, kPush, -1), emitArg(a, kPush, 32), emit(a, kShl), emitArg(a, kPush, -1), emit(a, kXor), emit(a, kAnd);
  emitArg(a, kStore, 4);
  emitArg(a, kLoad, 0), emitArg(a, kPush, 1), emit(a, kAdd), emitArg(a, kStore, 0);
  emitArg(a, kJmp, loop);
  patch(a, exit3, here(a));
  emitArg(a, kLoad, 4), emitArg(a, kLoad, 3), emit(a, kXor), emit(a, kHalt);
}

int main(int argc, char** argv) {
  long scale = bench_scale(argc, argv, 30);
  int64_t n = scale * 10000;
  Asm a = {{0}, 0};
  assemble(&a);
  int64_t* mem = calloc((size_t)n + 1, sizeof(int64_t));
  int64_t vars[8] = {0};
  vars[2] = n;
  uint64_t executed = 0;
  bench_start();
  int64_t result = run(a.code, vars, mem, &executed);
  bench_end();
  printf("%lld primes below %lld, %llu bytecodes executed\n", (long long)vars[3], (long long)n,
         (unsigned long long)executed);
  bench_report("bytecode", scale, bench_mix((uint64_t)result, executed));
  free(mem);
  return 0;
}
