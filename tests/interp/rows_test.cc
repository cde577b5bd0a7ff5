// The handlers generated from opcodes.def (rows.h) and the superinstruction list (pairs.h):
// which rows and forms exist, their layouts, trapping, and the handler tables.
#include "interp/rows.h"

#include <gtest/gtest.h>

#include <set>
#include <type_traits>

#include "interp/dispatch.h"
#include "interp/pairs.h"

namespace strata::interp {
namespace {

using ir::Opcode;

// Exact<T> converts to T only: a semantic function taking uint64_t for an i32 operand, or
// double for an f32, fails to compile instead of converting silently.
static_assert(std::is_convertible_v<gen::Exact<uint32_t>, uint32_t>);
static_assert(!std::is_convertible_v<gen::Exact<uint32_t>, uint64_t>);
static_assert(!std::is_convertible_v<gen::Exact<float>, double>);

TEST(Rows, WhichRowsAreGenerated) {
  EXPECT_TRUE(isGenerated(Opcode::I32Add));
  EXPECT_TRUE(isGenerated(Opcode::F64Nearest));
  EXPECT_TRUE(isGenerated(Opcode::I8x16Shuffle));
  EXPECT_TRUE(isGenerated(Opcode::I16x8ExtractLaneS));
  EXPECT_FALSE(isGenerated(Opcode::I32Load));     // memory: hand-written
  EXPECT_FALSE(isGenerated(Opcode::I32Const));    // an immediate that is not a lane
  EXPECT_FALSE(isGenerated(Opcode::Nop));         // no operands
  EXPECT_FALSE(isGenerated(Opcode::I64Add128));   // two results
  EXPECT_FALSE(isGenerated(Opcode::MemoryFill));  // address-typed operands
}

TEST(Rows, FormsFollowTheSignature) {
  EXPECT_TRUE(hasForm(Opcode::I64Shl, Form::Imm));
  EXPECT_FALSE(hasForm(Opcode::I64Shl, Form::BrIf));  // an i64 result is not a condition
  EXPECT_TRUE(hasForm(Opcode::F32Lt, Form::BrUnlessImm));
  EXPECT_TRUE(hasForm(Opcode::I32Eqz, Form::BrIf));
  EXPECT_FALSE(hasForm(Opcode::I32Eqz, Form::Imm));   // unary
  EXPECT_FALSE(hasForm(Opcode::I32x4Add, Form::Imm));  // no vector immediates
  EXPECT_FALSE(hasForm(Opcode::V128AnyTrue, Form::BrIf));
}

TEST(Rows, Layouts) {
  EXPECT_EQ(layoutOf(Opcode::I32Add, Form::Plain).size, 8u + 3 * 4);
  EXPECT_EQ(layoutOf(Opcode::I64Add, Form::Imm).size, 8u + 2 * 4 + 8);
  EXPECT_EQ(layoutOf(Opcode::I32LtS, Form::BrIfImm).size, 8u + 4 + 4 + 4);
  EXPECT_EQ(layoutOf(Opcode::I32LtS, Form::BrIfImm).rel, 12u);
  EXPECT_EQ(layoutOf(Opcode::I8x16Shuffle, Form::Plain).size, 8u + 3 * 4 + 16);
  EXPECT_EQ(layoutOf(Opcode::I32x4ExtractLane, Form::Plain).tail, 16u);
}

TEST(Rows, TrappingRows) {
  static_assert(genMayTrap<Opcode::I32DivS>() && genMayTrap<Opcode::I64RemU>());
  static_assert(genMayTrap<Opcode::I32TruncF64U>() && !genMayTrap<Opcode::I32TruncSatF64U>());
  static_assert(!genMayTrap<Opcode::F32Div>() && !genMayTrap<Opcode::I32x4TruncSatF32x4S>());
}

TEST(Rows, EveryFormHasItsOwnHandler) {
  const HandlerTables& t = handlerTables();
  std::set<const void*> seen;
  unsigned forms = 0;
  for (unsigned op = 0; op < ir::kNumOpcodes; ++op)
    for (unsigned f = 0; f < kNumForms; ++f)
      if (hasForm(Opcode(op), Form(f))) {
        ++forms;
        EXPECT_TRUE(seen.insert(t.gen[op * kNumForms + f]).second) << row(Opcode(op)).text << " form " << f;
      }
  for (unsigned h = 0; h < unsigned(H::Count); ++h) EXPECT_TRUE(seen.insert(t.hand[h]).second) << h;
  for (unsigned p = 0; p < kNumPairs; ++p) EXPECT_TRUE(seen.insert(t.pair[p]).second) << p;
  EXPECT_GT(forms, 369u);
}

TEST(Pairs, ListIsConsistent) {
  for (unsigned i = 0; i < kNumPairs; ++i) {
    const PairInfo& p = kPairs[i];
    EXPECT_EQ(findPair(p.op1, p.f1, p.op2, p.f2, p.pos), int(i)) << "duplicate entry " << i;
    EXPECT_TRUE(hasForm(p.op1, p.f1) && hasForm(p.op2, p.f2)) << i;
    EXPECT_TRUE(p.f2 == Form::Plain || p.pos == 0) << "an immediate is the right operand: " << i;
    EXPECT_EQ(row(p.op1).results[0], row(p.op2).params[size_t(p.pos)]) << i;
  }
}

}  // namespace
}  // namespace strata::interp
