// `strata validate FILE`: decode or parse, then validate; silent on success.
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"

namespace strata::cli {

namespace {

struct ValidateOptions {
  std::string file;
  FeatureOptions features;
};

int runValidate(const ValidateOptions& opts, const ir::Features& features) {
  auto loaded = loadModule(opts.file, features, Validate::Yes);
  if (!loaded) return reportError(loaded.error());
  return kExitOk;
}

}  // namespace

void addValidateCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ValidateOptions>();
  CLI::App* cmd = addCommand(app, "validate", "Check that a .wasm or .wat module is valid", exit_code, opts, runValidate);
  cmd->add_option("FILE", opts->file, "Module (.wasm binary or .wat text)")->required();
}

}  // namespace strata::cli
