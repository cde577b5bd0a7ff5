// The tiers a program can pick by name (Config::tier), registered from above the runtime: the
// runtime knows tiers only through vm::Compiler (style guide section 9). Programs that want
// every tier call registerAll() once before creating engines.
#pragma once

#include <span>
#include <string_view>

#include "support/cpu_features.h"

namespace strata::tiers {

// Registers "baseline" (the x86-64 single-pass JIT, where the host can run it) beside the
// interpreter ("interp", always present). Idempotent and thread-safe.
void registerAll();

// The tier `Config::tier` should default to on this host: "baseline" where machine code runs,
// else "interp".
const char* defaultTier();

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

}  // namespace strata::tiers
