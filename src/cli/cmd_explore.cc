// `strata explore FILE [--tier T] [--func N]... [-o PAGE.html]`: each defined function's code as
// the tier will run it (the role of `wasmtime explore`): the interpreter's bytecode, or a
// machine-code tier's x86-64 with the wasm instructions interleaved, as text, or with -o as one
// HTML page with the two side by side (explore_html.h). Used to check what a tier made of a hot
// loop before changing peepholes or superinstructions (docs/interpreter.md). The tier is reached
// only through vm::CompiledModule (style guide section 9).
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/disasm.h"
#include "cli/explore_html.h"

namespace strata::cli {

namespace {

struct ExploreOptions {
  std::string file;
  std::string tier;  // empty: the default tier
  std::vector<uint32_t> funcs;
  std::string html;
  FeatureOptions features;
};

int runExplore(const ExploreOptions& opts, const ir::Features& features) {
  auto loaded = loadModule(opts.file, features, Validate::Yes);
  if (!loaded) return reportError(loaded.error());
  auto binary = withBinaryOffsets(std::move(*loaded), features);  // offsets as objdump shows them
  if (!binary) return reportError(binary.error());
  std::string tier = opts.tier.empty() ? Engine::defaultTier() : opts.tier;
  auto module = compileForListing(std::move(*binary), features, tier, /*validated=*/true);
  if (!module) return reportError(module.error());
  const ir::Module& m = module->ir();
  const vm::CompiledModule& compiled = module->compiled();
  if (!opts.html.empty()) {
    std::string page = exploreHtml(m, compiled, opts.funcs, opts.file);
    auto ok = writeFile(opts.html, std::vector<uint8_t>(page.begin(), page.end()));
    return ok ? kExitOk : reportError(ok.error());
  }
  if (compiled.tierName() != tier)
    fmt::print(";; tier {} handed this module to tier {}\n\n", tier, compiled.tierName());
  for (uint32_t f = m.num_imported_functions; f < m.functions.size(); ++f) {
    if (!opts.funcs.empty() && std::find(opts.funcs.begin(), opts.funcs.end(), f) == opts.funcs.end()) continue;
    fmt::print("{}\n", describeFunction(m, compiled, f));
  }
  return kExitOk;
}

}  // namespace

void addExploreCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ExploreOptions>();
  CLI::App* cmd = addCommand(app, "explore", "Print the code a tier makes of a module's functions", exit_code,
                             opts, runExplore);
  cmd->add_option("FILE", opts->file, "Module (.wasm binary or .wat text)")->required();
  cmd->add_option("--tier", opts->tier, "Execution tier (baseline: x86-64, the default where it runs; interp: bytecode)");
  cmd->add_option("--func", opts->funcs, "Only these function indices (repeatable)");
  cmd->add_option("-o,--html", opts->html,
                  "Write one HTML page instead: wasm instructions beside the tier's code, linked by offset");
}

}  // namespace strata::cli
