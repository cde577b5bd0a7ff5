// The shared semantics (src/sem) under their short names inside the interpreter.
#pragma once

#include "sem/numeric.h"  // IWYU pragma: export
#include "sem/simd.h"     // IWYU pragma: export

namespace strata::interp {
namespace numeric = sem::numeric;
namespace simd = sem::simd;
}  // namespace strata::interp
