// Function-body validation through FuncValidator: typing rules, messages, offsets, consumers.
#include "validate/func_validator.h"

#include <gtest/gtest.h>

#include "test_module.h"

namespace strata::validate {
namespace {

using test::Bytes;
using test::checkBody;
using test::kF32;
using test::kF64;
using test::kFuncRef;
using test::kI32;
using test::kI64;
using test::TestModule;

TEST(FuncValidator, EmptyBodyIsValid) {
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,  // no locals
                                  0x0b,  // end
                              }),
            "ok");
}

TEST(FuncValidator, ResultMustBeOnStack) {
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,  // no locals
                                      0x0b,  // end
                                  }),
            "type mismatch: instruction requires [i32] but stack has []");
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x42, 0x00,  // i64.const 0
                                      0x0b,        // end
                                  }),
            "type mismatch: instruction requires [i32] but stack has [i64]");
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0x41, 0x00,  // i32.const 0: left over at the end
                                  0x0b,        // end
                              }),
            "type mismatch: block requires [] but stack has [i32]");
}

TEST(FuncValidator, FixedSignatureFromTable) {
  EXPECT_EQ(checkBody({kI32, kI32}, {kI32}, {
                                                0x00,        // no locals
                                                0x20, 0x00,  // local.get 0
                                                0x20, 0x01,  // local.get 1
                                                0x6a,        // i32.add
                                                0x0b,        // end
                                            }),
            "ok");
  EXPECT_EQ(checkBody({kI32, kI64}, {kI32}, {
                                                0x00,        // no locals
                                                0x20, 0x00,  // local.get 0
                                                0x20, 0x01,  // local.get 1 (i64)
                                                0x6a,        // i32.add
                                                0x0b,        // end
                                            }),
            "type mismatch: instruction requires [i32 i32] but stack has [i32 i64]");
  EXPECT_EQ(checkBody({kF64}, {kF32}, {
                                          0x00,        // no locals
                                          0x20, 0x00,  // local.get 0
                                          0xb6,        // f32.demote_f64
                                          0x0b,        // end
                                      }),
            "ok");
}

TEST(FuncValidator, ErrorOffsetIsTheInstruction) {
  TestModule t;
  t.memory(1);
  uint32_t f = t.func(t.funcType({}, {}), {
                                              0x00,  // no locals
                                              0x6a,  // i32.add with an empty stack
                                              0x0b,  // end
                                          });
  auto r = t.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r.error().offset, t.m.functions[f].body.offset + 1);
}

TEST(FuncValidator, Locals) {
  EXPECT_EQ(checkBody({}, {kI64}, {
                                      0x01, 0x02, 0x7e,  // 2 locals of i64
                                      0x20, 0x01,        // local.get 1
                                      0x0b,              // end
                                  }),
            "ok");
  EXPECT_EQ(checkBody({}, {kI64}, {
                                      0x01, 0x02, 0x7e,  // 2 locals of i64
                                      0x20, 0x02,        // local.get 2
                                      0x0b,              // end
                                  }),
            "unknown local 2");
  EXPECT_EQ(checkBody({kI32}, {}, {
                                      0x00,              // no locals
                                      0x42, 0x00,        // i64.const 0
                                      0x21, 0x00,        // local.set 0 (an i32)
                                      0x0b,              // end
                                  }),
            "type mismatch: instruction requires [i32] but stack has [i64]");
}

TEST(FuncValidator, TooManyLocalsIsMalformed) {
  TestModule t;
  t.func(t.funcType({}, {}), {
                                 0x02,                    // 2 local groups
                                 0xa0, 0x8d, 0x06, 0x7f,  // 100000 i32
                                 0x01, 0x7e,              // 1 i64
                                 0x0b,                    // end
                             });
  auto r = t.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(r.error().message, "too many locals");
}

TEST(FuncValidator, MissingEndIsMalformed) {
  TestModule t;
  t.func(t.funcType({}, {}), {
                                 0x00,        // no locals
                                 0x02, 0x40,  // block
                                 0x0b,        // end (of the block only)
                             });
  auto r = t.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
}

TEST(FuncValidator, CodeAfterFinalEndIsMalformed) {
  TestModule t;
  t.func(t.funcType({}, {}), {
                                 0x00,  // no locals
                                 0x0b,  // end
                                 0x01,  // nop after the end
                             });
  auto r = t.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
}

