// Wasm-aware rewriting of loop addresses (addresses.cc; docs/llvm.md "Loop addresses").
#pragma once

#include <llvm/IR/Module.h>

#include <cstddef>

#include "vm/abi.h"

namespace strata::llvmtier {

// The largest step per iteration of an address addresses.cc widens: the distance below 4 GiB
// that every 32-bit memory stays under, so an access at index 2^32 - kMaxAddressStep or above
// is always out of bounds.
inline constexpr int64_t kMaxAddressStep = int64_t(vm::kMemory32Headroom);
// The same for a step down (a backward loop): the guard below every such memory's base, where
// the first index that wraps below 0 lands.
inline constexpr int64_t kMaxAddressStepDown = int64_t(vm::kMemory32LowGuard);

// Rewrites, in every loop, the addresses of 32-bit guard-page memories whose index is an i32
// induction (zext of {start,+,step}) into 64-bit inductions, which LLVM can prove consecutive
// (vectorizer, strength reduction). Returns how many accesses it rewrote.
// `down`: steps down too (backward loops).
size_t widenLoopAddresses(llvm::Module& m, bool down = true);

// Versions each innermost loop whose accesses widenLoopAddresses rewrote, when the loop has no
// calls and a trip count known at entry: a check at entry that every access of every
// iteration is in bounds, then the loop, whose accesses cannot fault and carry the scope of
// kNoFaultDomain (cannotFault), or else an exact copy the vectorizers leave alone. Returns how
// many loops it versioned.
size_t versionLoops(llvm::Module& m);

// The alias-scope domain of the accesses versionLoops proved in bounds, which any reordering,
// merging or widening leaves exact: emit.cc lostAccesses does not count them.
inline constexpr const char* kNoFaultDomain = "strata.nofault";

}  // namespace strata::llvmtier
