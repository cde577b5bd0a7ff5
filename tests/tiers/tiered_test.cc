// Tier-up (src/tiers/tiered.cc): a module runs on baseline code, then on llvm code once the
// background compile repoints its call slots. The interpreter is the oracle: results, traps and
// backtraces across the switch equal its own, and a frame that began on baseline code calls
// llvm code after it.
#include <algorithm>
#include <atomic>
#include <thread>

#include "jit_test_util.h"
#include "tiers/tiers.h"
#include "vm/code_image.h"

namespace strata::jit_test {
namespace {

bool tieredAvailable() {
  tiers::registerAll();
  auto names = Engine::tiers();
  return std::find(names.begin(), names.end(), "tiered") != names.end();
}

#define REQUIRE_TIERED() \
  if (!tieredAvailable()) GTEST_SKIP() << "tier tiered not available (a build without LLVM)"

// run(n, at): n iterations, each calling $inc directly and through the table, and $div; at
// iteration `at` the host's `ready` waits for the tier-up. $div divides by n - i - 1, so the
// last iteration traps in it, below the frame of run, which began on baseline code.
constexpr const char* kLoop = R"((module
  (import "host" "ready" (func $ready))
  (table 1 funcref)
  (elem (i32.const 0) $inc)
  (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1000) (local.get 0)))
  (func $run (export "run") (param $n i32) (param $at i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (if (i32.eq (local.get $i) (local.get $at)) (then (call $ready)))
      (local.set $acc (i32.add (local.get $acc) (call $inc (local.get $i))))
      (local.set $acc (i32.add (local.get $acc) (call_indirect (param i32) (result i32) (local.get $i) (i32.const 0))))
      (local.set $acc (i32.add (local.get $acc)
        (call $div (i32.sub (i32.sub (local.get $n) (local.get $i)) (i32.const 1)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc)))
)";

// The image the call slot of func_index points into.
const vm::CodeImage* slotImage(const Module& m, uint32_t func_index) {
  auto slot = m.compiled().callSlot(func_index);
  return slot.read ? vm::findCodeImage(reinterpret_cast<uintptr_t>(*slot.read)) : nullptr;
}

TEST(TierUp, ARunningFrameCallsTheOptimizedCodeOnceItIsInPlace) {
  REQUIRE_TIERED();
  FuncType none;
  std::atomic<const vm::CompiledModule*> compiled{nullptr};
  std::atomic<int> waited{0};
  Options interp_opts, tiered_opts;
  interp_opts.hosts.push_back({"host", "ready", none, [](Caller&, std::span<const Val>, std::span<Val>) -> TrapResult<void> { return {}; }});
  tiered_opts.hosts.push_back({"host", "ready", none, [&](Caller&, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
                                 if (const vm::CompiledModule* c = compiled.load()) waited += tiers::waitForTierUp(*c) ? 1 : 0;
                                 return {};
                               }});
  Side interp("interp", interp_opts.config, kLoop, interp_opts.hosts, nullptr, false);
  Side tiered("tiered", tiered_opts.config, kLoop, tiered_opts.hosts, nullptr, false);
  ASSERT_TRUE(interp.ok() && tiered.ok());
  const Module& m = tiered.module();
  // Before the wait the slot may hold either tier's entry (the compile runs meanwhile).
  compiled = &m.compiled();
  for (int n : {5, 50}) {
    Outcome a = interp.call("run", {Val::i32(n), Val::i32(n / 2)});
    Outcome b = tiered.call("run", {Val::i32(n), Val::i32(n / 2)});
    EXPECT_TRUE(a.trapped);  // the last $div
    EXPECT_EQ(a.text, b.text);
  }
  EXPECT_EQ(waited.load(), 2) << "the llvm code was not installed";
  // Every defined function's slot now points into llvm code (a line-table image).
  for (uint32_t f = 1; f <= 3; ++f) {
    const vm::CodeImage* img = slotImage(m, f);
    ASSERT_NE(img, nullptr);
    EXPECT_EQ(img->kind(), vm::ImageKind::ModuleLines) << "function " << f;
  }
  // A call from the host after the tier-up, and one that does not trap.
  for (int n : {1, 7}) EXPECT_EQ(interp.call("inc", {Val::i32(n)}).text, tiered.call("inc", {Val::i32(n)}).text);
  EXPECT_EQ(interp.call("run", {Val::i32(3), Val::i32(9)}).text, tiered.call("run", {Val::i32(3), Val::i32(9)}).text);
  EXPECT_EQ(m.compiled().tierName(), "tiered");
}

// Calls race with the tier-up: many runs from the host while the background compile finishes;
// whichever code each call meets, the results are the interpreter's.
TEST(TierUp, CallsDuringTheSwitchAgreeWithTheInterpreter) {
  REQUIRE_TIERED();
  FuncType none;
  Options o;
  o.hosts.push_back({"host", "ready", none, [](Caller&, std::span<const Val>, std::span<Val>) -> TrapResult<void> { return {}; }});
  for (int round = 0; round < 3; ++round) {
    Side interp("interp", o.config, kLoop, o.hosts, nullptr, false);
    Side tiered("tiered", o.config, kLoop, o.hosts, nullptr, false);
    ASSERT_TRUE(interp.ok() && tiered.ok());
    std::string expect = interp.call("run", {Val::i32(400), Val::i32(-1)}).text;
    bool installed = false;
    std::thread waiter([&] { installed = tiers::waitForTierUp(tiered.module().compiled()); });
    int calls = 0;
    for (; calls < 100000 && slotImage(tiered.module(), 1)->kind() != vm::ImageKind::ModuleLines; ++calls)
      ASSERT_EQ(tiered.call("run", {Val::i32(400), Val::i32(-1)}).text, expect) << "call " << calls;
    waiter.join();
    EXPECT_TRUE(installed);
    EXPECT_EQ(tiered.call("run", {Val::i32(400), Val::i32(-1)}).text, expect);
  }
}

// A module the llvm tier does not compile (a shared memory) keeps its baseline code; one
// without functions is tiered too, with nothing to compile again.
TEST(TierUp, ModulesTheSecondTierDoesNotCompileKeepTheFirstTiersCode) {
  REQUIRE_TIERED();
  Config config;
  config.tier = "tiered";
  config.features.set(ir::Feature::Threads, true);
  Engine engine = *Engine::create(config);
  auto shared = Module::fromText(engine, R"((module (memory 1 1 shared)
    (func (export "f") (param i32) (result i32) (i32.load (local.get 0)))))");
  ASSERT_TRUE(shared.has_value()) << shared.error().describe();
  EXPECT_EQ(shared->compiled().tierName(), "tiered");
  EXPECT_FALSE(tiers::waitForTierUp(shared->compiled()));
  EXPECT_EQ(slotImage(*shared, 0)->kind(), vm::ImageKind::Module);
  Store store(engine);
  auto inst = Instance::create(store, *shared, {});
  ASSERT_TRUE(inst.has_value());
  auto r = inst->getFunc("f")->call(store, {Val::i32(0)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].i32(), 0);
  auto empty = Module::fromText(engine, "(module (memory 1))");
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(tiers::waitForTierUp(empty->compiled()));
}

// A module dropped while its llvm code is being compiled: the compile stops (or finishes) and
// the module's memory goes, with no thread left behind reading it.
TEST(TierUp, ModulesDroppedWhileCompilingStopTheirCompile) {
  REQUIRE_TIERED();
  Config config;
  config.tier = "tiered";
  Engine engine = *Engine::create(config);
  std::string wat = "(module";
  for (int i = 0; i < 400; ++i)
    wat += " (func (param i32) (result i32) (i32.mul (i32.add (local.get 0) (i32.const " + std::to_string(i) +
           ")) (i32.const 3)))";
  wat += ")";
  for (int i = 0; i < 5; ++i) {
    auto m = Module::fromText(engine, wat);
    ASSERT_TRUE(m.has_value());
  }
  auto kept = Module::fromText(engine, wat);
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(tiers::waitForTierUp(kept->compiled()));
}

}  // namespace
}  // namespace strata::jit_test