TEST(FuncValidator, Blocks) {
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x02, 0x7f,  // block (result i32)
                                      0x41, 0x01,  // i32.const 1
                                      0x0b,        // end
                                      0x0b,        // end
                                  }),
            "ok");
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x02, 0x7f,  // block (result i32)
                                      0x0b,        // end: nothing produced
                                      0x0b,        // end
                                  }),
            "type mismatch: instruction requires [i32] but stack has []");
  // Operands outside a block are not visible inside it.
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0x41, 0x01,  // i32.const 1
                                  0x02, 0x40,  // block
                                  0x1a,        // drop
                                  0x0b,        // end
                                  0x0b,        // end
                              }),
            "type mismatch");
}

TEST(FuncValidator, MultiValueBlockType) {
  TestModule t;
  uint32_t bt = t.funcType({kI32}, {kI32, kI32});
  t.func(t.funcType({}, {kI32}), {
                                     0x00,              // no locals
                                     0x41, 0x07,        // i32.const 7
                                     0x02, uint8_t(bt), // block (type bt): [i32] -> [i32 i32]
                                     0x41, 0x01,        // i32.const 1
                                     0x0b,              // end
                                     0x6a,              // i32.add
                                     0x0b,              // end
                                 });
  EXPECT_EQ(test::messageOf(t.validate()), "ok");
}

TEST(FuncValidator, IfWithoutElseMustPassParamsThrough) {
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x41, 0x01,  // i32.const 1
                                      0x04, 0x7f,  // if (result i32)
                                      0x41, 0x02,  // i32.const 2
                                      0x0b,        // end: the missing else yields nothing
                                      0x0b,        // end
                                  }),
            "type mismatch");
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x41, 0x01,  // i32.const 1
                                      0x04, 0x7f,  // if (result i32)
                                      0x41, 0x02,  // i32.const 2
                                      0x05,        // else
                                      0x41, 0x03,  // i32.const 3
                                      0x0b,        // end
                                      0x0b,        // end
                                  }),
            "ok");
}

TEST(FuncValidator, Branches) {
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0x0c, 0x01,  // br 1
                                  0x0b,        // end
                              }),
            "unknown label");
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x42, 0x00,  // i64.const 0
                                      0x0c, 0x00,  // br 0 (function label takes i32)
                                      0x0b,        // end
                                  }),
            "type mismatch: instruction requires [i32] but stack has [i64]");
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0x03, 0x40,  // loop
                                  0x41, 0x00,  // i32.const 0
                                  0x0d, 0x00,  // br_if 0
                                  0x0b,        // end
                                  0x0b,        // end
                              }),
            "ok");
}

TEST(FuncValidator, BrTableArityMustAgree) {
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,              // no locals
                                      0x02, 0x40,        // block
                                      0x41, 0x01,        // i32.const 1
                                      0x41, 0x00,        // i32.const 0 (index)
                                      0x0e, 0x01, 0x00,  // br_table [0: block, arity 0]
                                      0x01,              //   default 1: function, arity 1
                                      0x0b,              // end
                                      0x41, 0x00,        // i32.const 0
                                      0x0b,              // end
                                  }),
            "type mismatch");
}

TEST(FuncValidator, UnreachableMakesStackPolymorphic) {
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,  // no locals
                                      0x00,  // unreachable
                                      0x6a,  // i32.add from the polymorphic stack
                                      0x0b,  // end
                                  }),
            "ok");
  // Known types still count in dead code.
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,        // no locals
                                      0x00,        // unreachable
                                      0x42, 0x00,  // i64.const 0
                                      0x6a,        // i32.add
                                      0x0b,        // end
                                  }),
            "type mismatch: instruction requires [i32 i32] but stack has [i64]");
}

