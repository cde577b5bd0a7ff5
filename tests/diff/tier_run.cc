// Runs one module on one tier and records what happened (see tier_run.h).
//
// Host functions: binaryen's `wasm-opt -ttf` modules import from "fuzzing-support". The log-*
// functions only record their arguments; call-export / call-export-catch call the export with
// that index (among exported functions, in export order) with zero arguments, as binaryen's
// own harness does; sleep returns its second argument. Any other import traps with the same
// host error on every tier, so it cannot cause a difference by itself.
//
// Harness calls: `rounds` passes over the exported functions in export order; before each call
// the module's `hangLimitInitializer` (binaryen's loop/recursion budget) is called when it is
// exported, as binaryen's harness does, so most calls end on their own. Fuel (reset before
// every call) and an epoch watchdog bound the rest; where either stops a call, or the native
// stack runs out, the place depends on the tier, so the record is cut there.
#include "diff/tier_run.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include <fmt/core.h>

#include "runtime/module_impl.h"
#ifdef STRATA_DIFF_HAVE_JIT
#include "jit/jit.h"
#endif

namespace strata::difftest {

namespace {

// splitmix64: small, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

template <class T, size_t N>
T pick(const T (&values)[N], uint64_t r) {
  return values[r % N];
}

// Interesting values half the time (edges of the type, NaN, infinities), random bits or small
// numbers otherwise. Non-nullable references have no value to give: nullopt.
std::optional<Val> argFor(const ValType& t, Rng& rng) {
  uint64_t r = rng.next(), choice = r & 3, v = rng.next();
  switch (t.kind) {
    case ir::ValKind::I32: {
      static const int32_t special[] = {0, 1, -1, 2, 7, 255, 0x7fff, -0x8000, INT32_MIN, INT32_MAX};
      return Val::i32(choice == 0 ? int32_t(v) : choice == 1 ? int32_t(v % 64) : pick(special, v));
    }
    case ir::ValKind::I64: {
      static const int64_t special[] = {0, 1, -1, 2, 0xffffffffll, INT32_MIN, INT64_MIN, INT64_MAX};
      return Val::i64(choice == 0 ? int64_t(v) : choice == 1 ? int64_t(v % 64) : pick(special, v));
    }
    case ir::ValKind::F32: {
      static const uint32_t special[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7fc00000, 0xffc00001,
                                         0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff, 0x4f000000, 0xcf000000};
      if (choice == 1) return Val::f32(float(int64_t(v % 200) - 100));
      return Val::f32Bits(choice == 0 ? uint32_t(v) : pick(special, v));
    }
    case ir::ValKind::F64: {
      static const uint64_t special[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
                                         0x7ff8000000000000ull, 0xfff8000000000001ull, 0x7ff0000000000000ull,
                                         0xfff0000000000000ull, 1, 0x7fefffffffffffffull, 0x43e0000000000000ull,
                                         0x41e0000000000000ull};
      if (choice == 1) return Val::f64(double(int64_t(v % 200) - 100));
      return Val::f64Bits(choice == 0 ? v : pick(special, v));
    }
    case ir::ValKind::V128: {
      std::array<uint8_t, 16> bytes{};
      uint64_t w = rng.next();
      if (choice != 1) {
        std::memcpy(bytes.data(), &v, 8);
        std::memcpy(bytes.data() + 8, &w, 8);
      }
      return Val::v128(bytes);
    }
    case ir::ValKind::Ref:
      if (!t.nullable) return std::nullopt;
      if (t.heap.isAbstract() && t.heap.absKind() == ir::AbsHeap::Extern && choice != 0)
        return Val::externref(ExternRef::fromInt(v % 8));
      return Val::defaultFor(t);
    case ir::ValKind::Bot: return std::nullopt;
  }
  return std::nullopt;
}

std::vector<Value> snapshots(std::span<const Val> vs) {
  std::vector<Value> out;
  for (const Val& v : vs) out.push_back(snapshot(v));
  return out;
}

// Bumps the engine's epoch when a call runs longer than the limit (the store's deadline is
// one tick past the epoch at the call's start).
class Watchdog {
 public:
  Watchdog(Engine engine, std::chrono::milliseconds limit)
      : engine_(std::move(engine)), limit_(limit), thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
    ++generation_;
    deadline_ = std::chrono::steady_clock::now() + limit_;
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard lock(mu_);
    armed_ = false;
    cv_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (!armed_) {
        cv_.wait(lock);
        continue;
      }
      uint64_t generation = generation_;
      if (cv_.wait_until(lock, deadline_, [&] { return stop_ || !armed_ || generation_ != generation; })) continue;
      engine_.incrementEpoch();
      armed_ = false;
    }
  }

