// Typing of GC instructions: structs, arrays, casts (spec 3.0).
#include <gtest/gtest.h>

#include "test_module.h"

namespace strata::validate {
namespace {

using test::Bytes;
using test::kI32;
using test::kI64;
using test::messageOf;
using test::TestModule;

ir::SubType structType(std::vector<ir::FieldType> fields) {
  ir::SubType t;
  t.kind = ir::CompKind::Struct;
  t.strct.fields = std::move(fields);
  return t;
}

ir::SubType arrayType(ir::FieldType field) {
  ir::SubType t;
  t.kind = ir::CompKind::Array;
  t.array.field = field;
  return t;
}

// A module with struct type 0 {mut i32, i64} and array type 1 of immutable i8; one function
// [] -> results with `body`.
std::string checkGc(std::vector<ir::ValType> results, const Bytes& body) {
  TestModule t;
  t.addType(structType({{{kI32, ir::Packed::None}, true}, {{kI64, ir::Packed::None}, false}}));
  t.addType(arrayType({{kI32, ir::Packed::I8}, false}));
  t.func(t.funcType({}, std::move(results)), body);
  return messageOf(t.validate());
}

TEST(InstrCheckerGc, StructNewAndGet) {
  EXPECT_EQ(checkGc({kI64}, {
                                0x00,              // no locals
                                0x41, 0x01,        // i32.const 1
                                0x42, 0x02,        // i64.const 2
                                0xfb, 0x00, 0x00,  // struct.new 0
                                0xfb, 0x02, 0x00,  // struct.get 0
                                0x01,              //   field 1 (i64)
                                0x0b,              // end
                            }),
            "ok");
  EXPECT_EQ(checkGc({}, {
                            0x00,              // no locals
                            0x42, 0x02,        // i64.const 2
                            0x41, 0x01,        // i32.const 1: fields in the wrong order
                            0xfb, 0x00, 0x00,  // struct.new 0
                            0x1a,              // drop
                            0x0b,              // end
                        }),
            "type mismatch: instruction requires [i64] but stack has [i32]");
}

TEST(InstrCheckerGc, StructSetNeedsMutableField) {
  EXPECT_EQ(checkGc({}, {
                            0x00,                    // no locals
                            0xd0, 0x00,              // ref.null 0
                            0x42, 0x05,              // i64.const 5
                            0xfb, 0x05, 0x00, 0x01,  // struct.set 0 1 (immutable)
                            0x0b,                    // end
                        }),
            "immutable field");
}

TEST(InstrCheckerGc, PackedArrays) {
  EXPECT_EQ(checkGc({kI32}, {
                                0x00,                    // no locals
                                0x41, 0x07,              // i32.const 7
                                0xfb, 0x08, 0x01, 0x01,  // array.new_fixed 1 1
                                0x41, 0x00,              // i32.const 0
                                0xfb, 0x0d, 0x01,        // array.get_u 1
                                0x0b,                    // end
                            }),
            "ok");
  // A packed element needs get_s/get_u.
  EXPECT_EQ(checkGc({kI32}, {
                                0x00,                    // no locals
                                0x41, 0x07,              // i32.const 7
                                0xfb, 0x08, 0x01, 0x01,  // array.new_fixed 1 1
                                0x41, 0x00,              // i32.const 0
                                0xfb, 0x0b, 0x01,        // array.get 1
                                0x0b,                    // end
                            }),
            "type mismatch");
  EXPECT_EQ(checkGc({}, {
                            0x00,              // no locals
                            0xd0, 0x01,        // ref.null 1
                            0x41, 0x00,        // i32.const 0
                            0x41, 0x00,        // i32.const 0
                            0xfb, 0x0e, 0x01,  // array.set 1 (immutable)
                            0x0b,              // end
                        }),
            "immutable array");
}

TEST(InstrCheckerGc, Casts) {
  EXPECT_EQ(checkGc({test::refTo(0, false)}, {
                                                 0x00,              // no locals
                                                 0xd0, 0x6e,        // ref.null any
                                                 0xfb, 0x16, 0x00,  // ref.cast (ref 0)
                                                 0x0b,              // end
                                             }),
            "ok");
  // A cast stays within its hierarchy: a funcref cannot become a struct.
  EXPECT_EQ(checkGc({}, {
                            0x00,              // no locals
                            0xd0, 0x70,        // ref.null func
                            0xfb, 0x16, 0x00,  // ref.cast (ref 0)
                            0x1a,              // drop
                            0x0b,              // end
                        }),
            "type mismatch: instruction requires [anyref] but stack has [funcref]");
}

TEST(InstrCheckerGc, BrOnCastTargetMustBeBelowSource) {
  EXPECT_EQ(checkGc({}, {
                            0x00,              // no locals
                            0x02, 0x6d,        // block (result eqref)
                            0xd0, 0x6e,        // ref.null any
                            0xfb, 0x18, 0x03,  // br_on_cast, both nullable
                            0x00,              //   label 0
                            0x6e, 0x6d,        //   from anyref to eqref
                            0x1a,              // drop the (ref any) that failed the cast
                            0xd0, 0x6d,        // ref.null eq
                            0x0b,              // end
                            0x1a,              // drop
                            0x0b,              // end
                        }),
            "ok");
  EXPECT_EQ(checkGc({}, {
                            0x00,              // no locals
                            0x02, 0x6d,        // block (result eqref)
                            0xd0, 0x6d,        // ref.null eq
                            0xfb, 0x18, 0x03,  // br_on_cast, both nullable
                            0x00,              //   label 0
                            0x6d, 0x6e,        //   from eqref to anyref: not a narrowing
                            0x0b,              // end
                            0x1a,              // drop
                            0x0b,              // end
                        }),
            "type mismatch");
}

}  // namespace
}  // namespace strata::validate
