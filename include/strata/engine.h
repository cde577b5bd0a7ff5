// The Engine: configuration, the execution tier and the canonical type registry, shared by stores.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/config.h"
#include "support/error.h"
#include "vm/compiler.h"

namespace strata {

namespace runtime {
class EngineImpl;
}

// Thread-safe and cheap to copy (a shared handle). It owns the tier's vm::Compiler, a registry
// of canonical function/GC types (so call_indirect and import matching compare types of
// different modules structurally, spec 3.1.3) and the epoch counter.
class Engine {
 public:
  using CompilerFactory = std::function<std::unique_ptr<vm::Compiler>()>;

  // Usage error "unknown tier X" when config.tier is not registered.
  static Result<Engine> create(Config config = {});

  const Config& config() const;
  // Epoch interruption: bumps the counter every store's epoch deadline is compared with.
  void incrementEpoch();

  // Process-wide registry of tiers by name; the interpreter registers as "interp".
  static void registerTier(std::string name, CompilerFactory factory);
  static std::vector<std::string> tiers();
  // The tier an empty Config::tier selects: "interp" until a registered tier is made the default
  // (the C and C++ APIs and the CLI make it "baseline" where the host runs that tier).
  static void setDefaultTier(std::string name);
  static std::string defaultTier();

  // For the runtime: wraps an engine it already holds.
  static Engine fromShared(std::shared_ptr<runtime::EngineImpl> impl) { return Engine(std::move(impl)); }
  runtime::EngineImpl& impl() const { return *impl_; }
  const std::shared_ptr<runtime::EngineImpl>& shared() const { return impl_; }
  friend bool operator==(const Engine& a, const Engine& b) { return a.impl_ == b.impl_; }

 private:
  explicit Engine(std::shared_ptr<runtime::EngineImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<runtime::EngineImpl> impl_;
};

}  // namespace strata
