// Entry point of the `strata` tool: one subcommand per file (cmd_*.cc), dispatched by CLI11.
#include <fmt/core.h>

#include <cstring>
#include <exception>

#include "cli/commands.h"
#include "cli/common.h"
#include "tiers/tiers.h"

namespace {

struct Command {
  const char* name;
  void (*add)(CLI::App&, int&);
};

constexpr Command kCommands[] = {
    {"validate", strata::cli::addValidateCommand}, {"objdump", strata::cli::addObjdumpCommand},
    {"wat2wasm", strata::cli::addWat2WasmCommand}, {"wast", strata::cli::addWastCommand},
    {"run", strata::cli::addRunCommand},           {"explore", strata::cli::addExploreCommand},
};

}  // namespace

int main(int argc, char** argv) {
  strata::tiers::registerAll();
  CLI::App app{"strata: a WebAssembly runtime"};
  app.set_version_flag("--version", std::string("strata ") + STRATA_VERSION);
  app.require_subcommand(1);
  int exit_code = strata::cli::kExitOk;
  // A command line that names its subcommand first builds that subcommand alone: building all
  // of them (their options, validators and help) was a third of a millisecond of every start.
  // Anything else (--help, a typo, options first) gets them all, for CLI11's help and errors.
  const Command* named = nullptr;
  for (const Command& c : kCommands)
    if (argc > 1 && std::strcmp(argv[1], c.name) == 0) named = &c;
  for (const Command& c : kCommands)
    if (!named || named == &c) c.add(app, exit_code);
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
