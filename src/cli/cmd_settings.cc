// `strata settings [engine options]`: what the engine options of `run` resolve to (every setting
// that changes compiled code, then the run-time limits), the host CPU's extensions, and which of
// them each tier's code generator uses (the role of `wasmtime settings`). One `name value` pair a
// line, so scripts and tests can grep it.
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "cli/cmd_run_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "strata/engine.h"
#include "support/cpu_features.h"
#include "tiers/tiers.h"

namespace strata::cli {

namespace {

struct SettingsOptions {
  EngineOptions engine;
  FeatureOptions features;
};

const char* yesNo(bool b) { return b ? "y" : "n"; }

std::string limit(uint64_t v) {
  return v == std::numeric_limits<uint64_t>::max() ? "unlimited" : std::to_string(v);
}

void row(std::string_view name, std::string_view value) { fmt::print("  {:<24} {}\n", name, value); }

void printCompileSettings(const WasmSettings& s) {
  const Config& c = s.config;
  fmt::print("compile settings (change the code a tier makes):\n");
  row("tier", c.tier);
  row("bounds-checks", c.bounds_checks == BoundsChecks::GuardPages ? "guard" : "explicit");
  row("nan-canonicalization", yesNo(c.nan_canonicalization));
  row("consume-fuel", yesNo(c.consume_fuel));
  row("epoch-interruption", yesNo(c.epoch_interruption));
  row("target-cpu", c.target_cpu.empty() ? "native" : c.target_cpu);
  for (unsigned i = 0; i < unsigned(ir::Feature::Count); ++i) {
    auto f = ir::Feature(i);
    row(fmt::format("feature {}", ir::featureName(f)), yesNo(c.features.has(f)));
  }
}

void printRunSettings(const WasmSettings& s) {
  const Config& c = s.config;
  fmt::print("run-time settings (the code is the same whatever they are):\n");
  row("parallel-compilation", yesNo(c.parallel_compilation));
  row("max-wasm-stack", std::to_string(c.max_wasm_stack));
  row("max-memory-size", limit(c.store_limits.max_memory_bytes));
  row("max-table-elements", limit(c.store_limits.max_table_elements));
  row("max-instances", std::to_string(c.store_limits.max_instances));
  row("max-tables", std::to_string(c.store_limits.max_tables));
  row("max-memories", std::to_string(c.store_limits.max_memories));
  row("fuel", s.fuel ? std::to_string(*s.fuel) : "none");
  row("timeout", s.timeout ? fmt::format("{}ns", s.timeout->count()) : "none");
  row("profile", c.profiling == Profiling::PerfMap ? "perfmap" : c.profiling == Profiling::JitDump ? "jitdump" : "none");
  row("debug-info", yesNo(c.debug_info));
}

void printHostCpu() {
  const support::CpuInfo& cpu = support::hostCpu();
  fmt::print("host cpu:\n");
  row("arch", cpu.arch);
  if (std::string brand = support::hostCpuBrand(); !brand.empty()) row("brand", brand);
  for (unsigned i = 0; i < unsigned(support::CpuFeature::Count); ++i) {
    auto f = support::CpuFeature(i);
    row(fmt::format("cpu {}", support::cpuFeatureName(f)), yesNo(cpu.has(f)));
  }
}

// Per registered tier, each extension its code generator uses: "required" or "if present",
// then whether this host has it and what the tier emits with it.
void printTierUses() {
  const support::CpuInfo& cpu = support::hostCpu();
  fmt::print("cpu features the tiers use:\n");
  for (const std::string& tier : Engine::tiers()) {
    auto uses = tiers::cpuFeatureUses(tier);
    if (uses.empty()) {
      row(fmt::format("{}", tier), "none (portable C++ code, built for the baseline architecture)");
      continue;
    }
    for (const tiers::CpuFeatureUse& u : uses) {
      row(fmt::format("{} {}", tier, support::cpuFeatureName(u.feature)),
          fmt::format("{} host={} {}", u.required ? "required" : "if-present", yesNo(cpu.has(u.feature)), u.what));
    }
  }
}

int runSettings(const SettingsOptions& opts, const ir::Features& features) {
  auto settings = settingsFor(opts.engine, features);
  if (!settings) return reportError(settings.error());
  std::vector<std::string> names = Engine::tiers();
  if (std::find(names.begin(), names.end(), settings->config.tier) == names.end())
    return reportError(makeError(ErrorKind::Usage, kNoOffset, fmt::format("unknown tier {}", settings->config.tier)).error());
  printCompileSettings(*settings);
  printRunSettings(*settings);
  printHostCpu();
  printTierUses();
  return kExitOk;
}

}  // namespace

void addSettingsCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<SettingsOptions>();
  CLI::App* cmd = addCommand(app, "settings", "Print the compile settings, the host CPU's features and the tiers' use of them",
                             exit_code, opts, runSettings);
  addEngineOptions(*cmd, opts->engine);
}

}  // namespace strata::cli
