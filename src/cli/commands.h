// The `strata` subcommands: each registers itself on the root app and, when it runs, stores its
// exit code in `exit_code` (CLI11 runs the callback of the chosen subcommand).
#pragma once

#include "cli/cli11.h"

#include <optional>
#include <span>

namespace strata::cli {

void addValidateCommand(CLI::App& app, int& exit_code);
void addObjdumpCommand(CLI::App& app, int& exit_code);
void addWat2WasmCommand(CLI::App& app, int& exit_code);
void addWastCommand(CLI::App& app, int& exit_code);
void addRunCommand(CLI::App& app, int& exit_code);
// `strata run` without CLI11 for the lines fast_run.h reads; nullopt for any other line.
std::optional<int> runFast(std::span<const char* const> argv);
void addExploreCommand(CLI::App& app, int& exit_code);
void addSettingsCommand(CLI::App& app, int& exit_code);
void addCompileCommand(CLI::App& app, int& exit_code);
void addCacheCommand(CLI::App& app, int& exit_code);

}  // namespace strata::cli
