// Checks the SIMD naming contract against opcodes.def, and the V128 type itself.
//
// The X-macro below visits every row of opcodes.def. Rows with prefix 0xfd and Imm None, Lane or
// Shuffle must have a function simd::<Name> whose type is exactly the one their signature letters
// give (see src/interp/simd.h): a missing function or a wrong signature fails the build. The
// prefix and Imm tokens select the macro by token pasting; the opcode names are never pasted.
#include "sem/simd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ir/opcodes.h"

namespace strata::sem::simd {
namespace {

// A string literal usable as a template argument ("vv", "v", "").
template <size_t N>
struct Letters {
  char text[N];
  constexpr Letters(const char (&s)[N]) { std::copy_n(s, N, text); }
  static constexpr size_t kSize = N - 1;
};

template <char C>
struct LetterType;
template <>
struct LetterType<'i'> {
  using type = uint32_t;
};
template <>
struct LetterType<'l'> {
  using type = uint64_t;
};
template <>
struct LetterType<'f'> {
  using type = float;
};
template <>
struct LetterType<'d'> {
  using type = double;
};
template <>
struct LetterType<'v'> {
  using type = V128;
};

template <Letters P, size_t... K>
auto paramTuple(std::index_sequence<K...>) -> std::tuple<typename LetterType<P.text[K]>::type...>;

template <Letters R>
auto resultType() {
  static_assert(R.kSize <= 1, "SIMD rows have at most one result");
  if constexpr (R.kSize == 0) {
    return std::type_identity<void>{};
  } else {
    return std::type_identity<typename LetterType<R.text[0]>::type>{};
  }
}

template <ir::Imm I>
auto immTuple() {
  if constexpr (I == ir::Imm::Lane) {
    return std::tuple<uint8_t>{};
  } else if constexpr (I == ir::Imm::Shuffle) {
    return std::tuple<const uint8_t*>{};
  } else {
    return std::tuple<>{};
  }
}

template <class R, class Params, class Imms>
struct FnPtr;
template <class R, class... Ps, class... Is>
struct FnPtr<R, std::tuple<Ps...>, std::tuple<Is...>> {
  using type = R (*)(Ps..., Is...);
};

// The exact function pointer type the row's letters and Imm call for.
template <Letters P, Letters R, ir::Imm I>
using ExpectedFn = typename FnPtr<typename decltype(resultType<R>())::type,
                                  decltype(paramTuple<P>(std::make_index_sequence<P.kSize>())),
                                  decltype(immTuple<I>())>::type;

static_assert(
    std::is_same_v<ExpectedFn<"vi", "v", ir::Imm::Lane>, V128 (*)(V128, uint32_t, uint8_t)>);
static_assert(std::is_same_v<ExpectedFn<"v", "i", ir::Imm::None>, uint32_t (*)(V128)>);

// Selects rows by prefix, then by Imm kind. An Imm kind not listed here for a 0xfd row is a
// build error, so a new kind of SIMD row cannot slip past the check unnoticed.
#define SIMD_ROW_0x00(name, imm, params, results)
#define SIMD_ROW_0xfb(name, imm, params, results)
#define SIMD_ROW_0xfc(name, imm, params, results)
#define SIMD_ROW_0xfe(name, imm, params, results)
#define SIMD_ROW_0xfd(name, imm, params, results) SIMD_IMM_##imm(name, imm, params, results)
#define SIMD_IMM_None(name, imm, params, results) CHECK_ROW(name, imm, params, results)
#define SIMD_IMM_Lane(name, imm, params, results) CHECK_ROW(name, imm, params, results)
#define SIMD_IMM_Shuffle(name, imm, params, results) CHECK_ROW(name, imm, params, results)
#define SIMD_IMM_V128(name, imm, params, results)        // v128.const: V128::load
#define SIMD_IMM_MemArg(name, imm, params, results)      // memory rows: simd_lanes.h helpers
#define SIMD_IMM_MemArgLane(name, imm, params, results)  // idem
#define CHECK_ROW(name, imm, params, results)                                               \
  static_assert(std::is_same_v<decltype(&name), ExpectedFn<params, results, ir::Imm::imm>>, \
                #name ": missing or wrong signature");

#define OP(name, prefix, code, text, imm, params, results, feature) \
  SIMD_ROW_##prefix(name, imm, params, results)
#include "ir/opcodes.def"
#undef OP
#undef CHECK_ROW

// The same selection as data, to compare with the table at run time.
#undef SIMD_IMM_None
#undef SIMD_IMM_Lane
#undef SIMD_IMM_Shuffle
#define SIMD_IMM_None(name, imm, params, results) ir::Opcode::name,
#define SIMD_IMM_Lane(name, imm, params, results) ir::Opcode::name,
#define SIMD_IMM_Shuffle(name, imm, params, results) ir::Opcode::name,
constexpr ir::Opcode kCheckedRows[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) \
  SIMD_ROW_##prefix(name, imm, params, results)
#include "ir/opcodes.def"
#undef OP
};

TEST(SimdContract, EveryComputationalSimdRowIsChecked) {
  // Recount from the table: a row the preprocessor filter skipped would be missing here.
  size_t expected = 0;
  for (unsigned i = 0; i < ir::kNumOpcodes; ++i) {
    const auto op = static_cast<ir::Opcode>(i);
    const ir::OpcodeInfo& info = ir::opcodeInfo(op);
    if (info.prefix != 0xfd) continue;
    const bool computational =
        info.imm == ir::Imm::None || info.imm == ir::Imm::Lane || info.imm == ir::Imm::Shuffle;
    if (!computational) continue;
    EXPECT_NE(info.params, "*") << info.text;
    EXPECT_LE(info.results.size(), 1u) << info.text;
    EXPECT_NE(std::find(std::begin(kCheckedRows), std::end(kCheckedRows), op),
              std::end(kCheckedRows))
        << info.text;
    ++expected;
  }
  EXPECT_EQ(expected, std::size(kCheckedRows));
  // 213 SIMD + 20 relaxed SIMD computational rows as of the 3.0 opcode table.
  EXPECT_GE(expected, 233u);
}

TEST(SimdTypes, LayoutAndLaneOrder) {
  static_assert(sizeof(V128) == 16 && alignof(V128) == 16);
  static_assert(std::is_trivially_copyable_v<V128>);
  // The memory image 00 01 02 ... 0f: lane 0 is the lowest-addressed bytes (spec 4.3.1).
  uint8_t bytes[17];
  for (unsigned i = 0; i < 17; ++i) bytes[i] = static_cast<uint8_t>(i);
  const V128 v = V128::load(bytes + 1);  // unaligned on purpose
  EXPECT_EQ(v.lane<uint8_t>(0), 0x01);
  EXPECT_EQ(v.lane<uint16_t>(0), 0x0201);
  EXPECT_EQ(v.lane<uint32_t>(3), 0x100f0e0du);
  EXPECT_EQ(v.lane<uint64_t>(1), 0x100f0e0d0c0b0a09u);
  uint8_t out[16];
  v.store(out);
  EXPECT_TRUE(std::equal(out, out + 16, bytes + 1));
}

TEST(SimdTypes, FromLanesSetLaneAndEquality) {
  V128 v = V128::fromLanes<int32_t>({1, -2, 3, -4});
  EXPECT_EQ(v.lane<int32_t>(1), -2);
  EXPECT_EQ(v.lane<uint32_t>(3), 0xfffffffcu);
  const V128 w = v;
  v.setLane<int16_t>(0, 7);  // low half of i32 lane 0
  EXPECT_EQ(v.lane<int32_t>(0), 7);
  EXPECT_FALSE(v == w);
  v.setLane<int16_t>(0, 1);
  EXPECT_TRUE(v == w);
  EXPECT_EQ((V128::fromLanes<uint64_t>({0, 0})), V128{});
}

TEST(SimdTypes, SaturateClampsToTheLaneRange) {
  EXPECT_EQ(saturate<int8_t>(200), 127);
  EXPECT_EQ(saturate<int8_t>(-200), -128);
  EXPECT_EQ(saturate<uint8_t>(-1), 0);
  EXPECT_EQ(saturate<uint8_t>(256), 255);
  EXPECT_EQ(saturate<int16_t>(-5), -5);
  EXPECT_EQ(saturate<uint16_t>(int64_t{70000}), 65535);
}

TEST(SimdTypes, CanonicalizeNaNOnlyTouchesNaNLanes) {
  // f32 lanes: a signalling NaN with payload, a negative quiet NaN, +inf, -0.
  const V128 v = V128::fromLanes<uint32_t>({0x7f800001u, 0xffc00000u, 0x7f800000u, 0x80000000u});
  const V128 r = canonicalizeNaN<float>(v);
  EXPECT_EQ(r, (V128::fromLanes<uint32_t>({0x7fc00000u, 0x7fc00000u, 0x7f800000u, 0x80000000u})));
  const V128 d = V128::fromLanes<uint64_t>({0xfff0000000000001u, 0x3ff0000000000000u});
  EXPECT_EQ(canonicalizeNaN<double>(d),
            (V128::fromLanes<uint64_t>({0x7ff8000000000000u, 0x3ff0000000000000u})));
}

}  // namespace
}  // namespace strata::sem::simd
