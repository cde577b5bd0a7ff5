// Natural alignments and lane counts derived from the opcode keywords.
#include "validate/opcode_facts.h"

#include <gtest/gtest.h>

namespace strata::validate {
namespace {

using ir::Opcode;

TEST(OpcodeFacts, NaturalAlignment) {
  EXPECT_EQ(naturalAlignLog2(Opcode::I32Load), 2u);
  EXPECT_EQ(naturalAlignLog2(Opcode::F64Store), 3u);
  EXPECT_EQ(naturalAlignLog2(Opcode::I64Load8S), 0u);
  EXPECT_EQ(naturalAlignLog2(Opcode::I64Load16U), 1u);
  EXPECT_EQ(naturalAlignLog2(Opcode::I64Store32), 2u);
  EXPECT_EQ(naturalAlignLog2(Opcode::V128Load), 4u);
  EXPECT_EQ(naturalAlignLog2(Opcode::V128Load8x8S), 3u);
  EXPECT_EQ(naturalAlignLog2(Opcode::V128Load32Zero), 2u);
  EXPECT_EQ(naturalAlignLog2(Opcode::V128Load16Splat), 1u);
  EXPECT_EQ(naturalAlignLog2(Opcode::V128Store64Lane), 3u);
  EXPECT_EQ(naturalAlignLog2(Opcode::I32AtomicRmw8AddU), 0u);
  EXPECT_EQ(naturalAlignLog2(Opcode::I64AtomicRmwCmpxchg), 3u);
  EXPECT_EQ(naturalAlignLog2(Opcode::MemoryAtomicNotify), 2u);
  EXPECT_EQ(naturalAlignLog2(Opcode::MemoryAtomicWait64), 3u);
}

TEST(OpcodeFacts, EveryMemoryAccessHasAPlausibleWidth) {
  for (unsigned i = 0; i < ir::kNumOpcodes; ++i) {
    const ir::OpcodeInfo& info = ir::opcodeInfo(Opcode(i));
    if (info.imm != ir::Imm::MemArg && info.imm != ir::Imm::MemArgLane) continue;
    EXPECT_LE(naturalAlignLog2(Opcode(i)), 4u) << info.text;
  }
}

TEST(OpcodeFacts, Lanes) {
  EXPECT_EQ(laneLimit(Opcode::I8x16ExtractLaneS), 16u);
  EXPECT_EQ(laneLimit(Opcode::I16x8ReplaceLane), 8u);
  EXPECT_EQ(laneLimit(Opcode::F32x4ExtractLane), 4u);
  EXPECT_EQ(laneLimit(Opcode::F64x2ReplaceLane), 2u);
  EXPECT_EQ(laneLimit(Opcode::V128Load8Lane), 16u);
  EXPECT_EQ(laneLimit(Opcode::V128Store32Lane), 4u);
  EXPECT_EQ(laneLimit(Opcode::I8x16Shuffle), 32u);
  EXPECT_EQ(laneLimit(Opcode::I32Add), 0u);
}

TEST(OpcodeFacts, Atomics) {
  EXPECT_TRUE(isAtomicAccess(Opcode::I32AtomicLoad));
  EXPECT_TRUE(isAtomicAccess(Opcode::MemoryAtomicWait32));
  EXPECT_FALSE(isAtomicAccess(Opcode::I32Load));
}

}  // namespace
}  // namespace strata::validate
