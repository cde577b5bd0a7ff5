// Runtime-internal: what the code cache (code_cache.cc) keys an entry by besides the wasm bytes.
#pragma once

#include <string>

#include "strata/engine.h"

namespace strata::runtime {

// The bytes of the artifact header `engine` would expect (build id, tier, features, bounds
// checks, NaN canonicalization, fuel, epoch) plus the host's CPU bits: every input that decides
// whether an artifact loads, taken from artifact.cc so the key and the load checks cannot drift.
std::string artifactKeyPrefix(const Engine& engine);

}  // namespace strata::runtime
