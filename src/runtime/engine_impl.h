// Engine internals: configuration, the tier's compiler, the canonical type registry, the epoch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "runtime/type_registry.h"
#include "strata/config.h"
#include "vm/compiler.h"

namespace strata::runtime {

class EngineImpl {
 public:
  EngineImpl(Config config, std::unique_ptr<vm::Compiler> compiler)
      : config_(std::move(config)), compiler_(std::move(compiler)) {}

  const Config& config() const { return config_; }
  const vm::Compiler& compiler() const { return *compiler_; }
  TypeRegistry& types() { return types_; }
  vm::CompileOptions compileOptions() const;

  // Code reads the epoch through a plain pointer (VMStoreLimits::epoch_counter).
  const uint64_t* epochCounter() const { return &epoch_; }
  uint64_t epoch() const { return __atomic_load_n(&epoch_, __ATOMIC_RELAXED); }
  void incrementEpoch() { __atomic_fetch_add(&epoch_, 1, __ATOMIC_RELAXED); }

 private:
  Config config_;
  std::unique_ptr<vm::Compiler> compiler_;
  TypeRegistry types_;
  alignas(8) uint64_t epoch_ = 0;
};

}  // namespace strata::runtime