TEST(FuncValidator, Select) {
  EXPECT_EQ(checkBody({}, {kI64}, {
                                      0x00,        // no locals
                                      0x42, 0x01,  // i64.const 1
                                      0x42, 0x02,  // i64.const 2
                                      0x41, 0x00,  // i32.const 0
                                      0x1b,        // select
                                      0x0b,        // end
                                  }),
            "ok");
  EXPECT_EQ(checkBody({}, {kI64}, {
                                      0x00,        // no locals
                                      0x42, 0x01,  // i64.const 1
                                      0x41, 0x02,  // i32.const 2
                                      0x41, 0x00,  // i32.const 0
                                      0x1b,        // select: operands differ
                                      0x0b,        // end
                                  }),
            "type mismatch");
  // Untyped select rejects references (spec 3.3.4).
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0xd0, 0x70,  // ref.null func
                                  0xd0, 0x70,  // ref.null func
                                  0x41, 0x00,  // i32.const 0
                                  0x1b,        // select
                                  0x1a,        // drop
                                  0x0b,        // end
                              }),
            "type mismatch");
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,                    // no locals
                                  0x41, 0x00,              // i32.const 0
                                  0x41, 0x00,              // i32.const 0
                                  0x41, 0x00,              // i32.const 0
                                  0x1c, 0x02, 0x7f, 0x7f,  // select (result i32 i32)
                                  0x1a,                    // drop
                                  0x0b,                    // end
                              }),
            "invalid result arity");
}

TEST(FuncValidator, MemoryInstructions) {
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,              // no locals
                                      0x41, 0x00,        // i32.const 0
                                      0x28, 0x02, 0x00,  // i32.load align=4 offset=0
                                      0x0b,              // end
                                  }),
            "ok");
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,              // no locals
                                      0x41, 0x00,        // i32.const 0
                                      0x28, 0x03, 0x00,  // i32.load align=8
                                      0x0b,              // end
                                  }),
            "alignment must not be larger than natural");
  EXPECT_EQ(checkBody({}, {kI32}, {
                                      0x00,              // no locals
                                      0x41, 0x00,        // i32.const 0
                                      0x2c, 0x01, 0x00,  // i32.load8_s align=2
                                      0x0b,              // end
                                  }),
            "alignment must not be larger than natural");
  TestModule t;  // no memory
  t.func(t.funcType({}, {kI32}), {
                                     0x00,        // no locals
                                     0x3f, 0x00,  // memory.size 0
                                     0x0b,        // end
                                 });
  EXPECT_EQ(test::messageOf(t.validate()), "unknown memory 0");
}

TEST(FuncValidator, Memory64AddressType) {
  TestModule t;
  t.memory(1, {}, /*is64=*/true);
  t.func(t.funcType({}, {kI32}), {
                                     0x00,              // no locals
                                     0x41, 0x00,        // i32.const 0: a 64-bit memory wants i64
                                     0x28, 0x02, 0x00,  // i32.load
                                     0x0b,              // end
                                 });
  EXPECT_EQ(test::messageOf(t.validate()), "type mismatch: instruction requires [i64] but stack has [i32]");
  TestModule u;
  u.memory(1, {}, /*is64=*/true);
  u.func(u.funcType({}, {kI64}), {
                                     0x00,        // no locals
                                     0x3f, 0x00,  // memory.size 0 -> i64
                                     0x0b,        // end
                                 });
  EXPECT_EQ(test::messageOf(u.validate()), "ok");
}

TEST(FuncValidator, LaneIndex) {
  Bytes body = {
      0x00,                          // no locals
      0xfd, 0x0c,                    // v128.const
      0, 0, 0, 0, 0, 0, 0, 0,        //   bytes 0-7
      0, 0, 0, 0, 0, 0, 0, 0,        //   bytes 8-15
      0xfd, 0x1b, 0x04,              // i32x4.extract_lane 4: only 0..3 exist
      0x0b,                          // end
  };
  EXPECT_EQ(checkBody({}, {kI32}, body), "invalid lane index");
  body[body.size() - 2] = 0x03;      // i32x4.extract_lane 3
  EXPECT_EQ(checkBody({}, {kI32}, body), "ok");
}

TEST(FuncValidator, Globals) {
  TestModule t;
  t.importGlobal(kI32, /*mut=*/false);
  t.func(t.funcType({}, {}), {
                                 0x00,        // no locals
                                 0x41, 0x01,  // i32.const 1
                                 0x24, 0x00,  // global.set 0 (immutable)
                                 0x0b,        // end
                             });
  EXPECT_NE(test::messageOf(t.validate()).find("global is immutable"), std::string::npos);
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0x23, 0x00,  // global.get 0 of none
                                  0x1a,        // drop
                                  0x0b,        // end
                              }),
            "unknown global 0");
}

