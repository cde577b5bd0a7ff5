// The `spectest` host module every spec script may import from (the reference interpreter's
// test harness, interpreter/host/spectest.ml): print functions, globals, a table and memories.
#pragma once

#include <cstdio>

#include "strata/linker.h"
#include "strata/store.h"
#include "support/error.h"

namespace strata::wast {

// Defines module "spectest" in `linker`, its objects created in `store`:
//   print, print_i32, print_i64, print_f32, print_f64, print_i32_f32, print_f64_f64
//   global_i32 = 666, global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6 (immutable)
//   table = 10..20 funcref, table64 = the same with i64 addresses
//   memory = 1..2 pages, shared_memory = 1..2 pages shared (only with the threads feature)
// The print functions write their arguments to `out` ("42 : i32" per value, one line per
// call, the reference interpreter's format) or nothing when `out` is null.
Result<void> defineSpectest(Linker& linker, Store& store, std::FILE* out);

}  // namespace strata::wast
