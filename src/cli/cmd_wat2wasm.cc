// `strata wat2wasm IN -o OUT`: parse a .wat module, validate it, write its binary encoding.
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "encode/encoder.h"

namespace strata::cli {

namespace {

struct Wat2WasmOptions {
  std::string input;
  std::string output;
  bool no_check = false;
  FeatureOptions features;
};

std::string defaultOutput(const std::string& input) {
  size_t slash = input.find_last_of('/');
  size_t dot = input.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return input + ".wasm";
  return input.substr(0, dot) + ".wasm";
}

int runWat2Wasm(const Wat2WasmOptions& opts, const ir::Features& features) {
  auto loaded = loadModule(opts.input, features, opts.no_check ? Validate::No : Validate::Yes);
  if (!loaded) return reportError(loaded.error());
  std::string out = opts.output.empty() ? defaultOutput(opts.input) : opts.output;
  if (auto ok = writeFile(out, encode::encodeModule(loaded->module)); !ok) return reportError(ok.error());
  return kExitOk;
}

}  // namespace

void addWat2WasmCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<Wat2WasmOptions>();
  CLI::App* cmd =
      addCommand(app, "wat2wasm", "Translate a .wat module to the binary format", exit_code, opts, runWat2Wasm);
  cmd->add_option("IN", opts->input, "Text module (.wat)")->required();
  cmd->add_option("-o,--output", opts->output, "Output file (default: IN with the extension .wasm)");
  cmd->add_flag("--no-check", opts->no_check, "Do not validate before writing");
}

}  // namespace strata::cli
