// Entry point of the `strata` tool: one subcommand per file (cmd_*.cc), dispatched by CLI11.
#include <fmt/core.h>

#include <exception>

#include "cli/commands.h"
#include "cli/common.h"
#include "tiers/tiers.h"

int main(int argc, char** argv) {
  strata::tiers::registerAll();
  CLI::App app{"strata: a WebAssembly runtime"};
  app.set_version_flag("--version", std::string("strata ") + STRATA_VERSION);
  app.require_subcommand(1);
  int exit_code = strata::cli::kExitOk;
  strata::cli::addValidateCommand(app, exit_code);
  strata::cli::addObjdumpCommand(app, exit_code);
  strata::cli::addWat2WasmCommand(app, exit_code);
  strata::cli::addWastCommand(app, exit_code);
  strata::cli::addRunCommand(app, exit_code);
  strata::cli::addExploreCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Stages return errors as values; this only catches allocation failure and the like.
    fmt::print(stderr, "strata: internal error: {}\n", e.what());
    return strata::cli::kExitUsage;
  }
  return exit_code;
}