TEST(FuncValidator, CallsCheckSignatures) {
  TestModule t;
  uint32_t callee = t.importFunc(t.funcType({kI32}, {kI64}));
  t.func(t.funcType({}, {kI64}), {
                                     0x00,                  // no locals
                                     0x41, 0x05,            // i32.const 5
                                     0x10, uint8_t(callee), // call callee: [i32] -> [i64]
                                     0x0b,                  // end
                                 });
  EXPECT_EQ(test::messageOf(t.validate()), "ok");
  EXPECT_EQ(checkBody({}, {}, {
                                  0x00,        // no locals
                                  0x10, 0x05,  // call 5
                                  0x0b,        // end
                              }),
            "unknown function 5");
}

TEST(FuncValidator, ReturnCallNeedsMatchingResults) {
  TestModule t;
  uint32_t callee = t.importFunc(t.funcType({}, {kI64}));
  t.func(t.funcType({}, {kI32}), {
                                     0x00,                  // no locals
                                     0x12, uint8_t(callee), // return_call: i64 result, caller i32
                                     0x0b,                  // end
                                 });
  EXPECT_EQ(test::messageOf(t.validate()), "type mismatch");
}

TEST(FuncValidator, DataCountRequiredIsMalformed) {
  TestModule t;
  t.memory(1);
  t.m.datas.push_back({ir::SegmentMode::Passive, 0, {}, {}});
  t.func(t.funcType({}, {}), {
                                 0x00,              // no locals
                                 0xfc, 0x09, 0x00,  // data.drop 0 without a data count section
                                 0x0b,              // end
                             });
  auto r = t.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(r.error().message, "data count section required");
  t.m.data_count = 1;
  EXPECT_EQ(test::messageOf(t.validate()), "ok");
}

TEST(FuncValidator, RefFuncNeedsDeclaration) {
  TestModule t;
  uint32_t ty = t.funcType({}, {});
  t.func(ty, {
                 0x00,        // no locals
                 0xd2, 0x00,  // ref.func 0: not in C.refs
                 0x1a,        // drop
                 0x0b,        // end
             });
  EXPECT_EQ(test::messageOf(t.validate()), "undeclared function reference");
  t.exportAs("f", ir::ExternKind::Func, 0);  // exporting declares it
  EXPECT_EQ(test::messageOf(t.validate()), "ok");
}

TEST(FuncValidator, NonDefaultableLocalsMustBeSetFirst) {
  TestModule t;
  uint32_t ft = t.funcType({}, {});
  Bytes body = {
      0x01, 0x01, 0x64, uint8_t(ft),  // 1 local of (ref ft)
      0x20, 0x00,                     // local.get 0 before any local.set
      0x1a,                           // drop
      0x0b,                           // end
  };
  t.func(ft, body);
  EXPECT_EQ(test::messageOf(t.validate()), "uninitialized local");
  // Initialisation inside a block does not outlive it (spec 3.3.x).
  TestModule u;
  uint32_t ut = u.funcType({}, {});
  u.exportAs("f", ir::ExternKind::Func, 0);
  u.func(ut, {
                 0x01, 0x01, 0x64, uint8_t(ut),  // 1 local of (ref ut)
                 0x02, 0x40,                     // block
                 0xd2, 0x00,                     // ref.func 0
                 0x21, 0x00,                     // local.set 0
                 0x20, 0x00,                     // local.get 0: fine here
                 0x1a,                           // drop
                 0x0b,                           // end
                 0x20, 0x00,                     // local.get 0: uninitialised again
                 0x1a,                           // drop
                 0x0b,                           // end
             });
  EXPECT_EQ(test::messageOf(u.validate()), "uninitialized local");
}

TEST(FuncValidator, TypedFunctionReferences) {
  TestModule t;
  uint32_t ft = t.funcType({kI32}, {kI32});
  t.func(t.funcType({test::refTo(ft, true), kI32}, {kI32}), {
                                                               0x00,                // no locals
                                                               0x20, 0x01,          // local.get 1
                                                               0x20, 0x00,          // local.get 0
                                                               0x14, uint8_t(ft),   // call_ref ft
                                                               0x0b,                // end
                                                           });
  EXPECT_EQ(test::messageOf(t.validate()), "ok");
}

TEST(FuncValidator, NullConsumerIsEmpty) {
  static_assert(std::is_empty_v<NullConsumer>);
  static_assert(!NullConsumer::kWantsTypes);
}

