// Tests of `strata run --invoke` argument parsing and result printing (src/cli/invoke_args.h).
#include <gtest/gtest.h>

#include "cli/invoke_args.h"

namespace strata::cli {
namespace {

FuncType params(std::vector<ValType> p) { return FuncType{std::move(p), {}}; }

TEST(ParseInvokeArgs, IntegersSignedUnsignedAndHex) {
  auto v = parseInvokeArgs(params({ValType::i32(), ValType::i32(), ValType::i64(), ValType::i32()}),
                           {"-1", "4294967295", "0x8000000000000000", "1_000"});
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ((*v)[0].i32(), -1);
  EXPECT_EQ((*v)[1].i32(), -1);  // the same bits
  EXPECT_EQ(uint64_t((*v)[2].i64()), 0x8000000000000000u);
  EXPECT_EQ((*v)[3].i32(), 1000);
}

TEST(ParseInvokeArgs, FloatsIncludingInfAndNan) {
  auto v = parseInvokeArgs(params({ValType::f32(), ValType::f64(), ValType::f32(), ValType::f64()}),
                           {"1.5", "-inf", "nan", "0x1p-2"});
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ((*v)[0].f32Bits(), 0x3fc00000u);
  EXPECT_EQ((*v)[1].f64Bits(), 0xfff0000000000000u);
  EXPECT_EQ((*v)[2].f32Bits(), 0x7fc00000u);  // the canonical NaN
  EXPECT_EQ((*v)[3].f64(), 0.25);
}

TEST(ParseInvokeArgs, Errors) {
  auto range = parseInvokeArgs(params({ValType::i32()}), {"4294967296"});
  ASSERT_FALSE(range.has_value());
  EXPECT_NE(range.error().message.find("argument 1"), std::string::npos);
  EXPECT_FALSE(parseInvokeArgs(params({ValType::i32()}), {"x"}).has_value());
  EXPECT_FALSE(parseInvokeArgs(params({ValType::i32()}), {}).has_value());  // count
  EXPECT_FALSE(parseInvokeArgs(params({ValType::externref()}), {"1"}).has_value());
  EXPECT_EQ(parseInvokeArgs(params({ValType::i32()}), {"1", "2"}).error().kind, ErrorKind::Usage);
}

TEST(FormatResult, OneValueAsText) {
  EXPECT_EQ(formatResult(Val::i32(-7)), "-7");
  EXPECT_EQ(formatResult(Val::i64(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(formatResult(Val::f32(1.5f)), "1.5");
  EXPECT_EQ(formatResult(Val::f64(-0.0)), "-0");
  std::array<uint8_t, 16> bytes{};
  bytes[0] = 0x01;   // lowest byte
  bytes[15] = 0xab;  // highest byte
  EXPECT_EQ(formatResult(Val::v128(bytes)), "0xab000000000000000000000000000001");
  EXPECT_EQ(formatResult(Val::nullRef(Val::Kind::FuncRef)), "null");
  EXPECT_EQ(formatResult(Val::externref(ExternRef::fromInt(3))), "externref 3");
}

}  // namespace
}  // namespace strata::cli
