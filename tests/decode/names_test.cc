// Tests of the `name` custom section (names.cc, spec 7.4).
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::decode::testing {
namespace {

TEST(DecodeNames, ModuleFunctionAndLocalNames) {
  ir::Module m = decodeOk({0x00, 0x1c,                    // custom section, 28 bytes
                           0x04, 'n', 'a', 'm', 'e',      // "name"
                           0x00, 0x02, 0x01, 'M',         // module name "M"
                           0x01, 0x07, 0x02,              // function names: 2
                           0x00, 0x01, 'f',               //   0 "f"
                           0x03, 0x01, 'g',               //   3 "g"
                           0x02, 0x08, 0x01,              // local names: 1 function
                           0x03, 0x02,                    //   function 3, 2 locals
                           0x00, 0x01, 'a',               //     0 "a"
                           0x01, 0x00});                  //     1 ""
  EXPECT_EQ(m.names.module, "M");
  EXPECT_EQ(m.names.functions, (std::map<uint32_t, std::string>{{0, "f"}, {3, "g"}}));
  ASSERT_EQ(m.names.locals.size(), 1u);
  EXPECT_EQ(m.names.locals[3], (std::map<uint32_t, std::string>{{0, "a"}, {1, ""}}));
  EXPECT_TRUE(m.customs.empty()) << "a decoded name section is not also kept raw";
}

TEST(DecodeNames, UnknownSubsectionsAreSkipped) {
  ir::Module m = decodeOk({0x00, 0x0e,                    // custom section, 14 bytes
                           0x04, 'n', 'a', 'm', 'e',      // "name"
                           0x01, 0x04, 0x01, 0x00, 0x01, 'f',  // function names: 0 "f"
                           0x07, 0x01, 0x00});            // global names (extended): skipped
  EXPECT_EQ(m.names.functions.at(0), "f");
}

TEST(DecodeNames, MalformedNameSectionStaysRaw) {
  // Each of these is kept as a raw custom section; the module itself is fine.
  std::vector<Bytes> bad = {
      {0x00, 0x03, 0x01, 0xff},                    // module name "\xff": bad UTF-8
      {0x01, 0x04, 0x02, 0x00, 0x00, 0x00},        // function names: 2 claimed, 1 given
      {0x01, 0x07, 0x02, 0x01, 0x00, 0x00, 0x00},  // indices 1 then 0: not increasing
      {0x01, 0x01, 0x00, 0x00, 0x01, 0x00},        // function names before module name
      {0x00, 0x03, 0x00, 0x00},                    // module name subsection of 3 bytes, 2 follow
  };
  for (const Bytes& content : bad) {
    Bytes section = {0x00, uint8_t(5 + content.size()), 0x04, 'n', 'a', 'm', 'e'};
    section.insert(section.end(), content.begin(), content.end());
    ir::Module m = decodeOk(section);
    EXPECT_TRUE(m.names.empty());
    ASSERT_EQ(m.customs.size(), 1u);
    EXPECT_EQ(m.customs[0].name, "name");
    EXPECT_EQ(m.customs[0].content.size, content.size());
  }
}

}  // namespace
}  // namespace strata::decode::testing
