// The optimizing tier on LLVM (docs/llvm.md): `--tier llvm`. The runtime knows it only through
// vm::Compiler; src/tiers registers it as "llvm" when the build has it (STRATA_LLVM).
#pragma once

#include <memory>

#include "vm/compiler.h"

namespace strata::llvmtier {

// The tier's compiler; thread-safe. The LLVM half (plugin_api.h) is loaded on first use; a
// module the tier does not compile (an instruction it lacks, a setting it does not support
// yet) is compiled by `fallback` (its tierName() says which tier runs it).
std::unique_ptr<vm::Compiler> createCompiler(std::unique_ptr<vm::Compiler> fallback);

}  // namespace strata::llvmtier
