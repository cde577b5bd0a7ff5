// Differential harness: the same module runs on the interpreter ("interp") and on a machine-code
// tier, each in its own engine and store; every call's outcome (results or trap kind, message
// and backtrace, plus the memory's contents and the fuel left) is printed to one string per
// tier and the two strings must be equal. The machine tier is "baseline", or the one named by
// the environment variable STRATA_TEST_TIER (tests/llvm runs these tests on "llvm" that way).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/strata.h"
#include "tiers/tiers.h"

namespace strata::jit_test {

// The machine-code tier under test (see above).
inline const char* machineTier() {
  const char* t = std::getenv("STRATA_TEST_TIER");
  return t && *t ? t : "baseline";
}

inline bool baselineAvailable() {
  tiers::registerAll();
  auto names = Engine::tiers();
  return std::find(names.begin(), names.end(), machineTier()) != names.end();
}

#define REQUIRE_BASELINE() \
  if (!::strata::jit_test::baselineAvailable()) GTEST_SKIP() << ::strata::jit_test::machineTier() << " tier not available on this host"

inline const char* const kTiers[2] = {"interp", machineTier()};

inline std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

inline std::string showVal(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::I32: return "i32:" + std::to_string(v.i32());
    case Val::Kind::I64: return "i64:" + std::to_string(v.i64());
    case Val::Kind::F32: return "f32:" + hex(v.f32Bits());
    case Val::Kind::F64: return "f64:" + hex(v.f64Bits());
    case Val::Kind::V128: {
      std::string s = "v128:";
      for (uint8_t b : v.v128()) s += hex(b).substr(2) + ".";
      return s;
    }
    default: return v.isNull() ? "ref:null" : "ref:nonnull";
  }
}

// `with_offsets` false: functions only (for comparisons around a known offset difference).
inline std::string showFrames(const std::vector<FrameInfo>& frames, bool with_offsets = true) {
  std::string s;
  for (const FrameInfo& f : frames) {
    s += "\n    #" + std::to_string(f.func_index) + (with_offsets ? " @" + hex(f.offset) : std::string()) + " " +
         f.module_name + "!" + f.func_name;
  }
  return s;
}

inline std::string showTrap(const Trap& t, bool with_offsets = true) {
  return std::string("trap[") + vm::trapMessage(t.kind()) + "] \"" + t.message() + "\"" +
         showFrames(t.frames(), with_offsets);
}

// One call's outcome on one tier, printed.
struct Outcome {
  bool trapped = false;
  Trap trap;
  std::vector<Val> results;
  std::string text;  // everything compared between the tiers
};

