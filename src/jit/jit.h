// The baseline tier: a single-pass x86-64 compiler (docs/jit.md). The runtime knows it only
// through vm::Compiler; src/tiers registers it as "baseline".
#pragma once

#include <memory>

#include "vm/compiler.h"

namespace strata::jit {

// Whether this host can run the tier's code: x86-64 with SSE4.1, and executable mappings.
bool hostSupported();

// The tier's compiler ("baseline"); thread-safe, shareable by every engine. Modules using an
// instruction the tier does not compile yet are compiled by `fallback` when given (the module's
// tierName() then says which tier runs it).
std::unique_ptr<vm::Compiler> createCompiler(std::unique_ptr<vm::Compiler> fallback = nullptr);

}  // namespace strata::jit
