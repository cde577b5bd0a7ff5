// Helpers for interpreter tests: modules from text, instantiated on the "interp" tier through
// the runtime's API, and calls with typed results.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/strata.h"

namespace strata::interp_test {

// One instance of a text module in its own store.
class Instance1 {
 public:
  using Setup = std::function<void(Linker&, Store&)>;
  explicit Instance1(std::string_view wat, Config config = {}, const Setup& setup = nullptr) {
    if (config.tier.empty()) config.tier = "interp";  // Config's default is "interp" too
    auto engine = Engine::create(config);
    EXPECT_TRUE(engine.has_value());
    engine_ = *engine;
    store_ = std::make_unique<Store>(*engine_);
    auto m = Module::fromText(*engine_, wat);
    if (!m) {
      ADD_FAILURE() << m.error().describe();
      return;
    }
    Linker linker(*engine_);
    if (setup) setup(linker, *store_);
    auto inst = linker.instantiate(*store_, *m);
    if (!inst) {
      ADD_FAILURE() << inst.error().describe();
      return;
    }
    instance_ = *inst;
  }

  TrapResult<std::vector<Val>> call(std::string_view name, std::initializer_list<Val> args = {}) {
    auto f = instance_ ? instance_->getFunc(name) : std::nullopt;
    if (!f) return std::unexpected(Trap::host("no export " + std::string(name)));
    return f->call(*store_, args);
  }
  // The single result of a call that must not trap.
  Val one(std::string_view name, std::initializer_list<Val> args = {}) {
    auto r = call(name, args);
    if (!r) {
      ADD_FAILURE() << name << " trapped: " << r.error().toString();
      return Val::i32(0);
    }
    if (r->size() != 1) {
      ADD_FAILURE() << name << " returned " << r->size() << " values";
      return Val::i32(0);
    }
    return (*r)[0];
  }
  int32_t i32(std::string_view name, std::initializer_list<Val> args = {}) { return one(name, args).i32(); }
  int64_t i64(std::string_view name, std::initializer_list<Val> args = {}) { return one(name, args).i64(); }
  // The trap of a call that must trap.
  Trap trap(std::string_view name, std::initializer_list<Val> args = {}) {
    auto r = call(name, args);
    if (r) {
      ADD_FAILURE() << name << " did not trap";
      return Trap();
    }
    return r.error();
  }

  Store& store() { return *store_; }
  const Instance& instance() { return *instance_; }

 private:
  std::optional<Engine> engine_;
  std::unique_ptr<Store> store_;
  std::optional<Instance> instance_;
};

}  // namespace strata::interp_test
