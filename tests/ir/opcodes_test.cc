// Tests that the tables generated from opcodes.def are consistent: unique encodings and keywords,
// lookups that invert each other, and signature letters that the validator understands.
#include "ir/opcodes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

namespace strata::ir {
namespace {

TEST(Opcodes, EncodingsAndKeywordsAreUnique) {
  std::set<std::pair<uint8_t, uint32_t>> codes;
  std::set<std::string_view> texts;
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    const OpcodeInfo& info = opcodeInfo(Opcode(i));
    EXPECT_TRUE(codes.insert({info.prefix, info.code}).second) << info.text;
    EXPECT_TRUE(texts.insert(info.text).second) << info.text;
  }
}

TEST(Opcodes, LookupsInvert) {
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    const OpcodeInfo& info = opcodeInfo(Opcode(i));
    auto b = opcodeFromBinary(info.prefix, info.code);
    ASSERT_TRUE(b) << info.text;
    EXPECT_EQ(unsigned(*b), i);
    auto t = opcodeFromText(info.text);
    ASSERT_TRUE(t) << info.text;
    EXPECT_EQ(unsigned(*t), i);
  }
}

TEST(Opcodes, KnownEncodings) {
  EXPECT_EQ(opcodeFromBinary(0, 0x6a), Opcode::I32Add);
  EXPECT_EQ(opcodeFromBinary(0xfc, 0), Opcode::I32TruncSatF32S);
  EXPECT_EQ(opcodeFromBinary(0xfd, 0x0c), Opcode::V128Const);
  EXPECT_EQ(opcodeFromBinary(0xfb, 0x1c), Opcode::RefI31);
  EXPECT_EQ(opcodeFromText("memory.atomic.notify"), Opcode::MemoryAtomicNotify);
  EXPECT_FALSE(opcodeFromBinary(0, 0xff));  // reserved
  EXPECT_FALSE(opcodeFromBinary(0xfc, 0x1ff));
  EXPECT_FALSE(opcodeFromText("i32.bogus"));
}

TEST(Opcodes, SignatureLettersAreKnown) {
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    const OpcodeInfo& info = opcodeInfo(Opcode(i));
    if (info.params == "*") {
      EXPECT_EQ(info.results, "*") << info.text;
      continue;
    }
    for (char c : std::string(info.params) + std::string(info.results))
      EXPECT_NE(std::string_view("ilfdva").find(c), std::string_view::npos) << info.text;
    // 'a' only makes sense when the immediate names a memory.
    if ((std::string(info.params) + std::string(info.results)).find('a') != std::string::npos) {
      EXPECT_TRUE(info.imm == Imm::MemArg || info.imm == Imm::MemArgLane || info.imm == Imm::Memory) << info.text;
    }
  }
  EXPECT_EQ(opcodeInfo(Opcode::I32Add).params, "ii");
  EXPECT_EQ(opcodeInfo(Opcode::I32Add).results, "i");
}

}  // namespace
}  // namespace strata::ir
