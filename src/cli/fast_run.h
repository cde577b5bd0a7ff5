// The command lines of `strata run` that are read without CLI11 (start-up, issues 10 and 12).
//
// Building run's CLI11 command (some twenty options with their validators and help) and parsing
// with it is about 0.3 million instructions, a third of all a run of a compiled artifact executes.
// The lines a launcher or benchmark uses -- `strata run [--tier T] [--allow-precompiled] [--cache]
// FILE [ARGS...]`, options before FILE, each at most once, no ARG starting with '-' -- are read here;
// any other line gets nullopt and goes to CLI11, which reads it as it always did (and reports its
// errors). This reader therefore accepts only lines CLI11 reads the same way.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace strata::cli {

struct FastRunLine {
  std::string tier;  // empty: the default tier (Engine::defaultTier)
  bool allow_precompiled = false;
  bool cache = false;
  std::string file;
  std::vector<std::string> args;
};

// argv as main has it after normalizing: argv[0] the tool, argv[1] "run".
std::optional<FastRunLine> parseFastRun(std::span<const char* const> argv);

}  // namespace strata::cli
