// Tests that ByteWriter emits the shortest LEB128 forms and that ByteReader reads them back.
#include "support/byte_writer.h"

#include <gtest/gtest.h>

#include "support/byte_reader.h"

namespace strata {
namespace {

TEST(ByteWriter, SignedRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{64}, int64_t{-64}, int64_t{-65}, INT64_MIN,
                    INT64_MAX}) {
    std::vector<uint8_t> out;
    ByteWriter w(out);
    w.varS64(v);
    ByteReader r{std::span<const uint8_t>(out)};
    auto got = r.readVarS64();
    ASSERT_TRUE(got) << v;
    EXPECT_EQ(*got, v);
    EXPECT_TRUE(r.atEnd());
  }
}

TEST(ByteWriter, ShortestForms) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.varS32(64);  // needs two bytes: 0xc0 0x00, since 0x40 alone would read as -64
  EXPECT_EQ(out, (std::vector<uint8_t>{0xc0, 0x00}));
  out.clear();
  w.varU32(127);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x7f}));
}

TEST(ByteWriter, PatchedSlotReadsBack) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  size_t at = w.reserveU32();
  w.patchU32(at, 300);
  ByteReader r{std::span<const uint8_t>(out)};
  EXPECT_EQ(*r.readVarU32(), 300u);
}

}  // namespace
}  // namespace strata
