// Helpers for runtime tests: engines on the fake tier, modules from text, instantiation.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "fake_tier.h"
#include "strata/strata.h"

namespace strata::runtime_test {

inline Engine fakeEngine(std::string tier = "fake", Config config = {}) {
  registerFakeTiers();
  config.tier = std::move(tier);
  auto e = Engine::create(config);
  EXPECT_TRUE(e.has_value());
  return *e;
}

inline Module compile(const Engine& engine, std::string_view wat) {
  auto m = Module::fromText(engine, wat);
  if (!m) {
    ADD_FAILURE() << m.error().describe() << " in\n" << wat;
    return *Module::fromText(engine, "(module)");
  }
  return *m;
}

inline Instance instantiate(Store& store, const Linker& linker, std::string_view wat) {
  auto inst = linker.instantiate(store, compile(store.engine(), wat));
  if (!inst) {
    ADD_FAILURE() << inst.error().describe();
    return *Linker(store.engine()).instantiate(store, compile(store.engine(), "(module)"));
  }
  return *inst;
}

inline Instance instantiate(Store& store, std::string_view wat) { return instantiate(store, Linker(store.engine()), wat); }

// Calls export `name` and returns its single i32 result, failing the test on a trap.
inline int32_t callI32(Store& store, const Instance& inst, std::string_view name, std::initializer_list<Val> args = {}) {
  auto f = inst.getFunc(name);
  if (!f) {
    ADD_FAILURE() << "no export " << name;
    return 0;
  }
  auto r = f->call(store, args);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().toString());
  return r && !r->empty() ? (*r)[0].i32() : 0;
}

// Calls export `name` expecting a trap.
inline Trap callTrap(Store& store, const Instance& inst, std::string_view name, std::initializer_list<Val> args = {}) {
  auto f = inst.getFunc(name);
  if (!f) {
    ADD_FAILURE() << "no export " << name;
    return Trap();
  }
  auto r = f->call(store, args);
  EXPECT_FALSE(r.has_value());
  return r ? Trap() : r.error();
}

// A host callback that calls `target` (assigned later) without arguments, counting calls in
// `count`, and propagates its trap.
inline HostCallback callBack(const std::optional<Func>& target, int* count = nullptr) {
  return [&target, count](Caller& c, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
    if (count) ++*count;
    auto r = target->call(c.store(), {});
    if (!r) return std::unexpected(r.error());
    return {};
  };
}

}  // namespace strata::runtime_test
