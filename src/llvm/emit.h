// Optimization, object emission and linking into an image (emit.cc).
#pragma once

#include <llvm/IR/Module.h>

#include "llvm/plugin_api.h"

namespace strata::llvmtier {

// Optimizes `m` (translated by ModuleTranslator: ndef defined functions after nimp imports)
// and links its object into a position-independent image.
Result<PluginOutput> emit(llvm::Module& m, const PluginRequest& req, uint32_t ndef, uint32_t nimp);

}  // namespace strata::llvmtier
