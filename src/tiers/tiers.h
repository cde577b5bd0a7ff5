// The tiers a program can pick by name (Config::tier), registered from above the runtime: the
// runtime knows tiers only through vm::Compiler (style guide section 9). Programs that want
// every tier call registerAll() once before creating engines.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "support/cpu_features.h"
#include "vm/compiler.h"

namespace strata::tiers {

// Registers "baseline" (the x86-64 single-pass JIT, where the host can run it), "llvm" and
// "tiered" (baseline code at once, llvm code when ready: docs/tiering.md) where the build has
// LLVM, beside the interpreter ("interp", always present), and makes "baseline" the tier an
// empty `Config::tier` selects (Engine::defaultTier) where it registers it. Idempotent and
// thread-safe.
void registerAll();

// A CPU extension a tier's code generator emits instructions of: required (the tier is not
// registered on a host without it) or used where the host has it (else other instructions).
struct CpuFeatureUse {
  support::CpuFeature feature;
  bool required;
  std::string_view what;  // which instructions, for what
};

// What `strata settings` lists per tier; empty for the interpreter (portable C++ built for
// plain x86-64) and for unknown names. An artifact's CPU check (issue 12) reads the same list.
std::span<const CpuFeatureUse> cpuFeatureUses(std::string_view tier);

// Tier-up (tiered.cc, docs/tiering.md): modules run on `first`'s code (whose calls must go
// through call slots, vm::CompiledModule::callSlot) while `second` compiles them on another
// thread; its code then replaces the first's at every call. STRATA_TIER_UP=sync makes each
// compile wait for the second tier (tests); =verbose reports each tier-up on stderr.
std::unique_ptr<vm::Compiler> createTieredCompiler(std::unique_ptr<vm::Compiler> first,
                                                   std::unique_ptr<vm::Compiler> second);

// For a module compiled by a tiered compiler: waits until its second tier's code is in place
// (true) or will not be (false: that tier could not compile it). False at once for any other
// module.
bool waitForTierUp(const vm::CompiledModule& module);

}  // namespace strata::tiers
