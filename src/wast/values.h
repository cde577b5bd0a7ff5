// Script constants (text::Value) against runtime values (strata::Val): arguments of actions and
// the result patterns of assert_return (test/core/README: nan:canonical, nan:arithmetic, lanes).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "strata/types.h"
#include "strata/val.h"
#include "support/error.h"
#include "text/script.h"

namespace strata::wast {

// The argument `v` for a parameter of type `param` (the type decides the reference kind of
// `ref.null` and `ref.extern N`). Usage error for patterns that are not constants.
Result<Val> toArgument(const text::Value& v, ValType param);

// Whether `actual` matches the expected pattern (spec interpreter semantics): integers and
// floats bit-exact unless a NaN pattern, v128 per lane of the expected shape, references by
// kind and nullness, `either` when any alternative matches.
bool matches(const text::Value& expected, const Val& actual);
// matches() for a whole result list (the counts must agree).
bool matchesAll(std::span<const text::Value> expected, std::span<const Val> actual);

// "i32:0x0000002a", "f32x4:[...]", "ref.extern 3" ... for failure messages.
std::string describe(const Val& v);
std::string describe(const text::Value& v);
std::string describe(std::span<const Val> vals);
std::string describe(std::span<const text::Value> vals);

// spec 4.3.2 (numerics, NaN propagation): a canonical NaN has only the quiet bit set in its
// payload (the sign is free); an arithmetic NaN has at least the quiet bit set.
bool isCanonicalNan32(uint32_t bits);
bool isArithmeticNan32(uint32_t bits);
bool isCanonicalNan64(uint64_t bits);
bool isArithmeticNan64(uint64_t bits);

}  // namespace strata::wast
