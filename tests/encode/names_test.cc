// Tests of the `name` section encoding (spec 7.4).
#include <gtest/gtest.h>

#include "encode/encoder.h"

namespace strata::encode {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(Names, EmptyNamesGiveEmptyContents) { EXPECT_TRUE(encodeNameSection(ir::Names{}).empty()); }

TEST(Names, SubsectionsInIdOrderWithSortedMaps) {
  ir::Names n;
  n.functions = {{2, "b"}, {0, "a"}};
  n.locals[1] = {{1, "y"}, {0, "x"}};
  n.module = "m";
  EXPECT_EQ(encodeNameSection(n), (Bytes{
                                      0x00, 0x02,              // module subsection, size 2
                                      0x01, 'm',               //   "m"
                                      0x01, 0x07,              // function subsection, size 7
                                      0x02,                    //   two names
                                      0x00, 0x01, 'a',         //   func 0 "a"
                                      0x02, 0x01, 'b',         //   func 2 "b"
                                      0x02, 0x09,              // local subsection, size 9
                                      0x01,                    //   one function
                                      0x01, 0x02,              //   func 1, two locals
                                      0x00, 0x01, 'x',         //     local 0 "x"
                                      0x01, 0x01, 'y',         //     local 1 "y"
                                  }));
}

TEST(Names, FunctionNamesOnly) {
  ir::Names n;
  n.functions[300] = "f";
  // function subsection: id 1, size 5, one name, index 300 = 0xac 0x02, "f"
  EXPECT_EQ(encodeNameSection(n), (Bytes{0x01, 0x05, 0x01, 0xac, 0x02, 0x01, 'f'}));
}

}  // namespace
}  // namespace strata::encode
