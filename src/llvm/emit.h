// Optimization, object emission and linking into an image (emit.cc).
#pragma once

#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/Instruction.h>
#include <llvm/IR/Module.h>

#include <set>
#include <span>
#include <vector>

#include "llvm/plugin_api.h"

namespace strata::llvmtier {

struct ObjectTimes {
  double opt = 0, codegen = 0;  // seconds, added to
};

// Optimizes `m` (translated by ModuleTranslator) and writes its relocatable object.
// With `deleted` given: when the optimizer deleted linear-memory accesses or moved their traps
// (by the wasm offsets their access scopes name: emit.cc lostAccesses), returns those offsets
// there and no object, for the caller to translate again with those accesses volatile
// (plugin.cc compileBatchOnce).
Result<std::vector<char>> emitObject(llvm::Module& m, const PluginRequest& req, std::set<uint32_t>* deleted,
                                     ObjectTimes& times);

// The extensions (bit i: support::CpuFeature(i)) of the request's target CPU; 0 for native.
// A usage error for a name LLVM does not know: called before anything is compiled.
Result<uint64_t> targetCpuFeatures(const PluginRequest& req);

// A linear-memory access's wasm offsets: those its access scopes name (translate.h
// kAccessDomain), one when the translation made it, several when LLVM merged accesses into it;
// none for any other instruction.
llvm::SmallVector<uint32_t, 2> accessOffsets(const llvm::Instruction& i);

// Links the objects of a module's batches (each a range of its ndef defined functions, in
// order) into one position-independent image (link.cc).
Result<PluginOutput> linkObjects(std::span<const std::vector<char>> objects, uint32_t ndef, uint32_t nimp);

}  // namespace strata::llvmtier
