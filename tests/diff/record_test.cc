// The comparison rules of the differential tester: NaN payloads, v128 lane views, memories
// with NaNs stored at any alignment, and records cut by a tier-dependent trap.
#include "diff/record.h"

#include <gtest/gtest.h>

#include <cstring>

namespace strata::difftest {
namespace {

Value f32(uint32_t bits) { return snapshot(Val::f32Bits(bits)); }
Value f64(uint64_t bits) { return snapshot(Val::f64Bits(bits)); }
Value v128(uint64_t lo, uint64_t hi) {
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), &lo, 8);
  std::memcpy(b.data() + 8, &hi, 8);
  return snapshot(Val::v128(b));
}

TEST(DiffRecord, AnyNanEqualsAnyNanOfTheSameType) {
  EXPECT_TRUE(sameValue(f32(0x7fc00000), f32(0xffc00001), false));
  EXPECT_FALSE(sameValue(f32(0x7fc00000), f32(0xffc00001), true));
  EXPECT_TRUE(sameValue(f64(0x7ff8000000000000), f64(0xfff0000000000001), false));
  EXPECT_FALSE(sameValue(f32(0x7f800000), f32(0x7fc00000), false));  // infinity is no NaN
  EXPECT_FALSE(sameValue(f32(0x00000000), f32(0x80000000), false));  // +0 and -0 differ
  EXPECT_FALSE(sameValue(snapshot(Val::i32(0x7fc00000)), snapshot(Val::i32(0x7fc00001)), false));
  EXPECT_FALSE(sameValue(f32(0x7fc00000), f64(0x7ff8000000000000), false));
}

TEST(DiffRecord, V128LanesUnderOneView) {
  // f32x4: lane 1 a NaN on both sides with other payloads, the rest equal.
  EXPECT_TRUE(sameValue(v128(0x7fc0000012345678, 5), v128(0xffc0000112345678, 5), false));
  // f64x2: the high lane a NaN on both sides.
  EXPECT_TRUE(sameValue(v128(9, 0x7ff8000000000000), v128(9, 0x7ff0000000000001), false));
  // A NaN against a number is a difference under either view.
  EXPECT_FALSE(sameValue(v128(0x7fc0000012345678, 5), v128(0x3f80000012345678, 5), false));
}

TEST(DiffRecord, MemoryDifferencesInsideStoredNans) {
  std::vector<uint8_t> a(32, 0), b(32, 0);
  uint32_t nan_a = 0x7fc00000, nan_b = 0xffc00001;
  std::memcpy(a.data() + 5, &nan_a, 4);  // unaligned, as a wasm f32.store may be
  std::memcpy(b.data() + 5, &nan_b, 4);
  EXPECT_EQ(memoryDifference(a, b, false), std::nullopt);
  EXPECT_EQ(memoryDifference(a, b, true), std::optional<size_t>(5));
  b[20] = 1;
  EXPECT_EQ(memoryDifference(a, b, false), std::optional<size_t>(20));
  b.push_back(0);
  b[20] = 0;
  EXPECT_EQ(memoryDifference(a, b, false), std::optional<size_t>(32));  // sizes differ
}

TierRecord record(std::string tier, std::vector<Event> events) {
  TierRecord r;
  r.tier = std::move(tier);
  r.events = std::move(events);
  return r;
}

Event call(uint32_t index, int32_t result) { return Event{Event::Type::Call, index, "f", {}, {snapshot(Val::i32(result))}, {}}; }
Event trapped(uint32_t index, TrapKind kind) { return Event{Event::Type::Call, index, "f", {}, {}, Trap(kind)}; }

TEST(DiffRecord, ComparesEventsThenMemory) {
  TierRecord a = record("interp", {call(1, 1), call(2, 2)});
  TierRecord b = record("baseline", {call(1, 1), call(2, 3)});
  Comparison c = compare(a, b, {});
  EXPECT_FALSE(c.equal);
  EXPECT_NE(c.difference.find("event 1"), std::string::npos) << c.difference;
  b.events[1] = call(2, 2);
  a.memories = {{"memory", {1, 2}}};
  b.memories = {{"memory", {1, 3}}};
  c = compare(a, b, {});
  EXPECT_FALSE(c.equal);
  EXPECT_NE(c.difference.find("memory \"memory\""), std::string::npos) << c.difference;
  b.memories = a.memories;
  c = compare(a, b, {});
  EXPECT_TRUE(c.equal) << c.difference;
  EXPECT_EQ(c.calls, 2u);
}

TEST(DiffRecord, CutByFuelComparesOnlyEarlierCalls) {
  // interp ran out of fuel in call 2, baseline went on (its fuel is counted differently):
  // call 1 is compared, the rest and the final memory are not.
  TierRecord a = record("interp", {call(1, 1), trapped(2, TrapKind::OutOfFuel)});
  a.cut = 2;
  a.cut_why = "call #2 f: all fuel consumed by WebAssembly";
  TierRecord b = record("baseline", {call(1, 1), call(2, 7), call(3, 8)});
  a.memories = {{"memory", {1}}};
  b.memories = {{"memory", {2}}};
  Comparison c = compare(a, b, {});
  EXPECT_TRUE(c.equal) << c.difference;
  EXPECT_EQ(c.calls, 1u);
  ASSERT_TRUE(c.cut.has_value());
  EXPECT_EQ(*c.cut, 2u);
  b.events[0] = call(1, 5);
  EXPECT_FALSE(compare(a, b, {}).equal);
}

TEST(DiffRecord, TrapsCompareByKindAndMessage) {
  TierRecord a = record("interp", {trapped(1, TrapKind::MemoryOutOfBounds)});
  TierRecord b = record("baseline", {trapped(1, TrapKind::IntegerDivideByZero)});
  EXPECT_FALSE(compare(a, b, {}).equal);
  b.events[0] = trapped(1, TrapKind::MemoryOutOfBounds);
  EXPECT_TRUE(compare(a, b, {}).equal);
  b.events[0] = call(1, 0);
  EXPECT_FALSE(compare(a, b, {}).equal);
}

}  // namespace
}  // namespace strata::difftest
