// The tiers a program can pick by name (Config::tier), registered from above the runtime: the
// runtime knows tiers only through vm::Compiler (style guide section 9). Programs that want
// every tier call registerAll() once before creating engines.
#pragma once

namespace strata::tiers {

// Registers "baseline" (the x86-64 single-pass JIT, where the host can run it) beside the
// interpreter ("interp", always present). Idempotent and thread-safe.
void registerAll();

// The tier `Config::tier` should default to on this host: "baseline" where machine code runs,
// else "interp".
const char* defaultTier();

}  // namespace strata::tiers
