// Tiers side by side in one store, and re-entrancy.
//
// A Store belongs to one Engine and an Engine has one tier (Instance::create refuses a module
// of another engine: "module and store belong to different engines"), so the public API cannot
// put a module compiled by "interp" and one compiled by "baseline" in one store directly. It
// happens through the baseline tier's fallback: a module the baseline tier cannot compile
// (today: one using atomics, from the threads proposal) is compiled by the interpreter inside
// the baseline engine. Those tests compare backtraces across the tier boundary with the same
// modules run entirely on the interpreter. Then host -> wasm -> host -> wasm re-entrancy on
// both tiers: a trap in the inner activation, after which the outer one completes normally.
#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

// Uses an atomic instruction, so the baseline engine hands it to the interpreter.
constexpr const char* kInterpLib = R"((module $ilib
  (memory 1)
  (func $atomic (export "atomic") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func $idiv (export "idiv") (param i32) (result i32) (i32.div_u (i32.const 10) (local.get 0)))
  (func $icall (export "icall") (param i32) (result i32)
    (i32.add (i32.const 1) (call $idiv (local.get 0))))))";

// Compiled by the baseline tier; calls into the interpreted library and back.
constexpr const char* kBaselineLib = R"((module $blib
  (import "ilib" "icall" (func $icall (param i32) (result i32)))
  (memory 1)
  (func $bdiv (export "bdiv") (param i32) (result i32) (i32.div_s (i32.const 10) (local.get 0)))
  (func $bcall (export "bcall") (param i32) (result i32)
    (i32.mul (i32.const 2) (call $icall (local.get 0))))
  (func $bload (export "bload") (param i32) (result i32) (i32.load (local.get 0)))))";

// Compiled by the interpreter (atomics); calls into the baseline module.
constexpr const char* kInterpTop = R"((module $itop
  (import "blib" "bdiv" (func $bdiv (param i32) (result i32)))
  (import "blib" "bload" (func $bload (param i32) (result i32)))
  (memory 1)
  (func $keep (drop (i32.atomic.load (i32.const 0))))
  (func $top (export "top") (param i32) (result i32) (i32.add (i32.const 3) (call $bdiv (local.get 0))))
  (func $topload (export "topload") (param i32) (result i32) (i32.add (i32.const 3) (call $bload (local.get 0))))))";

struct Mixed {
  std::optional<Engine> engine;
  std::optional<Store> store;
  std::string tiers;  // tierName of ilib, blib, itop
  Instance blib, itop;
};

void setUp(Mixed& m, const char* tier) {
  Config config;
  config.tier = tier;
  config.features.set(ir::Feature::Threads, true);
  m.engine = *Engine::create(config);
  m.store.emplace(*m.engine);
  Linker linker(*m.engine);
  for (auto [name, wat] : {std::pair{"ilib", kInterpLib}, std::pair{"blib", kBaselineLib}, std::pair{"itop", kInterpTop}}) {
    auto module = Module::fromText(*m.engine, wat);
    ASSERT_TRUE(module.has_value()) << module.error().describe();
    m.tiers += std::string(module->compiled().tierName()) + " ";
    auto inst = linker.instantiate(*m.store, *module);
    ASSERT_TRUE(inst.has_value()) << inst.error().describe();
    ASSERT_TRUE(linker.defineInstance(name, *inst).has_value());
    if (std::string(name) == "blib") m.blib = *inst;
    if (std::string(name) == "itop") m.itop = *inst;
  }
}

std::string outcome(Mixed& m, const Instance& inst, const char* name, int32_t arg) {
  auto r = inst.getFunc(name)->call(*m.store, {Val::i32(arg)});
  return r ? "ok " + showVal((*r)[0]) : showTrap(r.error());
}

TEST(JitMixed, InterpretedAndCompiledModulesInOneStore) {
  REQUIRE_BASELINE();
  Mixed ref, mixed;
  setUp(ref, "interp");
  setUp(mixed, machineTier());
  if (HasFatalFailure()) return;
  EXPECT_EQ(ref.tiers, "interp interp interp ");
  EXPECT_EQ(mixed.tiers, std::string("interp ") + machineTier() + " interp ") << "the fallback this test relies on changed";
  struct Call {
    bool top;
    const char* name;
    int32_t arg;
    const char* expect;  // kind, or "ok"
  };
  const Call calls[] = {
      {false, "bcall", 5, "ok"},   // baseline -> interp -> interp
      {false, "bcall", 0, "integer divide by zero"},  // trap in interp under a baseline frame
      {true, "top", 5, "ok"},      // interp -> baseline
      {true, "top", 0, "integer divide by zero"},     // trap in baseline under an interp frame
      {true, "topload", 65536, "out of bounds memory access"},  // fault in baseline under interp
      {true, "topload", 0, "ok"},
  };
  for (const Call& c : calls) {
    std::string a = outcome(ref, c.top ? ref.itop : ref.blib, c.name, c.arg);
    std::string b = outcome(mixed, c.top ? mixed.itop : mixed.blib, c.name, c.arg);
    EXPECT_EQ(a, b) << c.name << "(" << c.arg << ")";
    EXPECT_NE(b.find(c.expect), std::string::npos) << b;
  }
  // The frames cross the boundary in order.
  auto r = mixed.blib.getFunc("bcall")->call(*mixed.store, {Val::i32(0)});
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().frames().size(), 3u);
  EXPECT_EQ(r.error().frames()[0].func_name, "idiv");
  EXPECT_EQ(r.error().frames()[1].func_name, "icall");
  EXPECT_EQ(r.error().frames()[2].func_name, "bcall");
  EXPECT_EQ(r.error().frames()[2].module_name, "blib");
}

