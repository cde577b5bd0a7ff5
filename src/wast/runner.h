// The .wast script runner: runs a parsed text::Script command by command and tallies results.
// This class decodes, parses and validates; commands that need an instance are counted as
// skipped. ExecRunner (exec_runner.h) derives from it and executes them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"
#include "text/script.h"

namespace strata::wast {

struct Options {
  ir::Features features = ir::Features::all();
  bool roundtrip = false;   // every module that validates: encode -> decode -> encode is the identity
  bool parse_only = false;  // only check that the script parses
  bool verbose = false;     // also report skips and failures-as-expected with another message
  std::string tier;  // execution tier (ExecRunner; see Engine::registerTier); empty: the default
  std::string target_cpu;       // Config::target_cpu (the llvm tier's; empty: native)
  // A module the tier hands to another tier (a feature it lacks) fails instead of running
  // there: the spec suites would otherwise pass on the fallback and hide the tier's gaps.
  bool strict_tier = false;
};

struct Tally {
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t skipped = 0;
  uint32_t message_mismatches = 0;  // counted in `passed` too: failed as expected, other text
  Tally& operator+=(const Tally& o);
};

enum class Verdict : uint8_t { Pass, Fail, Skip };

struct Outcome {
  Verdict verdict = Verdict::Pass;
  std::string note;               // why it failed or was skipped; the mismatching message
  bool message_mismatch = false;  // only with Verdict::Pass

  static Outcome pass() { return {}; }
  static Outcome fail(std::string why) { return {Verdict::Fail, std::move(why), false}; }
  static Outcome skip(std::string why) { return {Verdict::Skip, std::move(why), false}; }
};

class Runner {
 public:
  explicit Runner(Options options, std::FILE* log = stderr) : options_(options), log_(log) {}
  virtual ~Runner() = default;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Reads, parses and runs one script. A script that cannot be read or parsed is an error
  // (message with file:line:column); failing commands are only counted.
  Result<Tally> runFile(const std::string& path);
  // Runs an already-parsed script.
  Tally run(const text::Script& script);

  const Options& options() const { return options_; }

 protected:
  // Called before the first command of each script (a derived runner resets its state).
  virtual void beginScript(const text::Script& script) {}
  // Dispatch of one command; a derived runner may take over any kind.
  virtual Outcome runCommand(const text::Command& cmd);
  // A `module` command whose module decoded and validated. This stage stops there; the
  // runtime instantiates (unless cmd.module->is_definition) and records cmd.module->id.
  virtual Outcome onModule(const text::Command& cmd, std::shared_ptr<const ir::Module> module);
  // Instances, registration, actions and assertions about execution: skipped here.
  virtual Outcome runExecution(const text::Command& cmd);

  // Parses (quote), decodes (binary) or takes (text) the module, then validates it.
  Result<std::shared_ptr<const ir::Module>> load(const text::ScriptModule& sm);
  // assert_malformed / assert_invalid: the module must fail to load.
  Outcome expectFailure(const text::Command& cmd);
  // encode -> decode -> validate -> encode must reproduce the first encoding.
  Outcome checkRoundtrip(const ir::Module& m);

  std::FILE* log() const { return log_; }

 private:
  void report(const text::Command& cmd, const Outcome& outcome);

  Options options_;
  std::FILE* log_;
};

// The spec interpreter's name for a command kind ("assert_invalid"), for messages.
std::string_view commandName(text::Command::Kind kind);

// spec interpreter convention: the actual message should contain the expected text.
bool messageMatches(std::string_view actual, std::string_view expected);

}  // namespace strata::wast