  Engine engine_;
  std::chrono::milliseconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool armed_ = false;
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

// A trap from an instantiation error ("<trap message>\nwasm backtrace:..."), kind recovered
// from the spec wording.
Trap trapFromError(const Error& e) {
  std::string first = e.message.substr(0, e.message.find('\n'));
  for (unsigned k = 0; k <= unsigned(TrapKind::Exit); ++k)
    if (TrapKind(k) != TrapKind::Host && first.starts_with(vm::trapMessage(TrapKind(k)))) return Trap(TrapKind(k), first);
  return Trap::host(first);
}

// Everything one run shares with its host functions.
struct State {
  const RunOptions* options = nullptr;
  TierRecord rec;
  uint32_t call = 0;
  std::string taint;  // a tier-dependent trap caught inside the current call (call-export-catch)
  std::vector<std::string> func_exports;
};

TrapResult<void> callExport(State& s, Caller& caller, std::span<const Val> args, std::span<Val> results, bool catching) {
  uint32_t index = args.empty() ? 0 : uint32_t(args[0].i32());
  if (index >= s.func_exports.size()) return std::unexpected(Trap::host("call-export: no such export"));
  auto func = caller.getExport(s.func_exports[index]).and_then([](const Extern& e) { return e.as<Func>(); });
  if (!func) return std::unexpected(Trap::host("call-export: not a function"));
  std::vector<Val> call_args;
  for (const ValType& t : func->type(caller.store()).params) {
    if (t.isRef() && !t.nullable) return std::unexpected(Trap::host("call-export: non-nullable parameter"));
    call_args.push_back(Val::defaultFor(t));
  }
  auto r = func->call(caller.store(), call_args);
  if (!catching || r) {
    if (!r) return std::unexpected(r.error());
    if (catching && !results.empty()) results[0] = Val::i32(0);
    return {};
  }
  if (tierDependent(r.error()) && s.taint.empty()) s.taint = r.error().message() + " (caught by call-export-catch)";
  if (!results.empty()) results[0] = Val::i32(1);
  return {};
}

HostCallback hostFunction(State& s, const ImportType& im) {
  std::string name = im.module == "fuzzing-support" ? im.name : im.module + "::" + im.name;
  return [&s, name, binaryen = im.module == "fuzzing-support", im_name = im.name](
             Caller& caller, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
    s.rec.events.push_back(Event{Event::Type::Host, s.call, name, snapshots(args), {}, std::nullopt});
    if (binaryen) {
      if (im_name.starts_with("log-")) return {};
      if (im_name == "call-export" || im_name == "call-export-catch")
        return callExport(s, caller, args, results, im_name == "call-export-catch");
      if (im_name == "sleep") {
        if (results.size() == 1 && args.size() == 2 && args[1].kind() == results[0].kind()) results[0] = args[1];
        return {};
      }
    }
    return std::unexpected(Trap::host("unsupported import " + name));
  };
}

// One extern per import, in import order. Functions are host functions; memories, tables and
// globals are fresh ones of the imported type holding zeros / nulls.
Result<std::vector<Extern>> makeImports(State& s, Store& store, const Module& module) {
  std::vector<Extern> out;
  for (const ImportType& im : module.imports()) {
    const ExternType& t = im.type;
    switch (t.kind) {
      case ExternKind::Func: out.emplace_back(Func::wrap(store, t.func, hostFunction(s, im))); break;
      case ExternKind::Memory: out.emplace_back(STRATA_TRY(Memory::create(store, t.memory))); break;
      case ExternKind::Table:
        out.emplace_back(STRATA_TRY(Table::create(store, t.table, Val::defaultFor(t.table.elem))));
        break;
      case ExternKind::Global:
        out.emplace_back(STRATA_TRY(Global::create(store, t.global, Val::defaultFor(t.global.type))));
        break;
      case ExternKind::Tag: out.emplace_back(STRATA_TRY(Tag::create(store, t.func))); break;
    }
  }
  return out;
}

Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes, bool text) {
  if (text) return Module::fromText(engine, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return Module::fromBinary(engine, bytes);
}

// Makes the harness calls; false once the record is cut.
bool harnessCall(State& s, Store& store, Watchdog& watchdog, const std::string& name, const Func& func,
                 std::vector<Val> args, bool pre = false) {
  const RunOptions& o = *s.options;
  if (o.stop_before && s.call + 1 >= *o.stop_before) return false;
  s.call++;
  s.taint.clear();
  if (o.perturb)
    for (Val& v : args)
      if (v.kind() == Val::Kind::I32) v = Val::i32(v.i32() ^ 1);
  store.setFuel(o.fuel);
  store.setEpochDeadline(1);
  watchdog.arm();
  auto r = func.call(store, args);
  watchdog.disarm();
  Event e{Event::Type::Call, s.call, name, snapshots(args), {}, std::nullopt, pre};
  if (r) e.results = snapshots(*r);
  else e.trap = r.error();
  s.rec.events.push_back(std::move(e));
  std::string why = !r && tierDependent(r.error()) ? r.error().message() : s.taint;
  if (why.empty()) return true;
  s.rec.cut = s.call;
  s.rec.cut_why = fmt::format("call #{} {}: {}", s.call, name, why);
  return false;
}

void runCalls(State& s, Store& store, const Engine& engine, const Instance& instance) {
  Watchdog watchdog(engine, s.options->timeout);
  std::optional<Func> hang_init = instance.getFunc("hangLimitInitializer");
  std::vector<std::pair<std::string, Func>> funcs;
  for (auto& [name, ext] : instance.exports())
    if (auto f = ext.as<Func>()) funcs.emplace_back(name, *f);
  for (uint32_t round = 0; round < s.options->rounds; ++round) {
    for (size_t k = 0; k < funcs.size(); ++k) {
      const auto& [name, func] = funcs[k];
      // The arguments depend on the seed and the call's place only, never on the tier.
      Rng rng(s.options->seed * 0x100000001b3ull + round * 0x10001ull + k);
      std::vector<Val> args;
      bool callable = true;
      for (const ValType& t : func.type(store).params) {
        std::optional<Val> v = argFor(t, rng);
        callable = callable && v.has_value();
        if (v) args.push_back(*v);
      }
      if (!callable) continue;
      if (hang_init && name != "hangLimitInitializer" && !harnessCall(s, store, watchdog, "hangLimitInitializer", *hang_init, {}, true))
        return;
      if (!harnessCall(s, store, watchdog, name, func, std::move(args))) return;
    }
  }
}

void recordState(State& s, Store& store, const Instance& instance) {
  for (auto& [name, ext] : instance.exports()) {
    if (auto m = ext.as<Memory>()) s.rec.memories.emplace_back(name, std::vector<uint8_t>(m->data(), m->data() + m->dataSize()));
    if (auto g = ext.as<Global>()) s.rec.globals.emplace_back(name, snapshot(g->get(store)));
  }
}

// Why a tier handed the module to another: the baseline compiler without its fallback says
// which instruction it lacks.
std::string whyFallback(const std::string& tier, const Engine& engine, const Module& module) {
#ifdef STRATA_DIFF_HAVE_JIT
  if (tier == "baseline") {
    vm::CompileOptions options;
    options.features = engine.config().features;
    options.bounds = engine.config().bounds_checks;
    options.consume_fuel = engine.config().consume_fuel;
    options.epoch_interruption = engine.config().epoch_interruption;
    auto code = jit::createCompiler()->compile(module.ir(), module.impl().env, options);
    if (!code) return code.error().message;
  }
#endif
  return {};
}

}  // namespace

