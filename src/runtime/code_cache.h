// Runtime-internal: the on-disk code cache of compiled modules (docs/artifacts.md, "The cache").
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "strata/module.h"

namespace strata::runtime {

// The module of `bytes` from engine.config().cache_dir when an entry for them loads, else
// compile() and store its artifact there. Writing the cache never fails the compile.
Result<Module> compileCached(const Engine& engine, std::span<const uint8_t> bytes,
                             const std::function<Result<Module>()>& compile);

// What `strata cache stats` and `strata cache clear` see: the entries (*.cwasm) of a directory.
struct CacheStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
};
CacheStats cacheStats(const std::string& dir);
// Deletes every entry and leftover temporary file; returns how many entries went.
uint64_t cacheClear(const std::string& dir);

}  // namespace strata::runtime
