// Helpers shared by the text tests: parse a module or fail the test, read back encoded bytes.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "text/text.h"

namespace strata::text::testing {

inline ir::Module parseOk(std::string_view wat, const ir::Features& features = ir::Features()) {
  auto m = parseWat(wat, features);
  EXPECT_TRUE(m) << wat << "\n  -> " << (m ? "" : m.error().message);
  return m ? std::move(*m) : ir::Module();
}

inline std::string parseError(std::string_view wat, const ir::Features& features = ir::Features()) {
  auto m = parseWat(wat, features);
  return m ? "(parsed)" : m.error().message;
}

inline std::vector<uint8_t> bytesOf(const ir::Module& m, ir::ByteSpan s) {
  auto span = m.span(s);
  return {span.begin(), span.end()};
}

// The encoded body (locals, instructions, end) of function `index`.
inline std::vector<uint8_t> body(const ir::Module& m, uint32_t index) {
  if (index >= m.functions.size()) return {};
  return bytesOf(m, m.functions[index].body);
}

inline std::vector<uint8_t> bytes(std::initializer_list<uint8_t> b) { return b; }

}  // namespace strata::text::testing
