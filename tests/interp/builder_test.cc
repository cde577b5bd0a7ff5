// The bytecode builder's output: operand fusion, destination patching, compare-and-branch,
// branch moves, frame layout.
#include <gtest/gtest.h>

#include "builder_test_util.h"

namespace strata::interp_test {
namespace {

using Names = std::vector<std::string>;

TEST(Builder, Listing) {
  Compiled c(R"((module
    (func (param i32) (result i32) (local i32 i32)
      (loop $l
        local.get 1 local.get 2 i32.add local.set 1
        local.get 2 i32.const 1 i32.add local.tee 2
        local.get 0 i32.lt_s br_if $l)
      local.get 1)
    (func (param i64) (result i64)
      local.get 0 i64.eqz
      if (result i64) i64.const 1
      else local.get 0 local.get 0 i64.const 1 i64.sub call 1 i64.mul end)
    (func (param i32 i32) (result i32 i32) local.get 1 local.get 0)
    (func (param i32) (result i32)
      (block (result i32) (block (result i32) local.get 0 local.get 0 br_table 0 1 1) i32.const 1 i32.add))
  ))");
  for (uint32_t i = 0; i < 4; ++i) std::printf("func %u\n%s", i, c.listing(i).c_str());
}

}  // namespace
}  // namespace strata::interp_test
