// Module-level validation (spec 3.4): limits, constant expressions, segments, exports, start.
#include "validate/validator.h"

#include <gtest/gtest.h>

#include "test_module.h"

namespace strata::validate {
namespace {

using test::Bytes;
using test::kFuncRef;
using test::kI32;
using test::kI64;
using test::messageOf;
using test::TestModule;

TEST(Validator, EmptyModuleIsValid) { EXPECT_EQ(messageOf(TestModule().validate()), "ok"); }

TEST(Validator, MemoryLimits) {
  TestModule t;
  t.memory(2, 1);
  EXPECT_EQ(messageOf(t.validate()), "size minimum must not be greater than maximum");
  TestModule u;
  u.memory(65537);
  EXPECT_EQ(messageOf(u.validate()), "memory size must be at most 65536 pages (4GiB)");
  TestModule v;
  v.memory(0, 65536);
  EXPECT_EQ(messageOf(v.validate()), "ok");
  TestModule w;
  w.memory(65537, {}, /*is64=*/true);  // 64-bit memories may be larger
  EXPECT_EQ(messageOf(w.validate()), "ok");
}

TEST(Validator, MultipleMemoriesNeedMultiMemory) {
  TestModule t;
  t.memory(1);
  t.memory(1);
  EXPECT_EQ(messageOf(t.validate(ir::Features::wasm2())), "multiple memories");
  EXPECT_EQ(messageOf(t.validate(ir::Features::all())), "ok");
}

TEST(Validator, TableLimits) {
  TestModule t;
  t.table(kFuncRef, 3, 2);
  EXPECT_EQ(messageOf(t.validate()), "size minimum must not be greater than maximum");
  TestModule u;  // the text format can write limits a 32-bit table cannot have
  u.table(kFuncRef, 0, uint64_t{1} << 32);
  EXPECT_EQ(messageOf(u.validate()), "table size must be at most 2^32-1");
}

TEST(Validator, DuplicateExportName) {
  TestModule t;
  t.memory(1);
  t.func(t.funcType({}, {}), {
                                 0x00,  // no locals
                                 0x0b,  // end
                             });
  t.exportAs("x", ir::ExternKind::Func, 0);
  t.exportAs("x", ir::ExternKind::Memory, 0);
  EXPECT_EQ(messageOf(t.validate()), "duplicate export name");
  t.m.exports[1].name = "y";
  EXPECT_EQ(messageOf(t.validate()), "ok");
  t.exportAs("z", ir::ExternKind::Global, 0);
  EXPECT_EQ(messageOf(t.validate()), "unknown global 0");
}

TEST(Validator, StartFunctionType) {
  TestModule t;
  t.func(t.funcType({kI32}, {}), {
                                     0x00,  // no locals
                                     0x0b,  // end
                                 });
  t.m.start = 0;
  EXPECT_EQ(messageOf(t.validate()), "start function");
  t.m.start = 1;
  EXPECT_EQ(messageOf(t.validate()), "unknown function 1");
}

TEST(Validator, GlobalInitializers) {
  TestModule t;
  t.global(kI32, false, {
                            0x42, 0x00,  // i64.const 0
                            0x0b,        // end
                        });
  EXPECT_EQ(messageOf(t.validate()), "type mismatch: instruction requires [i32] but stack has [i64]");
  TestModule u;
  u.global(kI32, false, {
                            0x41, 0x00,  // i32.const 0
                            0x45,        // i32.eqz is not constant
                            0x0b,        // end
                        });
  EXPECT_EQ(messageOf(u.validate()), "constant expression required");
}

TEST(Validator, ExtendedConstDependsOnFeature) {
  TestModule t;
  t.global(kI32, false, {
                            0x41, 0x01,  // i32.const 1
                            0x41, 0x02,  // i32.const 2
                            0x6a,        // i32.add (extended-const)
                            0x0b,        // end
                        });
  EXPECT_EQ(messageOf(t.validate(ir::Features::all())), "ok");
  EXPECT_EQ(messageOf(t.validate(ir::Features::wasm2())), "constant expression required");
}

TEST(Validator, GlobalGetInInitializers) {
  // 2.0: only imported globals are visible; with GC, every earlier immutable global.
  TestModule t;
  t.global(kI32, false, {
                            0x41, 0x00,  // i32.const 0
                            0x0b,        // end
                        });
  t.global(kI32, false, {
                            0x23, 0x00,  // global.get 0 (defined, immutable)
                            0x0b,        // end
                        });
  EXPECT_EQ(messageOf(t.validate(ir::Features::wasm2())), "unknown global 0");
  EXPECT_EQ(messageOf(t.validate(ir::Features::all())), "ok");
  TestModule u;
  u.importGlobal(kI32, /*mut=*/true);
  u.global(kI32, false, {
                            0x23, 0x00,  // global.get 0 (imported, mutable)
                            0x0b,        // end
                        });
  EXPECT_EQ(messageOf(u.validate(ir::Features::wasm2())), "constant expression required");
}

TEST(Validator, ElementSegments) {
  TestModule t;
  t.table(kFuncRef, 1);
  ir::ElemSegment seg;
  seg.offset = t.expr({
      0x42, 0x00,  // i64.const 0: a 32-bit table wants i32
      0x0b,        // end
  });
  seg.func_indices = {};
  t.m.elems.push_back(seg);
  EXPECT_EQ(messageOf(t.validate()), "type mismatch: instruction requires [i32] but stack has [i64]");
  t.m.elems[0].offset = t.expr({
      0x41, 0x00,  // i32.const 0
      0x0b,        // end
  });
  t.m.elems[0].func_indices = {3};
  EXPECT_EQ(messageOf(t.validate()), "unknown function 3");
  t.m.elems[0].func_indices = {};
  t.m.elems[0].table = 1;
  EXPECT_EQ(messageOf(t.validate()), "unknown table 1");
  t.m.elems[0].table = 0;
  t.m.elems[0].type = test::kExternRef;  // externref segment into a funcref table
  EXPECT_EQ(messageOf(t.validate()), "type mismatch");
}

TEST(Validator, DataSegments) {
  TestModule t;
  ir::DataSegment d;
  d.offset = t.expr({
      0x41, 0x00,  // i32.const 0
      0x0b,        // end
  });
  t.m.datas.push_back(d);
  EXPECT_EQ(messageOf(t.validate()), "unknown memory 0");
  t.memory(1);
  EXPECT_EQ(messageOf(t.validate()), "ok");
}

TEST(Validator, UnknownFunctionType) {
  TestModule t;
  t.func(7, {
                0x00,  // no locals
                0x0b,  // end
            });
  EXPECT_EQ(messageOf(t.validate()), "unknown type 7");
}

}  // namespace
}  // namespace strata::validate