inline uint64_t fnv(const uint8_t* p, uint64_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

// Host functions a test links into its instance: (module, name, type, callback).
struct HostFn {
  std::string module, name;
  FuncType type;
  HostCallback callback;
};

// One tier: engine, store and one instance of the module (plus host functions).
class Side {
 public:
  Side(std::string tier, Config config, std::string_view wat, const std::vector<HostFn>& hosts,
       const std::function<void(Store&)>& arm, bool allow_fallback, bool with_offsets = true)
      : tier_(std::move(tier)), with_offsets_(with_offsets) {
    config.tier = tier_;
    auto engine = Engine::create(config);
    if (!engine) {
      ADD_FAILURE() << tier_ << ": " << engine.error().describe();
      return;
    }
    engine_ = *engine;
    store_.emplace(*engine_);
    if (config.consume_fuel) store_->setFuel(1'000'000'000);
    if (arm) arm(*store_);
    auto module = Module::fromText(*engine_, wat);
    if (!module) {
      ADD_FAILURE() << tier_ << ": " << module.error().describe() << " in\n" << wat;
      return;
    }
    if (!allow_fallback) {
      EXPECT_EQ(module->compiled().tierName(), tier_) << "the module fell back to another tier";
    }
    Linker linker(*engine_);
    for (const HostFn& h : hosts) (void)linker.defineFunc(h.module, h.name, h.type, h.callback);
    module_ = *module;
    auto inst = linker.instantiate(*store_, *module);
    if (!inst) {
      instantiate_error_ = inst.error().describe();
      return;
    }
    inst_ = *inst;
  }

  bool ok() const { return inst_.has_value(); }
  const std::string& tier() const { return tier_; }
  const std::string& instantiateError() const { return instantiate_error_; }
  Engine& engine() { return *engine_; }
  Store& store() { return *store_; }
  Instance& instance() { return *inst_; }
  const Module& module() { return *module_; }

  Outcome call(std::string_view name, const std::vector<Val>& args) {
    Outcome o;
    if (!inst_) {
      o.text = "no instance: " + instantiate_error_;
      return o;
    }
    auto f = inst_->getFunc(name);
    if (!f) {
      ADD_FAILURE() << "no export " << name;
      return o;
    }
    auto r = f->call(*store_, std::span<const Val>(args.data(), args.size()));
    if (r) {
      o.results = *r;
      o.text = "ok";
      for (const Val& v : o.results) o.text += " " + showVal(v);
    } else {
      o.trapped = true;
      o.trap = r.error();
      o.text = showTrap(o.trap, with_offsets_);
    }
    if (auto mem = inst_->getMemory("mem")) {
      o.text += "\n  memory " + std::to_string(mem->size()) + " pages, hash " + hex(fnv(mem->data(), mem->dataSize()));
    }
    if (engine_->config().consume_fuel) o.text += "\n  fuel left " + std::to_string(store_->fuel());
    return o;
  }

 private:
  std::string tier_;
  bool with_offsets_ = true;
  std::optional<Engine> engine_;
  std::optional<Module> module_;
  std::optional<Store> store_;
  std::optional<Instance> inst_;
  std::string instantiate_error_;
};

struct Options {
  Config config;
  std::vector<HostFn> hosts;
  std::function<void(Store&)> arm;  // run on each store before instantiation
  bool allow_fallback = false;
  // False: frames compare by function only (tests that work around a known offset difference;
  // each has a strict twin that is skipped while the difference lasts).
  bool compare_offsets = true;
};

inline Options withFuel(bool fuel) {
  Options o;
  o.config.consume_fuel = fuel;
  return o;
}

// The module instantiated on both tiers.
class Both {
 public:
  explicit Both(std::string_view wat, Options options = {})
      : interp_("interp", options.config, wat, options.hosts, options.arm, options.allow_fallback,
                options.compare_offsets),
        baseline_(machineTier(), options.config, wat, options.hosts, options.arm, options.allow_fallback,
                  options.compare_offsets) {
    EXPECT_EQ(interp_.instantiateError(), baseline_.instantiateError());
  }

  Side& interp() { return interp_; }
  Side& baseline() { return baseline_; }
  Side& side(int i) { return i == 0 ? interp_ : baseline_; }

  // Calls `name` on both tiers; the outcomes must print the same. Returns the interpreter's.
  Outcome same(std::string_view name, std::vector<Val> args = {}) {
    Outcome a = interp_.call(name, args);
    Outcome b = baseline_.call(name, args);
    EXPECT_EQ(a.text, b.text) << "call " << name << showArgs(args) << "\n  interp:   " << a.text
                              << "\n  " << machineTier() << ": " << b.text;
    return a;
  }

  // Calls `name` on both tiers expecting the same trap of `kind`; returns the interpreter's.
  Trap trap(std::string_view name, std::vector<Val> args, TrapKind kind) {
    Outcome o = same(name, args);
    EXPECT_TRUE(o.trapped) << "call " << name << showArgs(args) << " did not trap: " << o.text;
    if (o.trapped) {
      EXPECT_EQ(vm::trapMessage(o.trap.kind()), std::string(vm::trapMessage(kind)))
          << "call " << name << showArgs(args);
    }
    return o.trap;
  }

  // Calls `name` on both tiers expecting the same results (no trap); returns them.
  std::vector<Val> ok(std::string_view name, std::vector<Val> args = {}) {
    Outcome o = same(name, args);
    EXPECT_FALSE(o.trapped) << "call " << name << showArgs(args) << ": " << o.text;
    return o.results;
  }

  static std::string showArgs(const std::vector<Val>& args) {
    std::string s = "(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + showVal(args[i]);
    return s + ")";
  }

 private:
  Side interp_;
  Side baseline_;
};

inline Val i32(int32_t v) { return Val::i32(v); }
inline Val u32(uint32_t v) { return Val::i32(int32_t(v)); }
inline Val i64(int64_t v) { return Val::i64(v); }
inline Val u64(uint64_t v) { return Val::i64(int64_t(v)); }

}  // namespace strata::jit_test