// A module that may hold GC objects (any hierarchy in a signature, global, table or local, or
// a struct or array type) runs on the tier under test, whose frames the collector scans on the
// native stack (docs/gc.md "Machine-code tiers"), as do modules with function and host
// references.
TEST(JitMixed, ModulesHoldingGcReferencesRunOnThisTier) {
  REQUIRE_BASELINE();
  Config config;
  config.tier = machineTier();
  Engine engine = *Engine::create(config);
  auto tierOf = [&](const char* wat) {
    auto m = Module::fromText(engine, wat);
    EXPECT_TRUE(m.has_value()) << m.error().describe();
    return m ? std::string(m->compiled().tierName()) : std::string("error");
  };
  EXPECT_EQ(tierOf("(module (func (param anyref)))"), machineTier());
  EXPECT_EQ(tierOf("(module (func (local eqref)))"), machineTier());
  EXPECT_EQ(tierOf("(module (global (mut i31ref) (ref.null i31)))"), machineTier());
  EXPECT_EQ(tierOf("(module (type (struct)) (func))"), machineTier());
  EXPECT_EQ(tierOf("(module (table 1 externref) (func (param funcref) (local externref)))"), machineTier());
}

// host -> wasm $outer -> host $inner_call -> wasm $inner traps; the host callback swallows the
// trap (counting it) and $outer goes on and returns normally. Repeated, so that any state the
// trap leaves behind (stack limits, activation records) would show.
TEST(JitMixed, TrapInAnInnerActivationThenTheOuterCompletes) {
  REQUIRE_BASELINE();
  Options o;
  o.config.consume_fuel = true;
  o.hosts.push_back({"host", "try", FuncType{{ValType::i32()}, {ValType::i32()}},
                     [](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                       auto r = c.getExport("inner")->as<Func>()->call(c.store(), {args[0]});
                       if (r) {
                         results[0] = (*r)[0];
                       } else {
                         // Report which trap as a negative number; refuel if that was the trap.
                         results[0] = Val::i32(-1 - int32_t(r.error().kind()));
                         if (r.error().kind() == TrapKind::OutOfFuel) c.store().setFuel(1'000'000);
                       }
                       return {};
                     }});
  Both m(R"((module $reentry
    (import "host" "try" (func $try (param i32) (result i32)))
    (memory (export "mem") 1)
    (global $depth (mut i32) (i32.const 0))
    (func $deep (param i32) (result i32) (i32.add (i32.const 1) (call $deep (local.get 0))))
    (func $spin (loop $l (br $l)))
    (func $inner (export "inner") (param $how i32) (result i32)
      (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 $b4 (local.get $how)))
        (return (i32.const 100)))
        (return (i32.load (i32.const 65536))))
        (return (call $deep (i32.const 0))))
        (call $spin) (return (i32.const 0)))
      (unreachable))
    (func $outer (export "outer") (param $how i32) (result i32) (local $acc i32)
      (i32.store (i32.const 0) (i32.const 7))
      (local.set $acc (call $try (local.get $how)))
      ;; the outer activation continues: memory, locals and globals intact
      (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
      (i32.add (local.get $acc) (i32.mul (i32.load (i32.const 0)) (i32.const 1000))))))",
         o);
  for (int round = 0; round < 20; ++round) {
    for (int32_t how = 0; how < 5; ++how) {
      for (int i = 0; i < 2; ++i) m.side(i).store().setFuel(how == 3 ? 5000 : 1'000'000);
      if (how == 2) {
        // Stack exhaustion in the inner activation: the tiers' frames legitimately differ in
        // size, so compare the value the outer activation returns, not the fuel left.
        for (int i = 0; i < 2; ++i) {
          Side& s = m.side(i);
          if (!s.ok()) continue;
          Outcome out = s.call("outer", {i32(how)});
          ASSERT_FALSE(out.trapped) << s.tier() << ": " << out.text.substr(0, 400);
          EXPECT_EQ(out.results[0].i32(), 7000 - 1 - int32_t(TrapKind::CallStackExhausted)) << s.tier();
        }
        continue;
      }
      Outcome out = m.same("outer", {i32(how)});
      ASSERT_FALSE(out.trapped) << out.text;
      const int32_t expect[] = {7100, 7000 - 1 - int32_t(TrapKind::MemoryOutOfBounds), 0,
                                7000 - 1 - int32_t(TrapKind::OutOfFuel), 7000 - 1 - int32_t(TrapKind::Unreachable)};
      EXPECT_EQ(out.results[0].i32(), expect[how]) << "how " << how;
    }
  }
}

}  // namespace
}  // namespace strata::jit_test
