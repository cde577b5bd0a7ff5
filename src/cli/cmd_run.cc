// `strata run [--invoke NAME] FILE [ARGS...]`: instantiate a module and call one of its exports
// with arguments from the command line, printing each result on its own line (wasmtime's shape).
#include <fmt/core.h>

#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/invoke_args.h"
#include "strata/strata.h"

namespace strata::cli {

namespace {

// A trap exits like an aborted process (128 + SIGABRT), as wasmtime does on Unix; see README.
constexpr int kExitTrap = 134;

struct RunOptions {
  std::string file;
  std::vector<std::string> args;
  std::string invoke;
  std::string tier = "interp";
  FeatureOptions features;
};

Result<Instance> instantiate(Store& store, const Module& module) {
  // No host modules yet (WASI comes with the next issue): a module with imports does not link.
  Linker linker(store.engine());
  return linker.instantiate(store, module);
}

// Calls `name` with `args` parsed by its parameter types; prints the results to stdout.
int invoke(Store& store, const Instance& instance, const std::string& file, const std::string& name,
           const std::vector<std::string>& args) {
  std::optional<Func> func = instance.getFunc(name);
  if (!func) return reportError(Error{ErrorKind::Usage, kNoOffset, fmt::format("{}: no exported function `{}`", file, name)});
  FuncType type = func->type(store);
  auto vals = parseInvokeArgs(type, args);
  if (!vals) return reportError(Error{ErrorKind::Usage, kNoOffset, fmt::format("`{}`: {}", name, vals.error().message)});
  auto results = func->call(store, *vals);
  if (!results) {
    fmt::print(stderr, "error: failed to invoke `{}` in {}: {}\n", name, file, results.error().toString());
    return kExitTrap;
  }
  std::fflush(stderr);
  for (const Val& v : *results) fmt::print("{}\n", formatResult(v));
  std::fflush(stdout);
  return kExitOk;
}

int runRun(const RunOptions& opts, const ir::Features& features) {
  Config config;
  config.features = features;
  config.tier = opts.tier;
  auto engine = Engine::create(config);
  if (!engine) return reportError(engine.error());
  auto loaded = loadModule(opts.file, features, /*validate=*/true);
  if (!loaded) return reportError(loaded.error());
  auto module = Module::fromIr(*engine, std::make_shared<const ir::Module>(std::move(loaded->module)), true);
  if (!module) return reportError(Error{module.error().kind, kNoOffset, fmt::format("{}: {}", opts.file, module.error().message)});
  Store store(*engine);
  auto instance = instantiate(store, *module);
  if (!instance) {
    // A start function or segment that traps is a trap like any other.
    int code = instance.error().kind == ErrorKind::Trap ? kExitTrap : kExitFailure;
    fmt::print(stderr, "error: failed to instantiate {}: {}\n", opts.file, instance.error().message);
    return code;
  }
  if (!opts.invoke.empty()) return invoke(store, *instance, opts.file, opts.invoke, opts.args);
  // Without --invoke: a command module's `_start`, if it has one (instantiation ran `start`).
  if (instance->getFunc("_start")) return invoke(store, *instance, opts.file, "_start", opts.args);
  return kExitOk;
}

}  // namespace

void addRunCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = addCommand(app, "run", "Instantiate a module and call an export", exit_code, opts, runRun);
  cmd->add_option("--invoke", opts->invoke,
                  "Export to call; ARGS are its arguments (i32/i64 decimal or 0x hex, f32/f64 decimal, "
                  "hex, inf or nan), each result is printed on its own line");
  cmd->add_option("--tier", opts->tier, "Execution tier (interp)");
  cmd->add_option("FILE", opts->file, "Module (.wasm binary or .wat text)")->required();
  cmd->add_option("ARGS", opts->args, "Arguments of the invoked function");
  // Everything after FILE belongs to the guest, even when it looks like an option ("-1").
  cmd->positionals_at_end();
}

}  // namespace strata::cli