// A consumer that records what the validator reports, as a tier would.
struct RecordingConsumer {
  static constexpr bool kWantsTypes = true;
  std::vector<ir::Opcode> ops;
  std::vector<std::vector<ir::ValType>> popped, pushed;
  std::vector<bool> reachable;
  size_t locals = 0;
  bool ended = false;
  void onLocals(std::span<const ir::ValType> ls) { locals = ls.size(); }
  void onInstr(const decode::Instr& in, const InstrContext& ctx) {
    ops.push_back(in.op);
    popped.emplace_back(ctx.popped.begin(), ctx.popped.end());
    pushed.emplace_back(ctx.pushed.begin(), ctx.pushed.end());
    reachable.push_back(ctx.reachable);
  }
  void onEnd() { ended = true; }
};

TEST(FuncValidator, ConsumerSeesTypedStream) {
  TestModule t;
  uint32_t f = t.func(t.funcType({kI32}, {kI64}), {
                                                      0x01, 0x01, 0x7e,  // 1 local of i64
                                                      0x20, 0x00,        // local.get 0
                                                      0xac,              // i64.extend_i32_s
                                                      0x0f,              // return
                                                      0x6a,              // i32.add (dead code)
                                                      0x1a,              // drop
                                                      0x20, 0x01,        // local.get 1
                                                      0x0b,              // end
                                                  });
  auto env = ModuleEnv::create(t.m, ir::Features::all());
  ASSERT_TRUE(env);
  RecordingConsumer c;
  ASSERT_TRUE((FuncValidator<RecordingConsumer>(*env, f, c).run()));
  EXPECT_EQ(c.locals, 2u);
  EXPECT_TRUE(c.ended);
  ASSERT_EQ(c.ops.size(), 7u);
  EXPECT_EQ(c.ops[1], ir::Opcode::I64ExtendI32S);
  EXPECT_EQ(c.popped[1], std::vector<ir::ValType>{kI32});
  EXPECT_EQ(c.pushed[1], std::vector<ir::ValType>{kI64});
  EXPECT_TRUE(c.reachable[2]);   // return itself is reachable
  EXPECT_FALSE(c.reachable[3]);  // the add after it is not
  EXPECT_EQ(c.popped[3][0].kind, ir::ValKind::Bot);
}

// What a consumer sees of each instruction, field by field.
struct Seen {
  ir::Opcode op;
  uint64_t offset;
  uint32_t idx;
  int64_t value;
  bool reachable;
  uint32_t depth, before, after;
  size_t frames = 0;
  int block = -1;  // block type: kind * 256 + value kind
  uint64_t mem = 0;  // memarg: align, memory and offset folded
  bool operator==(const Seen&) const = default;
};
template <bool kTypes>
struct StreamConsumer {
  static constexpr bool kWantsTypes = kTypes;
  std::vector<Seen> seen;
  void onLocals(std::span<const ir::ValType>) {}
  void onInstr(const decode::Instr& in, const InstrContext& ctx) {
    using ir::Opcode;
    const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
    bool indexed = info.imm == ir::Imm::Local || info.imm == ir::Imm::Label || info.imm == ir::Imm::Global ||
                   info.imm == ir::Imm::Func;
    int64_t value = in.op == Opcode::I32Const   ? in.i32
                    : in.op == Opcode::I64Const ? in.i64
                    : in.op == Opcode::F32Const ? in.f32_bits
                    : in.op == Opcode::F64Const ? int64_t(in.f64_bits)
                                                : 0;
    Seen s{in.op, in.offset, indexed ? in.idx : 0, value, ctx.reachable, ctx.depth, ctx.height_before,
           ctx.height_after};
    s.frames = ctx.frames.size();
    if (info.imm == ir::Imm::BlockType) s.block = int(in.block.kind) * 256 + int(in.block.value.kind);
    if (info.imm == ir::Imm::MemArg) s.mem = in.mem.offset * 4096 + in.mem.memory * 64 + in.mem.align_log2;
    seen.push_back(s);
  }
  void onEnd() {}
};

