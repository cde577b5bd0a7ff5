// Module-level validation errors carry the byte offset of the entry concerned, which the decoder
// records (ir `pos` fields), so `strata validate` can name the place of every error.
#include <gtest/gtest.h>

#include <vector>

#include "decode/decoder.h"
#include "validate/validator.h"

namespace strata::validate {
namespace {

TEST(Positions, DuplicateExportNamesItsEntry) {
  std::vector<uint8_t> b{
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // 0: magic, version
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // 8: type section: 1 type, [] -> []
      0x03, 0x02, 0x01, 0x00,                          // 14: function section: 1 function of type 0
      0x07, 0x09, 0x02,                                // 18: export section, 9 bytes, 2 exports
      0x01, 0x61, 0x00, 0x00,                          // 21: "a" func 0
      0x01, 0x61, 0x00, 0x00,                          // 25: "a" func 0 again
      0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,              // 29: code: 1 body of 2 bytes: no locals, end
  };
  ir::Features f;
  auto m = decode::decodeModule(b, f);
  ASSERT_TRUE(m) << m.error().message;
  auto v = validateModule(*m, f);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "duplicate export name");
  EXPECT_EQ(v.error().offset, 25u);
}

TEST(Positions, StartFunctionNamesTheStartSection) {
  std::vector<uint8_t> b{
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // 0: magic, version
      0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,        // 8: type section: 1 type, [i32] -> []
      0x03, 0x02, 0x01, 0x00,                          // 15: function section: 1 function of type 0
      0x08, 0x01, 0x00,                                // 19: start section: function 0 (at 21)
      0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,              // 22: code: no locals, end
  };
  ir::Features f;
  auto m = decode::decodeModule(b, f);
  ASSERT_TRUE(m) << m.error().message;
  auto v = validateModule(*m, f);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "start function");
  EXPECT_EQ(v.error().offset, 21u);
}

TEST(Positions, MemoryLimitsNameTheMemory) {
  std::vector<uint8_t> b{
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // 0: magic, version
      0x05, 0x04, 0x01,                                // 8: memory section, 4 bytes, 1 memory
      0x01, 0x02, 0x01,                                // 11: flags max present, min 2, max 1
  };
  ir::Features f;
  auto m = decode::decodeModule(b, f);
  ASSERT_TRUE(m) << m.error().message;
  auto v = validateModule(*m, f);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "size minimum must not be greater than maximum");
  EXPECT_EQ(v.error().offset, 11u);
}

}  // namespace
}  // namespace strata::validate
