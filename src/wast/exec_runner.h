// The executing script runner: instantiates modules in a runtime Store, runs actions and checks
// assertions (assert_return, assert_trap, assert_exhaustion, assert_exception,
// assert_unlinkable, assert_uninstantiable) on top of the decoding/validating Runner.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/strata.h"
#include "wast/runner.h"

namespace strata::wast {

// One Store and Linker per script (every object a script creates lives until the script ends);
// one Engine, with the options' features and tier, for all scripts. The linker holds the
// `spectest` module and every `register`ed instance.
class ExecRunner : public Runner {
 public:
  // Usage error when options.tier names no registered tier.
  static Result<std::unique_ptr<ExecRunner>> create(Options options, std::FILE* log = stderr);
  ~ExecRunner() override;

 protected:
  void beginScript(const text::Script& script) override;
  Outcome onModule(const text::Command& cmd, std::shared_ptr<const ir::Module> module) override;
  Outcome runExecution(const text::Command& cmd) override;

 private:
  ExecRunner(Options options, std::FILE* log, Engine engine);

  // An instance slot: the instance, or why there is none (its module failed to instantiate;
  // that failure was counted once, commands that need the instance are skipped).
  struct Slot {
    std::optional<Instance> instance;
    std::string missing;
  };
  // A `module definition`: the compiled module, or why there is none.
  struct Definition {
    std::optional<Module> module;
    std::string missing;
  };
  // What an action produced.
  struct ActionResult {
    enum class Status : uint8_t { Values, Trapped, Missing, Error } status = Status::Values;
    std::vector<Val> values;
    Trap trap;
    std::string why;  // Missing / Error
  };

  void bind(const std::optional<std::string>& id, Slot slot);
  const Slot* slotFor(const std::optional<std::string>& id, std::string& why) const;
  Result<Module> compile(std::shared_ptr<const ir::Module> module);
  // Loads, validates and compiles the module of an assertion (the module form of assert_trap,
  // assert_unlinkable, assert_uninstantiable); nullopt with `failure` set when it cannot.
  std::optional<Module> prepare(const text::Command& cmd, Outcome& failure);

  ActionResult perform(const text::Action& action);
  ActionResult invoke(const Instance& instance, const text::Action& action);
  Outcome runActionCommand(const text::Command& cmd);
  Outcome assertModuleFails(const text::Command& cmd);
  Outcome instantiateDefinition(const text::Command& cmd);
  Outcome registerInstance(const text::Command& cmd);

  Engine engine_;
  std::unique_ptr<Store> store_;
  std::optional<Linker> linker_;
  std::string setup_error_;  // the spectest module could not be created
  Slot current_;             // the most recent module instance
  std::map<std::string, Slot> named_;
  std::map<std::string, Definition> definitions_;  // `module definition $id`
};

// spec interpreter (run.ml): an assertion's text must be a prefix of the actual message.
bool messagePrefixMatches(std::string_view actual, std::string_view expected);

}  // namespace strata::wast
