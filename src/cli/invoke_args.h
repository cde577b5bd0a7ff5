// `strata run --invoke`: command-line arguments to wasm values and results back to text.
#pragma once

#include <string>
#include <vector>

#include "strata/types.h"
#include "strata/val.h"
#include "support/error.h"

namespace strata::cli {

// One argument per parameter: i32/i64 as signed or unsigned decimal or 0x hex (`_` separators
// allowed, spec 6.3.1), f32/f64 as decimal or hex floats, inf, -inf, nan or nan:0xPAYLOAD
// (spec 6.3.2). Usage error naming the argument when it does not parse or the count differs;
// v128 and reference parameters cannot be given on the command line.
Result<std::vector<Val>> parseInvokeArgs(const FuncType& type, const std::vector<std::string>& args);

// i32/i64 as signed decimal, floats in their shortest round-trip form ("1.5", "inf", "nan"),
// v128 as 0x and 32 hex digits (the little-endian 128-bit value), references as "null" or
// their kind ("funcref", "externref 3" for host integers).
std::string formatResult(const Val& v);

}  // namespace strata::cli