// InstrChecker::checkFast (taken when the consumer records no types) hands a consumer exactly
// what the general reader and checker do (taken when it records them): the same opcodes,
// offsets, immediates (one-byte LEBs of both signs) and stack heights, the fast instructions
// mixed with others and with indices and constants too long for it.
TEST(FuncValidator, FastPathMatchesTheGeneralOne) {
  TestModule t;
  uint32_t f = t.func(t.funcType({kI32, kI64}, {kI64}),
                      {
                          0x01, 0x81, 0x01, 0x7f,  // 129 locals of i32 (2..130)
                          0x41, 0x3f,              // i32.const 63
                          0x41, 0x40,              // i32.const -64
                          0x6a,                    // i32.add
                          0x22, 0x02,              // local.tee 2
                          0x21, 0x80, 0x01,        // local.set 128 (two-byte index: general)
                          0x20, 0x00,              // local.get 0
                          0x41, 0x80, 0x01,        // i32.const 128 (two bytes: general)
                          0x6b,                    // i32.sub
                          0x45,                    // i32.eqz
                          0x04, 0x40,              // if
                          0x42, 0x7f,              // i64.const -1
                          0x21, 0x01,              // local.set 1 (the i64 parameter)
                          0x0b,                    // end
                          0x20, 0x01,              // local.get 1
                          0x42, 0x05,              // i64.const 5
                          0x7e,                    // i64.mul
                          0xa7,                    // i32.wrap_i64
                          0xad,                    // i64.extend_i32_u
                          0x0b,                    // end
                      });
  auto env = ModuleEnv::create(t.m, ir::Features::all());
  ASSERT_TRUE(env);
  StreamConsumer<false> fast;
  StreamConsumer<true> general;
  ASSERT_TRUE((FuncValidator<StreamConsumer<false>>(*env, f, fast).run()));
  ASSERT_TRUE((FuncValidator<StreamConsumer<true>>(*env, f, general).run()));
  ASSERT_EQ(fast.seen.size(), 19u);
  EXPECT_EQ(fast.seen, general.seen);
  EXPECT_EQ(fast.seen[1].value, -64);
  EXPECT_EQ(fast.seen[10].value, -1);
  EXPECT_EQ(fast.seen[4].idx, 128u);
}

// The out-of-line fast classes (InstrChecker::checkFastMore) against the general path: constants
// of every length up to the longest (5 and 10 bytes), blocks, loops and ifs
// of empty and one-value types, ends in live and dead code, br/br_if, drop, select, globals, a
// call, loads and stores with short and long offsets and with alignment flags below natural.
const Bytes kFastMoreBody = {
    0x01, 0x02, 0x7e,                    // 2 locals of i64 (2..3)
    0x41, 0xff, 0xff, 0xff, 0x7f,        // i32.const -1 (four bytes)
    0x41, 0x80, 0x80, 0x80, 0x80, 0x78,  // i32.const INT32_MIN (five bytes)
    0x6a,                                // i32.add
    0x1a,                                // drop
    0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f,  // i64.const 2^62-1 (nine bytes)
    0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f,  // i64.const INT64_MIN (ten bytes)
    0x7c,                                // i64.add
    0x21, 0x02,                          // local.set 2
    0x43, 0x00, 0x00, 0x80, 0x3f,        // f32.const 1.0
    0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,  // f64.const 1.0
    0x1a, 0x1a,                          // drop drop
    0x02, 0x7f,                          // block (result i32)
    0x03, 0x40,                          // loop
    0x20, 0x00,                          // local.get 0
    0x0d, 0x00,                          // br_if 0 (the loop)
    0x0b,                                // end
    0x41, 0x07,                          // i32.const 7
    0x0c, 0x00,                          // br 0 (the block)
    0x41, 0x01,                          // i32.const 1: dead
    0x0b,                                // end (dead: one operand of the one result)
    0x04, 0x40,                          // if
    0x23, 0x00,                          // global.get 0
    0x24, 0x00,                          // global.set 0
    0x0b,                                // end
    0x41, 0x00,                          // i32.const 0
    0x28, 0x02, 0x10,                    // i32.load align=4 offset=16
    0x41, 0x00,                          // i32.const 0
    0x29, 0x01, 0x80, 0x80, 0x04,        // i64.load align=2 offset=65536
    0x37, 0x03, 0x80, 0x80, 0x80, 0x80, 0x01,  // i64.store align=8 offset=2^28 (five bytes: general)
    0x41, 0x00,                          // i32.const 0
    0x2d, 0x00, 0x00,                    // i32.load8_u
    0x20, 0x01,                          // local.get 1
    0x20, 0x03,                          // local.get 3
    0x20, 0x00,                          // local.get 0
    0x1b,                                // select
    0x10, 0x00,                          // call 0 (itself)
    0x1a,                                // drop
    0x41, 0xff, 0xff, 0xff, 0xff, 0x07,  // i32.const INT32_MAX (five bytes)
    0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,  // i64.const INT64_MAX (ten)
    0x1a, 0x1a,                          // drop drop
    0x02, 0x7e,                          // block (result i64)
    0x42, 0x01,                          // i64.const 1
    0x0b,                                // end
    0x0b,                                // end
};