Config configFor(const std::string& tier, bool fuel, bool canonicalize_nans) {
  Config config;
  config.tier = tier;
  config.consume_fuel = fuel;
  config.nan_canonicalization = canonicalize_nans;
  config.epoch_interruption = true;
  return config;
}

Result<TierRecord> runTier(const std::string& tier, std::span<const uint8_t> bytes, const RunOptions& options) {
  State s;
  s.options = &options;
  s.rec.tier = tier;
  Engine engine = STRATA_TRY(Engine::create(configFor(tier, true, options.canonicalize_nans)));
  auto module = compile(engine, bytes, options.text);
  auto ranAs = [&](const Result<Module>& m) { return m ? std::string(m->impl().compiled->tierName()) : tier; };
  if (!module || ranAs(module) != tier) {
    // A tier without fuel yet (it fails, or hands the module to another tier): the watchdog
    // alone bounds the calls.
    Engine no_fuel = STRATA_TRY(Engine::create(configFor(tier, false, options.canonicalize_nans)));
    if (auto retry = compile(no_fuel, bytes, options.text); retry && ranAs(retry) == tier) {
      engine = no_fuel;
      module = std::move(retry);
      s.rec.note = "compiles only without fuel: bounded by the watchdog alone";
    }
  }
  if (!module) {
    s.rec.compile_error = module.error().message;
    return std::move(s.rec);
  }
  s.rec.ran_by = ranAs(module);
  if (s.rec.ran_by != tier) s.rec.fallback_why = whyFallback(tier, engine, *module);
  for (const ExportType& e : module->exports())
    if (e.type.kind == ExternKind::Func) s.func_exports.push_back(e.name);
  Store store(engine);
  auto imports = makeImports(s, store, *module);
  if (!imports) {
    s.rec.link_error = imports.error().message;
    return std::move(s.rec);
  }
  store.setFuel(options.fuel);
  store.setEpochDeadline(1);
  std::optional<Instance> instance;
  {
    Watchdog watchdog(engine, options.timeout);
    watchdog.arm();
    auto created = Instance::create(store, *module, *imports);
    watchdog.disarm();
    if (created) instance = *created;
    else if (created.error().kind != ErrorKind::Trap) s.rec.link_error = created.error().message;
    else {
      Trap trap = trapFromError(created.error());
      if (tierDependent(trap)) {
        s.rec.cut = 0;
        s.rec.cut_why = "instantiation: " + trap.message();
      }
      s.rec.events.push_back(Event{Event::Type::Instantiate, 0, "", {}, {}, trap});
    }
  }
  if (!instance) return std::move(s.rec);
  s.rec.events.push_back(Event{Event::Type::Instantiate, 0, "", {}, {}, std::nullopt});
  runCalls(s, store, engine, *instance);
  recordState(s, store, *instance);
  return std::move(s.rec);
}

}  // namespace strata::difftest
