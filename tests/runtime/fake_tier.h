// A tiny stand-in tier for runtime tests: runs straight-line code of a few opcodes, recursing on
// the native stack, so the runtime's entry, traps, faults and builtins can be tested alone.
#pragma once

#include <memory>

#include "vm/compiler.h"

namespace strata::runtime_test {

// Registers the tier as "fake" (idempotent). Supported: i32/i64.const, local.get/set, drop,
// i32.add/sub/div_s, i32.load/store (no bounds checks in guard-page mode), memory.size/grow,
// table.get, call, call_indirect, unreachable, end. `checks_stack` makes calls compare the
// native stack pointer with VMStoreLimits::stack_limit (as a native-recursing tier must);
// "fake-nocheck" leaves overflow to the runtime's guard handling.
void registerFakeTiers();

}  // namespace strata::runtime_test
