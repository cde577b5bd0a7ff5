// Every trap kind reachable without SIMD, run on the interpreter tier through the public API:
// kind, spec message and a backtrace with names. Skipped while the "interp" tier is absent.
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::runtime_test {
namespace {

class TrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::create();
    if (!engine) GTEST_SKIP() << "interpreter tier not built";
    engine_ = *engine;
    store_.emplace(*engine_);
    inst_ = instantiate(*store_, kModule);
  }

  Trap trap(std::string_view name, std::initializer_list<Val> args = {}) { return callTrap(*store_, inst_, name, args); }

  static constexpr const char* kModule = R"((module $traps
      (type $v (func))
      (type $i (func (result i32)))
      (memory 1)
      (table $t 2 funcref)
      (elem (table $t) (i32.const 0) func $ok)
      (func $ok)
      (func $unreachable (export "unreachable") unreachable)
      (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func $calls_div (export "calls_div") (result i32) (call $div (i32.const 1) (i32.const 0)))
      (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
      (func (export "conversion") (result i32) (i32.trunc_f32_s (f32.const nan)))
      (func (export "trunc_overflow") (result i32) (i32.trunc_f64_u (f64.const 1e10)))
      (func (export "memory") (result i32) (i32.load (i32.const 65535)))
      (func (export "table") (result funcref) (table.get $t (i32.const 2)))
      (func (export "undefined") (call_indirect $t (type $v) (i32.const 5)))
      (func (export "uninitialized") (call_indirect $t (type $v) (i32.const 1)))
      (func (export "mismatch") (result i32) (call_indirect $t (type $i) (i32.const 0)))
      (func $rec (export "recurse") (call $rec))))";

  std::optional<Engine> engine_;
  std::optional<Store> store_;
  Instance inst_;
};

TEST_F(TrapTest, Unreachable) {
  Trap t = trap("unreachable");
  EXPECT_EQ(t.kind(), TrapKind::Unreachable);
  EXPECT_EQ(t.message(), "unreachable");
  ASSERT_EQ(t.frames().size(), 1u);
  EXPECT_EQ(t.frames()[0].module_name, "traps");
  EXPECT_EQ(t.frames()[0].func_name, "unreachable");
  EXPECT_GT(t.frames()[0].offset, 0u);
}

TEST_F(TrapTest, DivideByZeroWithTwoFrames) {
  Trap t = trap("calls_div");
  EXPECT_EQ(t.message(), "integer divide by zero");
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[0].func_name, "div");
  EXPECT_EQ(t.frames()[1].func_name, "calls_div");
  std::string s = t.toString();
  EXPECT_TRUE(s.starts_with("integer divide by zero\nwasm backtrace:\n")) << s;
  EXPECT_NE(s.find("traps!div"), std::string::npos) << s;
}

TEST_F(TrapTest, ArithmeticAndConversion) {
  EXPECT_TRUE(trap("overflow").message().starts_with("integer overflow"));
  EXPECT_TRUE(trap("conversion").message().starts_with("invalid conversion to integer"));
  EXPECT_TRUE(trap("trunc_overflow").message().starts_with("integer overflow"));
}

TEST_F(TrapTest, MemoryAndTables) {
  EXPECT_TRUE(trap("memory").message().starts_with("out of bounds memory access"));
  EXPECT_TRUE(trap("table").message().starts_with("out of bounds table access"));
  EXPECT_TRUE(trap("undefined").message().starts_with("undefined element"));
  EXPECT_TRUE(trap("uninitialized").message().starts_with("uninitialized element"));
  EXPECT_TRUE(trap("mismatch").message().starts_with("indirect call type mismatch"));
}

TEST_F(TrapTest, DeepRecursionExhaustsTheStackAndTheProcessLives) {
  Trap t = trap("recurse");
  EXPECT_EQ(t.kind(), TrapKind::CallStackExhausted);
  EXPECT_EQ(t.message(), "call stack exhausted");
  // Still usable.
  EXPECT_EQ(trap("unreachable").kind(), TrapKind::Unreachable);
}

// Interruption through the Store and Engine API: fuel and epoch deadlines end an endless loop.
Trap runEndlessLoop(Config config, const std::function<void(Engine&, Store&)>& arm) {
  auto engine = Engine::create(config);
  if (!engine) return Trap();
  Store store(*engine);
  arm(*engine, store);
  Instance inst = instantiate(store, "(module (func (export \"spin\") (loop $l (br $l))))");
  return callTrap(store, inst, "spin");
}

TEST(Interruption, FuelRunsOut) {
  if (!Engine::create()) GTEST_SKIP() << "interpreter tier not built";
  Config config;
  config.consume_fuel = true;
  Trap t = runEndlessLoop(config, [](Engine&, Store& store) { store.setFuel(10000); });
  EXPECT_EQ(t.kind(), TrapKind::OutOfFuel);
  EXPECT_EQ(t.message(), "all fuel consumed by WebAssembly");
}

TEST(Interruption, EpochDeadlinePassed) {
  if (!Engine::create()) GTEST_SKIP() << "interpreter tier not built";
  Config config;
  config.epoch_interruption = true;
  Trap t = runEndlessLoop(config, [](Engine& engine, Store& store) {
    store.setEpochDeadline(1);
    engine.incrementEpoch();
  });
  EXPECT_EQ(t.kind(), TrapKind::Interrupt);
}

}  // namespace
}  // namespace strata::runtime_test
