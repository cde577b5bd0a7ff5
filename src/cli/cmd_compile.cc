// `strata compile FILE -o FILE.cwasm`: compiles a module ahead of time into an artifact
// (docs/artifacts.md) that `strata run --allow-precompiled` and Module::deserializeFile map back
// without compiling. Takes the settings that change code (tier, -W, features) that the run must
// then repeat: a mismatch is refused at load, never run.
#include <fmt/core.h>

#include "cli/cmd_run_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "encode/encoder.h"
#include "strata/engine.h"
#include "strata/module.h"

namespace strata::cli {

namespace {

struct CompileOptions {
  std::string file;
  std::string output;
  std::string tier = "baseline";
  std::vector<std::string> wasm_options;
  std::vector<std::string> codegen_options;
  std::optional<uint64_t> fuel;
  bool epoch = false;
  FeatureOptions features;
};

int runCompile(const CompileOptions& opts, const ir::Features& features) {
  // run's settings (settingsFor): a -W fuel or timeout turns the checks on as --fuel does.
  EngineOptions engine_opts;
  engine_opts.tier = opts.tier;
  engine_opts.wasm_options = opts.wasm_options;
  engine_opts.codegen_options = opts.codegen_options;
  engine_opts.fuel = opts.fuel;
  auto settings = settingsFor(engine_opts, features);
  if (!settings) return reportError(settings.error());
  // The code checks the epoch only when compiled to: the run must then give --timeout.
  settings->config.epoch_interruption |= opts.epoch;
  auto engine = Engine::create(settings->config);
  if (!engine) return reportError(engine.error());
  auto loaded = loadModule(opts.file, features, Validate::TextOnly);
  if (!loaded) return reportError(loaded.error());
  // Artifacts hold the module's binary, and their offsets (backtraces) are the binary's: a
  // text module is encoded first.
  std::vector<uint8_t> binary = loaded->from_text ? encode::encodeModule(loaded->module) : std::move(loaded->module.bytes).take();
  auto module = Module::fromBinary(*engine, binary);
  if (!module) return reportError(placed(module.error(), opts.file, nullptr));
  auto bytes = module->serialize();
  if (!bytes) return reportError(Error{bytes.error().kind, kNoOffset, fmt::format("{}: {}", opts.file, bytes.error().message)});
  std::string out = opts.output;
  if (out.empty()) {
    size_t dot = opts.file.rfind('.');
    size_t slash = opts.file.rfind('/');
    out = (dot != std::string::npos && (slash == std::string::npos || dot > slash) ? opts.file.substr(0, dot) : opts.file) + ".cwasm";
  }
  if (auto w = writeFile(out, *bytes); !w) return reportError(w.error());
  return kExitOk;
}

}  // namespace

void addCompileCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CompileOptions>();
  CLI::App* cmd = addCommand(app, "compile", "Compile a module to native code ahead of time (FILE.cwasm)", exit_code,
                             opts, runCompile);
  cmd->add_option("-o,--output", opts->output, "Output file (default: FILE with the extension .cwasm)");
  cmd->add_option("--tier", opts->tier, "Machine-code tier: baseline (default) or llvm");
  cmd->add_option("-W", opts->wasm_options,
                  "Wasm settings that change code, as for `run`: nan-canonicalization, bounds-checks=guard|explicit, "
                  "fuel, timeout (epoch checks), or a proposal name =y|n")
      ->allow_extra_args(false);
  cmd->add_option("-C", opts->codegen_options,
                  "Compilation settings KEY[=VALUE][,...]: target-cpu=native|portable|NAME (llvm tier: the CPU "
                  "to generate code for; portable is x86-64-v2, which runs on other x86-64 hosts)")
      ->allow_extra_args(false);
  cmd->add_option("--fuel", opts->fuel, "Compile with fuel checks (a run must give --fuel)");
  cmd->add_flag("--epoch-interruption", opts->epoch, "Compile with epoch checks (a run must give --timeout)");
  cmd->add_option("FILE", opts->file, "Module (.wasm binary or .wat text)")->required();
}

}  // namespace strata::cli
