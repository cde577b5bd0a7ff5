// Engine creation and the process-wide registry of execution tiers.
#include <fmt/core.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "profiling/profiling.h"
#include "runtime/engine_impl.h"
#include "strata/engine.h"

#ifdef STRATA_HAVE_INTERP
#include "interp/interp.h"
#endif

namespace strata {

namespace {

struct TierRegistry {
  std::mutex mutex;
  std::map<std::string, Engine::CompilerFactory> factories;
  // What an empty Config::tier means: the interpreter until a tier that runs on this host
  // claims the default (tiers::registerAll: baseline on x86-64 with SSE4.1).
  std::string default_tier = "interp";

  TierRegistry() {
#ifdef STRATA_HAVE_INTERP
    factories.emplace("interp", [] { return interp::createCompiler(); });
#endif
  }
};

TierRegistry& tierRegistry() {
  static TierRegistry registry;
  return registry;
}

// Profilers and debuggers learn about code as it is published, so they are switched on
// before the engine compiles anything (see Config::profiling).
Result<void> enableTools(const Config& config) {
  static const bool perfmap_env = std::getenv("STRATA_PERFMAP") != nullptr;
  if (config.profiling == Profiling::PerfMap || perfmap_env) STRATA_CHECK(profiling::enablePerfMap());
  if (config.profiling == Profiling::JitDump) STRATA_CHECK(profiling::enableJitDump());
  if (config.debug_info) profiling::enableGdbJit();
  return {};
}

}  // namespace

vm::CompileOptions runtime::EngineImpl::compileOptions() const {
  vm::CompileOptions o;
  o.features = config_.features;
  o.bounds = config_.bounds_checks;
  o.nan_canonicalization = config_.nan_canonicalization;
  o.consume_fuel = config_.consume_fuel;
  o.epoch_interruption = config_.epoch_interruption;
  // gdb's line tables (docs/profiling.md) are written from the map.
  o.wasm_map = config_.wasm_map || config_.debug_info;
  o.parallel_compilation = config_.parallel_compilation;
  o.target_cpu = config_.target_cpu == "native" ? std::string() : config_.target_cpu;
  return o;
}

void Engine::registerTier(std::string name, CompilerFactory factory) {
  TierRegistry& r = tierRegistry();
  std::lock_guard lock(r.mutex);
  r.factories[std::move(name)] = std::move(factory);
}

void Engine::setDefaultTier(std::string name) {
  TierRegistry& r = tierRegistry();
  std::lock_guard lock(r.mutex);
  r.default_tier = std::move(name);
}

std::string Engine::defaultTier() {
  TierRegistry& r = tierRegistry();
  std::lock_guard lock(r.mutex);
  return r.default_tier;
}

std::vector<std::string> Engine::tiers() {
  TierRegistry& r = tierRegistry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, f] : r.factories) names.push_back(name);
  return names;
}

Result<Engine> Engine::create(Config config) {
  CompilerFactory factory;
  {
    TierRegistry& r = tierRegistry();
    std::lock_guard lock(r.mutex);
    if (config.tier.empty()) config.tier = r.default_tier;  // config() then names the tier that runs
    auto it = r.factories.find(config.tier);
    if (it == r.factories.end()) return makeError(ErrorKind::Usage, kNoOffset, fmt::format("unknown tier {}", config.tier));
    factory = it->second;
  }
  STRATA_CHECK(enableTools(config));
  std::unique_ptr<vm::Compiler> compiler = factory();
  if (!compiler) return makeError(ErrorKind::Usage, kNoOffset, fmt::format("tier {} is not available", config.tier));
  return Engine(std::make_shared<runtime::EngineImpl>(std::move(config), std::move(compiler)));
}

const Config& Engine::config() const { return impl_->config(); }

void Engine::incrementEpoch() { impl_->incrementEpoch(); }

}  // namespace strata
