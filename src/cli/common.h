// Helpers shared by the `strata` subcommands: file I/O, feature options, module loading.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli11.h"
#include "decode/decoder.h"

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"

namespace strata::cli {

// Exit codes: 0 success, 1 the input is bad (malformed, invalid, failing tests), 2 usage or I/O.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

Result<std::vector<uint8_t>> readFile(const std::string& path);
Result<void> writeFile(const std::string& path, const std::vector<uint8_t>& bytes);

using decode::looksBinary;  // "\0asm": a binary; anything else is read as text

// --features wasm2|wasm3|all|everything, --enable X, --disable Y (repeatable), in that order.
// all = wasm3 = the 3.0 standard (ir::Features::all()); everything adds post-3.0 proposals.
struct FeatureOptions {
  std::string preset = "all";
  std::vector<std::string> enable;
  std::vector<std::string> disable;
};
void addFeatureOptions(CLI::App& cmd, FeatureOptions& opts);
Result<ir::Features> resolveFeatures(const FeatureOptions& opts);

// A module read from a .wasm or .wat file. Errors come back already rendered for the user:
// "FILE:offset 0x1f: message" for binaries, "FILE:line:column: message" for text.
struct LoadedModule {
  ir::Module module;
  bool from_text = false;
};
// The error rendered for the user and its offset dropped: a binary's errors carry a file
// offset ("FILE:offset 0x1f: message"), a text's (with `text` given) a line:column.
Error placed(Error e, const std::string& path, const std::string_view* text);

// What loadModule validates: everything, nothing, or a text module only (whose errors need the
// text to be placed; a binary one is left to Module::fromIr, so that a tier that validates the
// bodies as it compiles them is not preceded by a second pass over them).
enum class Validate { Yes, No, TextOnly };
Result<LoadedModule> loadModule(const std::string& path, const ir::Features& features, Validate validate);
// The same from the file's bytes, read already (`path` names it in messages).
Result<LoadedModule> loadModule(const std::string& path, std::vector<uint8_t> bytes, const ir::Features& features,
                                Validate validate);
// The module with the offsets of its binary: a text module's spans are offsets into the parser's
// buffer, so tools that show offsets (objdump, explore) decode its encoding again, giving the
// offsets of the .wasm that `wat2wasm` writes.
Result<ir::Module> withBinaryOffsets(LoadedModule loaded, const ir::Features& features);

// Prints the (already placed) message to stderr and returns the exit code for its kind.
int reportError(const Error& e);

// Registers subcommand `name`. Opts holds the command's options, among them `FeatureOptions
// features`; when the command runs, `run` gets the options and the resolved features.
template <class Opts>
CLI::App* addCommand(CLI::App& app, const char* name, const char* help, int& exit_code, std::shared_ptr<Opts> opts,
                     int (*run)(const Opts&, const ir::Features&)) {
  CLI::App* cmd = app.add_subcommand(name, help);
  addFeatureOptions(*cmd, opts->features);
  cmd->callback([opts, run, &exit_code] {
    auto features = resolveFeatures(opts->features);
    exit_code = features ? run(*opts, *features) : reportError(features.error());
  });
  return cmd;
}

}  // namespace strata::cli
