// Numeric literal conversion: integer range checks and exactly rounded float parsing.
#include "text/numbers.h"

#include <locale.h>
#include <stdlib.h>

#include <bit>
#include <cmath>
#include <string>

namespace strata::text {

namespace {

int digitValue(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (!hex) return -1;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Consumes `digit ('_'? digit)*` (spec 6.3.1 num/hexnum) from text[i..]; appends the digits
// without separators to `clean` when given. Returns false if there is no well-formed run.
bool digits(std::string_view text, size_t& i, bool hex, std::string* clean) {
  size_t start = i;
  bool last_digit = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '_') {
      if (!last_digit) return false;
      last_digit = false;
    } else if (digitValue(c, hex) >= 0) {
      if (clean) *clean += c;
      last_digit = true;
    } else {
      break;
    }
    ++i;
  }
  return i > start && last_digit;
}

// Magnitude of `num` or `0x hexnum` (all of `text`); Range if it exceeds 2^64-1.
NumError magnitude(std::string_view text, uint64_t& out) {
  bool hex = text.size() > 2 && text[0] == '0' && text[1] == 'x';
  size_t i = hex ? 2 : 0;
  std::string clean;
  if (!digits(text, i, hex, &clean) || i != text.size()) return NumError::Syntax;
  uint64_t base = hex ? 16 : 10, v = 0;
  bool overflow = false;
  for (char c : clean) {
    uint64_t d = uint64_t(digitValue(c, hex));
    if (v > (UINT64_MAX - d) / base) overflow = true;
    v = v * base + d;
  }
  out = v;
  return overflow ? NumError::Range : NumError::None;
}

// Strips an optional sign; returns true if it was '-'.
bool takeSign(std::string_view& text, bool& has_sign) {
  has_sign = !text.empty() && (text[0] == '+' || text[0] == '-');
  bool negative = has_sign && text[0] == '-';
  if (has_sign) text.remove_prefix(1);
  return negative;
}

// The float syntax (spec 6.3.2) without sign, inf and nan: returns the literal without
// separators, in a form strtod accepts, or an empty string if the syntax is wrong.
std::string cleanFloat(std::string_view text) {
  bool hex = text.size() > 2 && text[0] == '0' && text[1] == 'x';
  size_t i = hex ? 2 : 0;
  std::string clean = hex ? "0x" : "";
  if (!digits(text, i, hex, &clean)) return {};
  if (i < text.size() && text[i] == '.') {
    clean += '.';
    ++i;
    if (i < text.size() && digitValue(text[i], hex) >= 0 && !digits(text, i, hex, &clean)) return {};
  }
  if (i < text.size() && (hex ? (text[i] == 'p' || text[i] == 'P') : (text[i] == 'e' || text[i] == 'E'))) {
    clean += hex ? 'p' : 'e';
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) clean += text[i++];
    if (!digits(text, i, false, &clean)) return {};
  }
  if (i != text.size()) return {};
  return clean;
}

locale_t cLocale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", locale_t(0));
  return loc;
}

template <class U, unsigned kMantBits, class F>
NumError parseFloat(std::string_view text, U& bits, F (*convert)(const char*, char**, locale_t)) {
  constexpr unsigned kBits = sizeof(U) * 8;
  constexpr U kSign = U(1) << (kBits - 1);
  constexpr U kExpMask = (~U(0) >> 1) & ~((U(1) << kMantBits) - 1);
  constexpr U kMantMask = (U(1) << kMantBits) - 1;
  bool has_sign;
  bool negative = takeSign(text, has_sign);
  U sign = negative ? kSign : 0;
  if (text == "inf") {
    bits = sign | kExpMask;
    return NumError::None;
  }
  if (text == "nan") {  // the canonical NaN (spec 4.3.2): only the top mantissa bit set
    bits = sign | kExpMask | (U(1) << (kMantBits - 1));
    return NumError::None;
  }
  if (text.starts_with("nan:0x")) {
    uint64_t payload;
    NumError e = magnitude(text.substr(4), payload);
    if (e == NumError::Syntax) return e;
    if (e == NumError::Range || payload == 0 || payload > kMantMask) return NumError::Range;
    bits = sign | kExpMask | U(payload);
    return NumError::None;
  }
  std::string clean = cleanFloat(text);
  if (clean.empty()) return NumError::Syntax;
  F value = convert(clean.c_str(), nullptr, cLocale());
  if (std::isinf(value)) return NumError::Range;
  bits = std::bit_cast<U>(value) | sign;
  return NumError::None;
}

}  // namespace

NumError parseNat(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty() || text[0] == '+' || text[0] == '-') return NumError::Syntax;
  NumError e = magnitude(text, out);
  if (e == NumError::None && out > max) return NumError::Range;
  return e;
}

NumError parseInt(std::string_view text, unsigned bits, uint64_t& out) {
  bool has_sign;
  bool negative = takeSign(text, has_sign);
  uint64_t m;
  NumError e = magnitude(text, m);
  if (e != NumError::None) return e;
  uint64_t mask = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  if (negative) {
    // spec 6.3.1: -2^(N-1) is the most negative value.
    if (m > (uint64_t{1} << (bits - 1))) return NumError::Range;
    out = (0 - m) & mask;
  } else {
    // An explicit '+' makes the literal signed (sN), whose maximum is 2^(N-1)-1.
    if (m > (has_sign ? mask >> 1 : mask)) return NumError::Range;
    out = m;
  }
  return NumError::None;
}

NumError parseF32(std::string_view text, uint32_t& bits) { return parseFloat<uint32_t, 23>(text, bits, strtof_l); }

NumError parseF64(std::string_view text, uint64_t& bits) { return parseFloat<uint64_t, 52>(text, bits, strtod_l); }

}  // namespace strata::text
