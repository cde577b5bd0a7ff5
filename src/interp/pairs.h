// Superinstructions: two numeric instructions where the second consumes the first's result,
// run by one handler (one dispatch instead of two, and the intermediate value stays in a
// register instead of a frame slot). The list is short and chosen from dispatch profiles of
// the benchmark programs (docs/interpreter.md); each entry is generated like the single rows
// of rows.h, from the two rows' semantic functions.
#pragma once

#include <cstdint>
#include <utility>

#include "interp/rows.h"

namespace strata::interp {

// X(first op, its form, second op, its form, position of the first's result among the second's
// operands). Forms are Plain or Imm; with Imm the second op's immediate is its right operand,
// so the first's result can only be its left one (position 0).
#define STRATA_INTERP_PAIRS(X)                                                                          \
  /* ChaCha/Salsa-style quarter rounds: a += b; d ^= a; d <<<= k */                                 \
  X(I32Xor, Plain, I32Rotl, Imm, 0) X(I32Add, Plain, I32Xor, Plain, 0) X(I32Add, Plain, I32Xor, Plain, 1) \
  X(I32Rotl, Imm, I32Add, Plain, 0) X(I32Rotl, Imm, I32Add, Plain, 1) X(I32Rotl, Imm, I32Xor, Plain, 0)   \
  X(I32Rotl, Imm, I32Xor, Plain, 1) X(I32Xor, Plain, I32Add, Plain, 0) X(I32Xor, Plain, I32Add, Plain, 1) \
  /* address arithmetic and dot products: base + (i << k), base + i + k, acc + x * y */                                          \
  X(I32Shl, Imm, I32Add, Plain, 0) X(I32Shl, Imm, I32Add, Plain, 1) X(I32Add, Plain, I32Add, Imm, 0)      \
  X(I32Mul, Imm, I32Add, Plain, 0) X(I32Mul, Imm, I32Add, Plain, 1) X(I32Mul, Plain, I32Add, Plain, 0)    \
  X(I32Mul, Plain, I32Add, Plain, 1)                                                                    \
  /* bit-field extraction */                                                                        \
  X(I32ShrU, Imm, I32And, Imm, 0) X(I32And, Imm, I32Shl, Imm, 0) X(I32ShrU, Imm, I32Or, Plain, 0)        \
  X(I32Shl, Imm, I32Or, Plain, 0) X(I32Shl, Imm, I32Or, Plain, 1)                                        \
  /* 64-bit multiply-accumulate and carries (bignum code) */                                      \
  X(I64Mul, Plain, I64Add, Plain, 0) X(I64Mul, Plain, I64Add, Plain, 1) X(I64Add, Plain, I64ShrU, Imm, 0) \
  X(I64Add, Plain, I64And, Imm, 0) X(I64ShrU, Imm, I64Add, Plain, 0) X(I64ShrU, Imm, I64Add, Plain, 1)    \
  X(I64And, Imm, I64Mul, Plain, 0) X(I64And, Imm, I64Mul, Plain, 1) X(I64Add, Plain, I64Add, Plain, 0)    \
  X(I64Add, Plain, I64Add, Plain, 1) X(I64Shl, Imm, I64Or, Plain, 0) X(I64Shl, Imm, I64Or, Plain, 1)    \
  /* linear congruences and hash mixing: x * k + c, x ^ (x >> k), (x ^ y) * k */                   \
  X(I32Mul, Imm, I32Add, Imm, 0) X(I64Mul, Imm, I64Add, Imm, 0) X(I32ShrU, Imm, I32Xor, Plain, 0)       \
  X(I32ShrU, Imm, I32Xor, Plain, 1) X(I64ShrU, Imm, I64Xor, Plain, 0) X(I64ShrU, Imm, I64Xor, Plain, 1) \
  X(I32Xor, Plain, I32Mul, Imm, 0) X(I64Xor, Plain, I64Mul, Imm, 0)                                    \
  /* floating-point expressions: a * b + c, a * b - c, (a - b) * c, a * b * c (two roundings,     \
     as the separate instructions: never a fused multiply-add) */                                   \
  X(F64Mul, Plain, F64Add, Plain, 0) X(F64Mul, Plain, F64Add, Plain, 1) X(F64Mul, Plain, F64Sub, Plain, 0) \
  X(F64Mul, Plain, F64Sub, Plain, 1) X(F64Sub, Plain, F64Mul, Plain, 0) X(F64Sub, Plain, F64Mul, Plain, 1) \
  X(F64Add, Plain, F64Mul, Plain, 0) X(F64Add, Plain, F64Mul, Plain, 1) X(F64Mul, Plain, F64Mul, Plain, 0) \
  X(F64Mul, Plain, F64Mul, Plain, 1) X(F32Mul, Plain, F32Add, Plain, 0) X(F32Mul, Plain, F32Add, Plain, 1) \
  X(F32Mul, Plain, F32Mul, Plain, 0) X(F32Mul, Plain, F32Mul, Plain, 1)                               \
  /* 64-bit ARX rounds (BLAKE2, ChaCha on 64-bit words), Keccak's chi and theta, Gimli */           \
  X(I64Xor, Plain, I64Rotl, Imm, 0) X(I64Add, Plain, I64Xor, Plain, 0) X(I64Add, Plain, I64Xor, Plain, 1) \
  X(I64Rotl, Imm, I64Add, Plain, 0) X(I64Rotl, Imm, I64Add, Plain, 1) X(I64Rotl, Imm, I64Xor, Plain, 0)   \
  X(I64Rotl, Imm, I64Xor, Plain, 1) X(I64Xor, Plain, I64Add, Plain, 0) X(I64Xor, Plain, I64Add, Plain, 1) \
  X(I64Xor, Plain, I64Xor, Plain, 0) X(I64Xor, Plain, I64Xor, Plain, 1) X(I64Xor, Imm, I64And, Plain, 0)  \
  X(I64Xor, Imm, I64And, Plain, 1) X(I64And, Plain, I64Xor, Plain, 0) X(I64And, Plain, I64Xor, Plain, 1)  \
  X(I32Shl, Imm, I32Xor, Plain, 0) X(I32Shl, Imm, I32Xor, Plain, 1) X(I32Xor, Plain, I32Xor, Plain, 0)    \
  X(I32Xor, Plain, I32Xor, Plain, 1)

struct PairInfo {
  ir::Opcode op1;
  Form f1;
  ir::Opcode op2;
  Form f2;
  int pos;
};

inline constexpr PairInfo kPairs[] = {
#define STRATA_X(o1, f1, o2, f2, p) {ir::Opcode::o1, Form::f1, ir::Opcode::o2, Form::f2, p},
    STRATA_INTERP_PAIRS(STRATA_X)
#undef STRATA_X
};
inline constexpr unsigned kNumPairs = unsigned(std::size(kPairs));

// The pair's index in kPairs, or -1.
constexpr int findPair(ir::Opcode op1, Form f1, ir::Opcode op2, Form f2, int pos) {
  for (unsigned i = 0; i < kNumPairs; ++i) {
    const PairInfo& p = kPairs[i];
    if (p.op1 == op1 && p.f1 == f1 && p.op2 == op2 && p.f2 == f2 && p.pos == pos) return int(i);
  }
  return -1;
}

// Fields after the handler address: dst, a, then the first op's right operand (slot or
// immediate), then the second op's other operand (slot or immediate).
struct PairLayout {
  uint32_t dst = 8, a = 12, b = 16, c = 0, size = 0;
};
constexpr PairLayout pairLayout(const PairInfo& p) {
  PairLayout l;
  l.c = l.b + (p.f1 == Form::Imm ? letterBytes(row(p.op1).params[1]) : 4);
  l.size = l.c + (p.f2 == Form::Imm ? letterBytes(row(p.op2).params[1]) : 4);
  return l;
}

namespace gen {

template <char c, bool imm>
inline LetterT<c> operandAt(const uint8_t* ip, const uint8_t* fp, uint32_t at) {
  if constexpr (imm) return rd<LetterT<c>>(ip + at);
  else return load<LetterT<c>>(fp, rd<Slot>(ip + at));
}

}  // namespace gen

// Runs pair `index` at ip; returns the next ip. The listed ops never trap.
template <unsigned index>
inline const uint8_t* pairExec(const uint8_t* ip, uint8_t* fp) {
  constexpr PairInfo p = kPairs[index];
  constexpr PairLayout l = pairLayout(p);
  constexpr const RowInfo& r1 = row(p.op1);
  constexpr const RowInfo& r2 = row(p.op2);
  static_assert(!genMayTrap<p.op1>() && !genMayTrap<p.op2>(), "pairs are of ops that cannot trap");
  static_assert(r1.results[0] == r2.params[p.pos], "the second op must take the first's result");
  using gen::Exact;
  auto a = gen::operandAt<r1.params[0], false>(ip, fp, l.a);
  auto b = gen::operandAt<r1.params[1], p.f1 == Form::Imm>(ip, fp, l.b);
  auto t = gen::Sem<p.op1>::call(Exact<decltype(a)>{a}, Exact<decltype(b)>{b});
  auto c = gen::operandAt<r2.params[1 - p.pos], p.f2 == Form::Imm>(ip, fp, l.c);
  LetterT<r2.results[0]> v;
  if constexpr (p.pos == 0) v = gen::Sem<p.op2>::call(Exact<decltype(t)>{t}, Exact<decltype(c)>{c});
  else v = gen::Sem<p.op2>::call(Exact<decltype(c)>{c}, Exact<decltype(t)>{t});
  gen::store(fp, rd<Slot>(ip + l.dst), v);
  return ip + l.size;
}

// Increment and branch: `i = i + k; if (i <cmp> n) goto L`, the back edge of counted loops
// (an i32.add, of a constant or of a slot, whose result goes to a local by local.tee or
// local.set or stays on the stack, then a comparison of it fused with br_if; a plain br_if on
// it is `i != 0`). One handler writes i and branches.
#define STRATA_INTERP_INCR_BRANCHES(X)                                                              \
  X(I32LtU) X(I32LtS) X(I32Ne) X(I32Eq) X(I32GtU) X(I32GtS) X(I32LeU) X(I32LeS) X(I32GeU) X(I32GeS)

inline constexpr ir::Opcode kIncrOps[] = {
#define STRATA_X(op) ir::Opcode::op,
    STRATA_INTERP_INCR_BRANCHES(STRATA_X)
#undef STRATA_X
};
inline constexpr unsigned kNumIncr = unsigned(std::size(kIncrOps));
// Four forms per comparison, in Form order from BrIf: BrIf, BrIfImm, BrUnless, BrUnlessImm;
// the first kNumIncr * kIncrForms handlers add a constant, the others a slot.
inline constexpr unsigned kIncrForms = 4;
inline constexpr unsigned kNumIncrHandlers = 2 * kNumIncr * kIncrForms;

// The index of (op, form, whether the add's operand is a slot) in the incr tables, or -1.
constexpr int findIncr(ir::Opcode op, Form form, bool slot_add) {
  if (form < Form::BrIf) return -1;
  for (unsigned i = 0; i < kNumIncr; ++i)
    if (kIncrOps[i] == op)
      return int((slot_add ? kNumIncr * kIncrForms : 0) + i * kIncrForms + (unsigned(form) - unsigned(Form::BrIf)));
  return -1;
}

// Fields after the handler address: dst (the local), a (the add's operand), k (the constant or
// the slot added), then the comparison's right operand (slot, or immediate in the Imm forms),
// then the branch.
struct IncrLayout {
  static constexpr uint32_t dst = 8, a = 12, k = 16, b = 20, rel = 24, size = 28;
};

template <unsigned index>
inline const uint8_t* incrExec(const uint8_t* ip, uint8_t* fp) {
  constexpr bool slot_add = index >= kNumIncr * kIncrForms;
  constexpr unsigned i = index % (kNumIncr * kIncrForms);
  constexpr ir::Opcode op = kIncrOps[i / kIncrForms];
  constexpr Form form = Form(unsigned(Form::BrIf) + i % kIncrForms);
  constexpr bool imm = form == Form::BrIfImm || form == Form::BrUnlessImm;
  using L = IncrLayout;
  uint32_t t = gen::load<uint32_t>(fp, rd<Slot>(ip + L::a)) + gen::operandAt<'i', !slot_add>(ip, fp, L::k);  // wraps
  gen::store(fp, rd<Slot>(ip + L::dst), t);
  uint32_t b = gen::operandAt<'i', imm>(ip, fp, L::b);
  bool v = gen::Sem<op>::call(gen::Exact<uint32_t>{t}, gen::Exact<uint32_t>{b}) != 0;
  bool taken = v == (form == Form::BrIf || form == Form::BrIfImm);
  return taken ? ip + rd<Rel>(ip + L::rel) : ip + L::size;
}

}  // namespace strata::interp
