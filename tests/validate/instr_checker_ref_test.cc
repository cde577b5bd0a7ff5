// Typing of references, tables and exception handling.
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

// A module with tag 0 of type [tag_param] -> [] and one function [] -> [i32] with `body`.
std::string checkEh(ir::ValType tag_param, const Bytes& body) {
  TestModule t;
  uint32_t tag_type = t.funcType({tag_param}, {});
  t.m.tags.push_back({{tag_type}, false});
  t.func(t.funcType({}, {kI32}), body);
  return messageOf(t.validate());
}

Bytes tryTableBody() {
  return {
      0x00,              // no locals
      0x02, 0x7f,        // block (result i32)
      0x1f, 0x40, 0x01,  // try_table, one catch clause
      0x00, 0x00, 0x00,  //   catch tag 0 -> label 0
      0x41, 0x01,        // i32.const 1
      0x08, 0x00,        // throw 0
      0x0b,              // end (try_table)
      0x41, 0x00,        // i32.const 0
      0x0b,              // end (block)
      0x0b,              // end
  };
}

TEST(InstrCheckerRef, TryTableCatchMatchesLabel) {
  EXPECT_EQ(checkEh(kI32, tryTableBody()), "ok");
  // A tag carrying i64 cannot branch to a label expecting i32 (nor can throw take the i32).
  EXPECT_EQ(checkEh(kI64, tryTableBody()), "type mismatch");
}

TEST(InstrCheckerRef, ThrowNeedsKnownTag) {
  EXPECT_EQ(checkEh(kI32, {
                              0x00,        // no locals
                              0x08, 0x03,  // throw 3
                              0x0b,        // end
                          }),
            "unknown tag 3");
}

TEST(InstrCheckerRef, RethrowOnlyInsideCatch) {
  EXPECT_EQ(checkEh(kI32, {
                              0x00,        // no locals
                              0x02, 0x40,  // block
                              0x09, 0x00,  // rethrow 0: a block, not a catch
                              0x0b,        // end
                              0x41, 0x00,  // i32.const 0
                              0x0b,        // end
                          }),
            "invalid rethrow label");
}

TEST(InstrCheckerRef, TableInstructions) {
  TestModule t;
  t.table(kFuncRef, 1);
  t.func(t.funcType({}, {kI32}), {
                                     0x00,              // no locals
                                     0xd0, 0x70,        // ref.null func
                                     0x41, 0x02,        // i32.const 2
                                     0xfc, 0x0f, 0x00,  // table.grow 0
                                     0x0b,              // end
                                 });
  EXPECT_EQ(messageOf(t.validate()), "ok");
  TestModule u;
  u.table(test::kExternRef, 1);
  u.func(u.funcType({}, {}), {
                                 0x00,              // no locals
                                 0x41, 0x00,        // i32.const 0
                                 0x11, 0x00, 0x00,  // call_indirect (type 0) of an externref table
                                 0x0b,              // end
                             });
  EXPECT_EQ(messageOf(u.validate()), "type mismatch");
}

TEST(InstrCheckerRef, BrOnNullPassesNonNullRef) {
  TestModule t;
  uint32_t ft = t.funcType({}, {});
  t.func(t.funcType({test::refTo(ft, true)}, {test::refTo(ft, false)}),
         {
             0x00,        // no locals
             0x02, 0x40,  // block
             0x20, 0x00,  // local.get 0: (ref null ft)
             0xd5, 0x00,  // br_on_null 0
             0x0f,        // return (ref ft)
             0x0b,        // end
             0x00,        // unreachable
             0x0b,        // end
         });
  EXPECT_EQ(messageOf(t.validate()), "ok");
}

}  // namespace
}  // namespace strata::validate