// Function 0 of type [i32 i64] -> [i64] with `body`, a memory, a mutable i32 global and an
// immutable i64 one.
TestModule fastMoreModule(const Bytes& body) {
  TestModule t;
  t.memory(1);
  t.global(kI32, true, {0x41, 0x00, 0x0b});
  t.global(kI64, false, {0x42, 0x00, 0x0b});
  t.func(t.funcType({kI32, kI64}, {kI64}), body);
  return t;
}

// Function 0 validated for a consumer that records no types (fast path) and for one that does
// (general path only).
struct BothPaths {
  StreamConsumer<false> fast;
  StreamConsumer<true> general;
  Result<void> fast_result, general_result;
  explicit BothPaths(const ModuleEnv& env)
      : fast_result(FuncValidator<StreamConsumer<false>>(env, 0, fast).run()),
        general_result(FuncValidator<StreamConsumer<true>>(env, 0, general).run()) {}
};

TEST(FuncValidator, FastPathOutOfLineClassesMatchTheGeneralOne) {
  TestModule t = fastMoreModule(kFastMoreBody);
  auto env = ModuleEnv::create(t.m, ir::Features::all());
  ASSERT_TRUE(env);
  BothPaths both(*env);
  ASSERT_TRUE(both.fast_result);
  ASSERT_TRUE(both.general_result);
  const auto& fast = both.fast;
  const auto& general = both.general;
  ASSERT_EQ(fast.seen.size(), general.seen.size());
  for (size_t i = 0; i < fast.seen.size(); ++i) EXPECT_EQ(fast.seen[i], general.seen[i]) << "instruction " << i;
  EXPECT_EQ(fast.seen[0].value, -1);
  EXPECT_EQ(fast.seen[1].value, INT32_MIN);
  EXPECT_EQ(fast.seen[4].value, (int64_t(1) << 62) - 1);
  EXPECT_EQ(fast.seen[5].value, INT64_MIN);
  EXPECT_FALSE(fast.seen[19].reachable);  // the i32.const after br
  EXPECT_EQ(fast.seen[20].op, ir::Opcode::End);
  EXPECT_FALSE(fast.seen[20].reachable);
  EXPECT_EQ(fast.seen[26].mem, 16u * 4096 + 2);  // i32.load offset=16 align=4
  EXPECT_EQ(fast.seen[28].mem, 65536u * 4096 + 1);
}

// Mutated bodies: whatever the bytes, both paths give the same error (message and offset) and
// hand the consumer the same instructions up to it. The fast path only ever accepts, and falls
// back to the general one for anything it does not take, so a divergence is a fast-path bug.
TEST(FuncValidator, FastPathAgreesWithTheGeneralOneOnMutatedBodies) {
  uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&] {  // xorshift64: a fixed sequence
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  size_t valid = 0;
  for (int round = 0; round < 20000; ++round) {
    Bytes body = kFastMoreBody;
    for (int k = 0, n = 1 + int(next() % 3); k < n; ++k) {
      size_t at = 3 + next() % (body.size() - 4);  // keep the locals and the final end
      body[at] = uint8_t(next() % 4 == 0 ? next() : body[at] ^ (1u << (next() % 8)));
    }
    TestModule t = fastMoreModule(body);
    auto env = ModuleEnv::create(t.m, ir::Features::all());
    ASSERT_TRUE(env);
    BothPaths both(*env);
    const auto& a = both.fast_result;
    const auto& b = both.general_result;
    ASSERT_EQ(bool(a), bool(b)) << "round " << round;
    if (a) {
      ++valid;
    } else {
      EXPECT_EQ(a.error().message, b.error().message) << "round " << round;
      EXPECT_EQ(a.error().offset, b.error().offset) << "round " << round;
    }
    ASSERT_EQ(both.fast.seen, both.general.seen) << "round " << round;
  }
  EXPECT_GT(valid, 500u);  // mutations that stay valid exercise the accepting paths too
}

}  // namespace
}  // namespace strata::validate
