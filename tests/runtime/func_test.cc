// Host functions and calls: argument checking, re-entrancy, host traps and their propagation.
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::runtime_test {
namespace {

FuncType i32ToI32() { return FuncType{{ValType::i32()}, {ValType::i32()}}; }

TEST(Func, HostFunctionCalledDirectly) {
  Engine engine = fakeEngine();
  Store store(engine);
  Func add = Func::wrap(store, FuncType{{ValType::i32(), ValType::i32()}, {ValType::i32()}},
                        [](Caller&, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                          results[0] = Val::i32(args[0].i32() + args[1].i32());
                          return {};
                        });
  auto r = add.call(store, {Val::i32(2), Val::i32(40)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].i32(), 42);
  EXPECT_EQ(add.type(store).params.size(), 2u);
  auto bad = add.call(store, {Val::i32(2)});
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().message().starts_with("type mismatch"));
  EXPECT_FALSE(add.call(store, {Val::i32(2), Val::i64(1)}).has_value());
}

TEST(Func, HostResultOfTheWrongTypeIsATrap) {
  Engine engine = fakeEngine();
  Store store(engine);
  Func f = Func::wrap(store, FuncType{{}, {ValType::i32()}}, [](Caller&, auto, std::span<Val> results) -> TrapResult<void> {
    results[0] = Val::f64(1.0);
    return {};
  });
  auto r = f.call(store, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), TrapKind::Host);
}

// wasm -> host -> wasm -> host ... n levels deep, each level adding one.
TEST(Func, ReentrantHostCallsNestSeveralLevels) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  std::optional<Func> wasm_f;
  int max_depth = 0;
  ASSERT_TRUE(linker.defineFunc("env", "host", i32ToI32(),
                                [&](Caller& caller, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                                  int n = args[0].i32();
                                  max_depth = std::max(max_depth, n);
                                  if (n >= 10) {
                                    results[0] = Val::i32(n);
                                    return {};
                                  }
                                  auto r = wasm_f->call(caller.store(), {Val::i32(n + 1)});
                                  if (!r) return std::unexpected(r.error());
                                  results[0] = (*r)[0];
                                  return {};
                                }).has_value());
  Instance inst = instantiate(store, linker, R"((module
      (import "env" "host" (func $host (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (call $host (local.get 0)))))");
  wasm_f = inst.getFunc("f");
  EXPECT_EQ(callI32(store, inst, "f", {Val::i32(0)}), 10);
  EXPECT_EQ(max_depth, 10);
}

TEST(Func, HostTrapUnwindsThroughWasmWithBacktrace) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  ASSERT_TRUE(linker.defineFunc("env", "fail", FuncType{}, [](Caller&, auto, auto) -> TrapResult<void> {
                      return std::unexpected(Trap::host("boom"));
                    }).has_value());
  Instance inst = instantiate(store, linker, R"((module $m
      (import "env" "fail" (func $fail))
      (func $inner (call $fail))
      (func $outer (export "run") (call $inner))))");
  Trap t = callTrap(store, inst, "run");
  EXPECT_EQ(t.kind(), TrapKind::Host);
  EXPECT_EQ(t.message(), "boom");
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[0].func_index, 1u);
  EXPECT_EQ(t.frames()[1].func_index, 2u);
  EXPECT_NE(t.toString().find("wasm backtrace:"), std::string::npos);
}

// A trap in nested wasm propagated by the host keeps its kind and inner frames, and the outer
// frames follow.
TEST(Func, TrapPropagatedThroughHostKeepsInnerFrames) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  std::optional<Func> bad;
  ASSERT_TRUE(linker.defineFunc("env", "relay", FuncType{}, callBack(bad)).has_value());
  Instance inst = instantiate(store, linker, R"((module
      (import "env" "relay" (func $relay))
      (func $bad (export "bad") unreachable)
      (func $run (export "run") (call $relay))))");
  bad = inst.getFunc("bad");
  Trap t = callTrap(store, inst, "run");
  EXPECT_EQ(t.kind(), TrapKind::Unreachable);
  EXPECT_EQ(t.message(), "unreachable");
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[0].func_index, 1u);  // $bad
  EXPECT_EQ(t.frames()[1].func_index, 2u);  // $run
  // The store is usable after the trap.
  Trap again = callTrap(store, inst, "bad");
  EXPECT_EQ(again.frames().size(), 1u);
}

TEST(Func, CallerSeesTheCallingInstancesExports) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  ASSERT_TRUE(linker.defineFunc("env", "peek", i32ToI32(), [](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                      auto mem = c.getExport("memory");
                      if (!mem || !mem->as<Memory>()) return std::unexpected(Trap::host("no memory"));
                      results[0] = Val::i32(mem->as<Memory>()->data()[args[0].i32()]);
                      return {};
                    }).has_value());
  Instance inst = instantiate(store, linker, R"((module
      (import "env" "peek" (func $peek (param i32) (result i32)))
      (memory (export "memory") 1) (data (i32.const 3) "\2a")
      (func (export "run") (result i32) (call $peek (i32.const 3)))))");
  EXPECT_EQ(callI32(store, inst, "run"), 42);
}

TEST(Func, HostExceptionBecomesATrap) {
  Engine engine = fakeEngine();
  Store store(engine);
  Func f = Func::wrap(store, FuncType{}, [](Caller&, auto, auto) -> TrapResult<void> { throw std::runtime_error("oops"); });
  auto r = f.call(store, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "host function threw: oops");
}

TEST(Func, FunctionsOfAnotherStoreAreRejected) {
  Engine engine = fakeEngine();
  Store a(engine), b(engine);
  Instance inst = instantiate(a, "(module (func (export \"f\")))");
  auto r = inst.getFunc("f")->call(b, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), TrapKind::Host);
}

}  // namespace
}  // namespace strata::runtime_test
