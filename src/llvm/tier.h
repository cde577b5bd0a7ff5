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

// Called (process-wide, by whichever thread gets there) when a compile first needs the LLVM
// half, before it is loaded; null: nothing. A statically linked program cannot load the plugin
// and execs its dynamic twin there (src/cli/main.cc), so that loading an llvm artifact or a
// code cache entry, which needs no LLVM, costs it no exec.
void setBeforePluginLoad(void (*hook)());

}  // namespace strata::llvmtier
