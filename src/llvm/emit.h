// Optimization, object emission and linking into an image (emit.cc).
#pragma once

#include <llvm/IR/Module.h>

#include <set>

#include "llvm/plugin_api.h"

namespace strata::llvmtier {

// Optimizes `m` (translated by ModuleTranslator: ndef defined functions after nimp imports)
// and links its object into a position-independent image.
// With `deleted` given: when the optimizer deleted loads from linear memory (by the wasm offsets
// of their debug locations), returns their offsets there and no image, for the caller to
// translate again with those loads volatile.
Result<PluginOutput> emit(llvm::Module& m, const PluginRequest& req, uint32_t ndef, uint32_t nimp,
                          std::set<uint32_t>* deleted = nullptr);

}  // namespace strata::llvmtier
