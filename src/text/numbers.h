// Numeric literals of the text format (spec 6.3.1, 6.3.2): integers with `_` separators, hex and
// decimal floats rounded exactly, inf and NaN payloads.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::text {

// Why a literal was rejected: Syntax is not a number of that kind at all (the spec suite calls
// such a token an "unknown operator"), Range is well-formed but does not fit.
enum class NumError : uint8_t { None, Syntax, Range };

// An unsigned literal (spec 6.3.1 `u64`): num or 0x hexnum, no sign; at most `max`.
NumError parseNat(std::string_view text, uint64_t max, uint64_t& out);

// A `bits`-wide integer literal (spec 6.3.1 iN): signed (-2^(bits-1)..2^(bits-1)-1) or unsigned
// (0..2^bits-1); `out` holds the two's complement pattern zero-extended from `bits`.
NumError parseInt(std::string_view text, unsigned bits, uint64_t& out);

// Float literals (spec 6.3.2) to IEEE bits, rounded to nearest, ties to even, directly from
// the literal (f32 is not rounded through f64). A finite literal that rounds to infinity and
// a NaN payload outside 1..2^mantissa-1 are Range errors.
NumError parseF32(std::string_view text, uint32_t& bits);
NumError parseF64(std::string_view text, uint64_t& bits);

}  // namespace strata::text
