// Tests for strict LEB128 decoding and UTF-8 names (spec 5.2.2, 5.2.4).
#include "support/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata {
namespace {

ByteReader reader(const std::vector<uint8_t>& v) { return ByteReader(std::span<const uint8_t>(v)); }

TEST(ByteReader, U32Shortest) {
  std::vector<uint8_t> b{0xe5, 0x8e, 0x26};
  auto r = reader(b);
  auto v = r.readVarU32();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 624485u);
  EXPECT_TRUE(r.atEnd());
}

TEST(ByteReader, U32PaddedIsAllowedUpToFiveBytes) {
  std::vector<uint8_t> b{0x80, 0x80, 0x80, 0x80, 0x00};
  auto r = reader(b);
  auto v = r.readVarU32();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 0u);
}

TEST(ByteReader, U32TooLong) {
  std::vector<uint8_t> b{0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  auto r = reader(b);
  auto v = r.readVarU32();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "integer representation too long");
  EXPECT_EQ(v.error().offset, 0u);
}

TEST(ByteReader, U32TooLarge) {
  // Fifth byte may only carry 4 value bits.
  std::vector<uint8_t> b{0xff, 0xff, 0xff, 0xff, 0x1f};
  auto r = reader(b);
  auto v = r.readVarU32();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "integer too large");
  std::vector<uint8_t> ok{0xff, 0xff, 0xff, 0xff, 0x0f};
  auto r2 = reader(ok);
  EXPECT_EQ(*r2.readVarU32(), 0xffffffffu);
}

TEST(ByteReader, S32SignExtensionRules) {
  std::vector<uint8_t> minus_one{0x7f};
  auto r = reader(minus_one);
  EXPECT_EQ(*r.readVarS32(), -1);
  // INT32_MIN: last byte 0x78 (bits 4..6 equal the sign bit 3).
  std::vector<uint8_t> min{0x80, 0x80, 0x80, 0x80, 0x78};
  auto r2 = reader(min);
  EXPECT_EQ(*r2.readVarS32(), INT32_MIN);
  // 0x70 sets the unused bits but not the sign bit: too large.
  std::vector<uint8_t> bad{0x80, 0x80, 0x80, 0x80, 0x70};
  auto r3 = reader(bad);
  auto v = r3.readVarS32();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "integer too large");
}

TEST(ByteReader, S64Extremes) {
  std::vector<uint8_t> min{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
  auto r = reader(min);
  EXPECT_EQ(*r.readVarS64(), INT64_MIN);
  std::vector<uint8_t> bad{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  auto r2 = reader(bad);
  EXPECT_FALSE(r2.readVarS64());
}

TEST(ByteReader, UnexpectedEndCarriesOffset) {
  std::vector<uint8_t> b{0x01, 0x80};
  ByteReader r(std::span<const uint8_t>(b), 100);
  EXPECT_EQ(*r.readU8(), 1);
  auto v = r.readVarU32();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "unexpected end");
  EXPECT_EQ(v.error().offset, 102u);
}

TEST(Utf8, RejectsOverlongAndSurrogates) {
  EXPECT_TRUE(isValidUtf8("h\xc3\xa9llo"));
  EXPECT_TRUE(isValidUtf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));          // truncated
}

}  // namespace
}  // namespace strata
