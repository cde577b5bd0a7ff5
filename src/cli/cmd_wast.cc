// `strata wast FILE...`: run spec test scripts and print per-script and total tallies.
#include <fmt/core.h>

#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "wast/exec_runner.h"
#include "wast/runner.h"

namespace strata::cli {

namespace {

struct WastOptions {
  std::vector<std::string> files;
  FeatureOptions features;
  bool roundtrip = false;
  bool parse_only = false;
  bool verbose = false;
  bool skip_exec = false;
  bool strict_tier = false;
  std::string tier;  // empty: the default tier
  std::string target_cpu;
};

std::string tallyLine(const wast::Tally& t) {
  std::string line = fmt::format("{} passed, {} failed, {} skipped", t.passed, t.failed, t.skipped);
  if (t.message_mismatches) line += fmt::format(" ({} with another message)", t.message_mismatches);
  return line;
}

int runWast(const WastOptions& opts, const ir::Features& features) {
  wast::Options run_opts{features,  opts.roundtrip,  opts.parse_only,  opts.verbose,
                         opts.tier, opts.target_cpu, opts.strict_tier};
  // Without execution the base runner decodes, parses and validates, and skips the rest.
  std::unique_ptr<wast::Runner> runner;
  if (opts.parse_only || opts.skip_exec) {
    runner = std::make_unique<wast::Runner>(run_opts, stderr);
  } else {
    auto exec = wast::ExecRunner::create(run_opts, stderr);
    if (!exec) return reportError(exec.error());
    runner = std::move(*exec);
  }
  wast::Tally total;
  bool script_error = false;
  for (const std::string& file : opts.files) {
    auto tally = runner->runFile(file);
    if (!tally) {
      fmt::print(stderr, "{}\n", tally.error().message);
      fmt::print("{}: error: script did not run\n", file);
      script_error = true;
      continue;
    }
    fmt::print("{}: {}\n", file, tallyLine(*tally));
    total += *tally;
  }
  fmt::print("{}\n", tallyLine(total));
  std::fflush(stdout);
  return script_error || total.failed ? kExitFailure : kExitOk;
}

}  // namespace

void addWastCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<WastOptions>();
  CLI::App* cmd = addCommand(app, "wast", "Run .wast spec test scripts", exit_code, opts, runWast);
  cmd->add_option("FILE", opts->files, "Scripts")->required();
  cmd->add_flag("--roundtrip", opts->roundtrip, "Check encode -> decode -> encode for every valid module");
  cmd->add_flag("--parse-only", opts->parse_only, "Only check that the scripts parse");
  cmd->add_flag("--skip-exec", opts->skip_exec,
                "Only decode, parse and validate; count commands that need an instance as skipped");
  cmd->add_option("--tier", opts->tier, "Execution tier: baseline (the default on x86-64), interp, llvm or tiered");
  cmd->add_flag("--strict-tier", opts->strict_tier,
                "Fail a module that --tier hands to another tier (one it cannot compile) instead of running it there");
  cmd->add_option("--target-cpu", opts->target_cpu,
                  "llvm tier: the CPU to generate code for (native, portable or an LLVM CPU name; run's -C target-cpu)");
  cmd->add_flag("-v,--verbose", opts->verbose,
                "Report skips and failures with another message; spectest prints to stdout");
}

}  // namespace strata::cli
