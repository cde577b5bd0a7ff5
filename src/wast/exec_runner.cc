// Executes script commands through the public runtime API (strata/*.h), as an embedder would.
//
// Failure accounting: a module that does not instantiate is one failure; later commands that
// need its instance are skipped (with the reason) rather than failing in a cascade, so a
// script's tally says how many assertions ran. Traps and host errors come back as values
// (TrapResult), so a guest trap never ends the runner.
#include "wast/exec_runner.h"

#include <fmt/core.h>

#include "wast/spectest.h"
#include "wast/values.h"

namespace strata::wast {

using text::Action;
using text::Command;

bool messagePrefixMatches(std::string_view actual, std::string_view expected) { return actual.starts_with(expected); }

Result<std::unique_ptr<ExecRunner>> ExecRunner::create(Options options, std::FILE* log) {
  Config config;
  config.features = options.features;
  config.tier = options.tier;
  config.target_cpu = options.target_cpu;
  Engine engine = STRATA_TRY(Engine::create(config));
  return std::unique_ptr<ExecRunner>(new ExecRunner(std::move(options), log, std::move(engine)));
}

ExecRunner::ExecRunner(Options options, std::FILE* log, Engine engine)
    : Runner(std::move(options), log), engine_(std::move(engine)) {}

ExecRunner::~ExecRunner() = default;

void ExecRunner::beginScript(const text::Script&) {
  // Instances hold references into the store: drop them before the store.
  current_ = {};
  named_.clear();
  definitions_.clear();
  linker_.reset();
  store_.reset();
  setup_error_.clear();
  if (options().parse_only) return;
  store_ = std::make_unique<Store>(engine_);
  linker_.emplace(engine_);
  // The reference interpreter's `register` rebinds a name that is already registered.
  linker_->allowShadowing(true);
  if (auto ok = defineSpectest(*linker_, *store_, options().verbose ? stdout : nullptr); !ok)
    setup_error_ = "cannot create the spectest module: " + ok.error().message;
}

Result<Module> ExecRunner::compile(std::shared_ptr<const ir::Module> module) {
  if (!setup_error_.empty()) return makeError(ErrorKind::Usage, kNoOffset, setup_error_);
  // The base runner has validated it already.
  Module m = STRATA_TRY(Module::fromIr(engine_, std::move(module), /*validated=*/true));
  std::string_view ran_by = m.compiled().tierName();
  if (options().strict_tier && !options().tier.empty() && ran_by != options().tier)
    return makeError(ErrorKind::Unsupported, kNoOffset,
                     fmt::format("--strict-tier: the {} tier handed the module to {}", options().tier, ran_by));
  return m;
}

void ExecRunner::bind(const std::optional<std::string>& id, Slot slot) {
  if (id) named_[*id] = slot;
  current_ = std::move(slot);
}

const ExecRunner::Slot* ExecRunner::slotFor(const std::optional<std::string>& id, std::string& why) const {
  if (!id) {
    if (!current_.instance && current_.missing.empty()) why = "no module instance yet";
    return &current_;
  }
  auto it = named_.find(*id);
  if (it != named_.end()) return &it->second;
  why = fmt::format("unknown module ${}", *id);
  return nullptr;
}

namespace {

std::string where(const text::Location& loc) { return fmt::format("{}:{}", loc.line, loc.column); }

// "trap: out of bounds memory access" or the host error, for failure notes.
std::string trapNote(const Trap& t) {
  return fmt::format("{}: {}", t.kind() == TrapKind::Host ? "host error" : "trap", t.message());
}

}  // namespace

Outcome ExecRunner::onModule(const Command& cmd, std::shared_ptr<const ir::Module> module) {
  const text::ScriptModule& sm = *cmd.module;
  auto compiled = compile(std::move(module));
  if (!compiled) {
    // Validated but not compiled: the tier lacks a feature (or the store could not be set up).
    std::string why = fmt::format("module does not compile: {}", compiled.error().message);
    Slot failed{std::nullopt, fmt::format("the module at {} failed: {}", where(sm.loc), compiled.error().message)};
    if (sm.is_definition && sm.id) definitions_.insert_or_assign(*sm.id, Definition{std::nullopt, failed.missing});
    else if (!sm.is_definition) bind(sm.id, std::move(failed));
    return Outcome::fail(why);
  }
  if (sm.is_definition) {
    // spec script `module definition`: compiled now, instantiated by `module instance`.
    if (sm.id) definitions_.insert_or_assign(*sm.id, Definition{*compiled, ""});
    return Outcome::pass();
  }
  auto instance = linker_->instantiate(*store_, *compiled);
  if (!instance) {
    const Error& e = instance.error();
    bind(sm.id, Slot{std::nullopt, fmt::format("the module at {} failed to instantiate: {}", where(sm.loc), e.message)});
    return Outcome::fail(fmt::format("instantiation failed: {}: {}", errorKindName(e.kind), e.message));
  }
  bind(sm.id, Slot{*instance, ""});
  return Outcome::pass();
}

Outcome ExecRunner::runExecution(const Command& cmd) {
  if (options().parse_only) return Outcome::skip("--parse-only");
  switch (cmd.kind) {
    case Command::Kind::ModuleInstance: return instantiateDefinition(cmd);
    case Command::Kind::Register: return registerInstance(cmd);
    case Command::Kind::AssertTrap:
      if (cmd.module) return assertModuleFails(cmd);
      return runActionCommand(cmd);
    case Command::Kind::Action:
    case Command::Kind::AssertReturn:
    case Command::Kind::AssertExhaustion:
    case Command::Kind::AssertException: return runActionCommand(cmd);
    case Command::Kind::AssertUnlinkable:
    case Command::Kind::AssertUninstantiable: return assertModuleFails(cmd);
    default: return Runner::runExecution(cmd);
  }
}

Outcome ExecRunner::instantiateDefinition(const Command& cmd) {
  std::optional<std::string> name;
  if (!cmd.name.empty()) name = cmd.name;
  auto def = cmd.module_id ? definitions_.find(*cmd.module_id) : definitions_.end();
  Slot failed{std::nullopt, fmt::format("the module instance at {} failed", where(cmd.loc))};
  if (def == definitions_.end()) {
    bind(name, std::move(failed));
    return Outcome::fail(fmt::format("no module definition ${}", cmd.module_id.value_or("")));
  }
  if (!def->second.module) {
    // The definition itself failed (counted there).
    bind(name, Slot{std::nullopt, def->second.missing});
    return Outcome::skip(def->second.missing);
  }
  auto instance = linker_->instantiate(*store_, *def->second.module);
  if (!instance) {
    bind(name, std::move(failed));
    return Outcome::fail("instantiation failed: " + instance.error().message);
  }
  bind(name, Slot{*instance, ""});
  return Outcome::pass();
}

Outcome ExecRunner::registerInstance(const Command& cmd) {
  std::string why;
  const Slot* slot = slotFor(cmd.module_id, why);
  if (!slot) return Outcome::fail(why);
  if (!slot->instance) return why.empty() ? Outcome::skip(slot->missing) : Outcome::fail(why);
  if (auto ok = linker_->defineInstance(cmd.name, *slot->instance); !ok) return Outcome::fail(ok.error().message);
  return Outcome::pass();
}

ExecRunner::ActionResult ExecRunner::perform(const Action& action) {
  ActionResult r;
  std::string why;
  const Slot* slot = slotFor(action.module_id, why);
  if (!slot || !slot->instance) {
    bool missing = slot && why.empty();
    r.status = missing ? ActionResult::Status::Missing : ActionResult::Status::Error;
    r.why = missing ? slot->missing : why;
    return r;
  }
  if (action.kind == Action::Kind::Invoke) return invoke(*slot->instance, action);
  std::optional<Global> global = slot->instance->getGlobal(action.name);
  if (!global) {
    r.status = ActionResult::Status::Error;
    r.why = fmt::format("no global export \"{}\"", action.name);
    return r;
  }
  r.values.push_back(global->get(*store_));
  return r;
}

ExecRunner::ActionResult ExecRunner::invoke(const Instance& instance, const Action& action) {
  ActionResult r;
  r.status = ActionResult::Status::Error;
  std::optional<Func> func = instance.getFunc(action.name);
  if (!func) {
    r.why = fmt::format("no function export \"{}\"", action.name);
    return r;
  }
  FuncType type = func->type(*store_);
  if (type.params.size() != action.args.size()) {
    r.why = fmt::format("\"{}\" takes {} arguments, the script passes {}", action.name, type.params.size(),
                        action.args.size());
    return r;
  }
  std::vector<Val> args;
  for (size_t i = 0; i < action.args.size(); ++i) {
    auto arg = toArgument(action.args[i], type.params[i]);
    if (!arg) {
      r.why = arg.error().message;
      return r;
    }
    args.push_back(*arg);
  }
  auto results = func->call(*store_, args);
  if (!results) {
    r.status = ActionResult::Status::Trapped;
    r.trap = std::move(results.error());
    return r;
  }
  r.status = ActionResult::Status::Values;
  r.values = std::move(*results);
  return r;
}

// Action commands: a bare action must not trap; assert_return compares the results;
// assert_trap / assert_exhaustion need a trap whose message starts with the expected text
// (host errors do not count); assert_exception needs an exception no handler caught.
Outcome ExecRunner::runActionCommand(const Command& cmd) {
  ActionResult r = perform(*cmd.action);
  if (r.status == ActionResult::Status::Missing) return Outcome::skip(r.why);
  if (r.status == ActionResult::Status::Error) return Outcome::fail(r.why);
  const std::string& name = cmd.action->name;
  bool trapped = r.status == ActionResult::Status::Trapped;
  switch (cmd.kind) {
    case Command::Kind::Action:
    case Command::Kind::AssertReturn:
      if (trapped) return Outcome::fail(fmt::format("\"{}\" ended with {}", name, trapNote(r.trap)));
      if (cmd.kind == Command::Kind::Action || matchesAll(cmd.expected, r.values)) return Outcome::pass();
      return Outcome::fail(
          fmt::format("\"{}\" returned {}, expected {}", name, describe(r.values), describe(cmd.expected)));
    case Command::Kind::AssertTrap:
    case Command::Kind::AssertExhaustion:
      if (!trapped) return Outcome::fail(fmt::format("expected \"{}\", \"{}\" returned {}", cmd.message, name, describe(r.values)));
      if (r.trap.kind() != TrapKind::Host && messagePrefixMatches(r.trap.message(), cmd.message)) return Outcome::pass();
      return Outcome::fail(fmt::format("expected \"{}\", got {}", cmd.message, trapNote(r.trap)));
    case Command::Kind::AssertException:
      if (!trapped) return Outcome::fail(fmt::format("expected an exception, \"{}\" returned {}", name, describe(r.values)));
      if (r.trap.kind() == TrapKind::UncaughtException) return Outcome::pass();
      return Outcome::fail(fmt::format("expected an exception, got {}", trapNote(r.trap)));
    default: return Outcome::fail("not an action command");
  }
}

std::optional<Module> ExecRunner::prepare(const Command& cmd, Outcome& failure) {
  auto loaded = load(*cmd.module);
  if (!loaded) {
    // spec 4.5.4: linking and instantiation come after validation; the module must be valid.
    failure = Outcome::fail(fmt::format("the module does not load: {}: {}", errorKindName(loaded.error().kind),
                                        loaded.error().message));
    return std::nullopt;
  }
  auto compiled = compile(*loaded);
  if (!compiled) {
    failure = Outcome::fail("module does not compile: " + compiled.error().message);
    return std::nullopt;
  }
  return *compiled;
}

// assert_unlinkable (import resolution fails), assert_uninstantiable and the module form of
// assert_trap (a segment or the start function traps). Nothing is bound: the instance is lost,
// though what it wrote to imported tables and memories stays (spec 4.5.4).
Outcome ExecRunner::assertModuleFails(const Command& cmd) {
  Outcome failure;
  std::optional<Module> module = prepare(cmd, failure);
  if (!module) return failure;
  auto instance = linker_->instantiate(*store_, *module);
  if (instance) return Outcome::fail(fmt::format("expected \"{}\", but the module instantiated", cmd.message));
  const Error& e = instance.error();
  bool kind_ok = cmd.kind == Command::Kind::AssertUnlinkable
                     ? e.kind == ErrorKind::Unlinkable
                     : e.kind == ErrorKind::Trap || e.kind == ErrorKind::Uninstantiable;
  if (kind_ok && messagePrefixMatches(e.message, cmd.message)) return Outcome::pass();
  return Outcome::fail(fmt::format("expected \"{}\", got {}: {}", cmd.message, errorKindName(e.kind), e.message));
}

}  // namespace strata::wast
