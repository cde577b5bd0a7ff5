// The instruction checker has a typing rule for every hand-typed ("*") opcode of opcodes.def.
#include "validate/instr_checker.h"

#include <gtest/gtest.h>

#include "test_module.h"

namespace strata::validate {
namespace {

TEST(InstrChecker, EveryHandTypedOpcodeHasARule) {
  test::TestModule t;
  t.memory(1);
  uint32_t ft = t.funcType({}, {});
  ir::Module& m = t.m;
  auto env = ModuleEnv::create(m, ir::Features::all());
  ASSERT_TRUE(env);
  // A br_table reader with one target, shared by all opcodes (only br_table reads it).
  std::vector<uint8_t> bytes = {
      0x0e, 0x00, 0x00,  // br_table [] default 0
  };
  decode::InstrReader reader(ByteReader(bytes), env->features);
  decode::Instr scratch;
  ASSERT_TRUE(reader.next(scratch));
  for (unsigned i = 0; i < ir::kNumOpcodes; ++i) {
    ir::Opcode op = ir::Opcode(i);
    if (ir::hasFixedSignature(op)) continue;
    InstrChecker checker(*env);
    checker.beginFunction({}, m.types[ft].func);
    decode::Instr unreachable;
    unreachable.op = ir::Opcode::Unreachable;
    ASSERT_TRUE(checker.check(unreachable, reader));
    decode::Instr in;
    in.op = op;
    auto r = checker.check(in, reader);
    if (!r) {
      EXPECT_NE(r.error().message, "validator has no rule for this instruction") << ir::opcodeText(op);
    }
  }
}

}  // namespace
}  // namespace strata::validate
