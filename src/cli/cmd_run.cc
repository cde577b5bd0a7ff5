// `strata run [OPTIONS] FILE [ARGS...]`: run a WASI command (its `_start`) or call one export with
// `--invoke`, in wasmtime's shape: --dir, --env, --inherit-env, --preload, --tcplisten, --tier, -W,
// -S, --fuel, --timeout. Exit status: the guest's proc_exit status (0 when _start returns), 134 after a
// trap (128 + SIGABRT, as wasmtime on Unix), 1 for a module that does not load or link, 2 for
// usage and I/O errors.
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/cmd_run_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/fast_run.h"
#include "cli/invoke_args.h"
#include "support/file_mapping.h"
#include "strata/strata.h"
#include "wasi/wasi.h"

namespace strata::cli {

namespace {

// A trap exits like an aborted process (128 + SIGABRT), as wasmtime does on Unix; see README.
constexpr int kExitTrap = 134;

struct RunOptions {
  std::string file;
  std::vector<std::string> args;
  std::string invoke;
  EngineOptions engine;
  bool allow_precompiled = false;
  std::vector<std::string> dirs;
  std::vector<std::string> env;
  bool inherit_env = false;
  std::vector<std::string> preloads;
  std::vector<std::string> tcplisten;
  std::vector<std::string> wasi_options;
  FeatureOptions features;
};

// The outcome of a call into the guest as the process's exit status: proc_exit's status, or
// the trap printed on stderr.
int exitStatusOf(const Trap& trap, const std::string& file, const std::string& name) {
  if (trap.isExit()) return trap.exitStatus();
  std::fflush(stdout);
  fmt::print(stderr, "error: failed to invoke `{}` in {}: {}\n", name, file, trap.toString());
  return kExitTrap;
}

// Calls `name` with `args` parsed by its parameter types; prints the results to stdout.
int invoke(Store& store, const Instance& instance, const std::string& file, const std::string& name,
           const std::vector<std::string>& args) {
  std::optional<Func> func = instance.getFunc(name);
  if (!func) return reportError(Error{ErrorKind::Usage, kNoOffset, fmt::format("{}: no exported function `{}`", file, name)});
  FuncType type = func->type(store);
  auto vals = parseInvokeArgs(type, args);
  if (!vals) return reportError(Error{ErrorKind::Usage, kNoOffset, fmt::format("`{}`: {}", name, vals.error().message)});
  std::fflush(stdout);
  auto results = func->call(store, *vals);
  if (!results) return exitStatusOf(results.error(), file, name);
  std::fflush(stderr);
  for (const Val& v : *results) fmt::print("{}\n", formatResult(v));
  std::fflush(stdout);
  return kExitOk;
}

// A command's `_start` gets no arguments; its argv comes through WASI.
int runStart(Store& store, const Instance& instance, const std::string& file) {
  std::optional<Func> start = instance.getFunc("_start");
  if (!start) return kExitOk;  // a reactor or plain module: instantiation (and `start`) was the run
  std::fflush(stdout);
  auto r = start->call(store, {});
  return r ? kExitOk : exitStatusOf(r.error(), file, "_start");
}

// Whether `path` holds a compiled artifact (strata compile) rather than a module, and then the
// tier that compiled it (in `tier`): its first bytes, without stdio's buffer.
bool isArtifactFile(const std::string& path, std::string* tier = nullptr) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // Only a regular file can be looked at first: reading a pipe's head would take it away from
  // the module (artifacts come from files; a module from /dev/stdin is read once, later).
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return false;
  }
  uint8_t head[Module::kArtifactHeadBytes] = {};
  ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  if (n <= 0 || !Module::isArtifact({head, size_t(n)})) return false;
  if (tier) *tier = Module::artifactTier({head, size_t(n)});
  return true;
}

// The module in `path`, which holds a compiled artifact when `artifact` (the caller looked).
Result<Module> compileFile(const Engine& engine, const std::string& path, const ir::Features& features, bool artifact) {
  if (artifact) {
    auto module = Module::deserializeFile(engine, path);
    if (!module) return std::unexpected(Error{module.error().kind, kNoOffset, fmt::format("{}: {}", path, module.error().message)});
    return module;
  }
  // Mapped, not read (support/file_mapping.h): a binary module is decoded where it lies, and
  // a hit in the code cache only hashes the bytes. The module keeps the mapping.
  auto mapping = support::FileMapping::open(path);
  if (!mapping) return std::unexpected(mapping.error());
  if (looksBinary((*mapping)->bytes())) {
    auto module = Module::fromBinary(engine, (*mapping)->bytes(), *mapping);
    if (!module) return std::unexpected(placed(module.error(), path, nullptr));
    return module;
  }
  // A text module (validated as it is parsed, its errors placed by line and column), from the
  // bytes in hand: a pipe cannot be read twice.
  std::span<const uint8_t> text = (*mapping)->bytes();
  LoadedModule loaded =
      STRATA_TRY(loadModule(path, std::vector<uint8_t>(text.begin(), text.end()), features, Validate::TextOnly));
  auto module = Module::fromIr(engine, std::make_shared<const ir::Module>(std::move(loaded.module)), loaded.from_text);
  if (!module) return std::unexpected(placed(module.error(), path, nullptr));
  return module;
}

Result<Module> compile(const Engine& engine, const std::string& path, const ir::Features& features) {
  return compileFile(engine, path, features, isArtifactFile(path));
}

// The linker a module sees: WASI preview 1, bench.start/end (no-ops: no harness attached) and
// every --preload NAME=PATH instance under NAME. Without preloads it links `main` alone, so it
// defines only what `main` imports.
Result<Linker> makeLinker(Store& store, const RunOptions& opts, const ir::Features& features,
                          std::shared_ptr<wasi::WasiCtx> ctx, const Module& main) {
  Linker linker(store.engine());
  if (opts.preloads.empty()) linker.restrictTo(main);
  STRATA_CHECK(wasi::defineWasi(linker, std::move(ctx)));
  STRATA_CHECK(wasi::defineBench(linker));
  for (const std::string& spec : opts.preloads) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return makeError(ErrorKind::Usage, kNoOffset, fmt::format("--preload `{}`: expected NAME=PATH", spec));
    std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
    Module module = STRATA_TRY(compile(store.engine(), path, features));
    auto instance = linker.instantiate(store, module);
    if (!instance) return makeError(instance.error().kind, kNoOffset, fmt::format("{}: {}", path, instance.error().message));
    STRATA_CHECK(linker.defineInstance(name, *instance));
  }
  return linker;
}

Result<std::shared_ptr<wasi::WasiCtx>> makeWasi(const RunOptions& opts) {
  WasiSettings settings{.inherit_env = opts.inherit_env, .tcplisten = opts.tcplisten};
  STRATA_CHECK(applyWasiOptions(opts.wasi_options, settings));
  wasi::setResolveMode(settings.resolve);
  wasi::WasiConfig config;
  config.args.push_back(opts.file);  // argv[0] is the module path as given, as in wasmtime
  if (opts.invoke.empty()) config.args.insert(config.args.end(), opts.args.begin(), opts.args.end());
  config.env = STRATA_TRY(guestEnvironment(opts.env, settings.inherit_env));
  for (const std::string& d : opts.dirs) config.preopens.push_back(parseDir(d));
  std::vector<wasi::UniqueFd> sockets;  // the context duplicates them
  for (const std::string& address : settings.tcplisten) {
    sockets.emplace_back(STRATA_TRY(listenTcp(address)));
    config.sockets.push_back(sockets.back().get());
  }
  return wasi::WasiCtx::create(config);
}

// --timeout: a thread bumps the engine's epoch once the time is up, which interrupts the guest
// (the store's deadline is one tick); it is stopped when the run ends first.
class Watchdog {
 public:
  Watchdog(Engine engine, std::chrono::nanoseconds timeout)
      : thread_([this, engine, timeout]() mutable {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) engine.incrementEpoch();
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

int runRun(const RunOptions& opts, const ir::Features& features) {
  // A guest writing to a closed pipe or socket gets EPIPE (as under wasmtime), not SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  EngineOptions engine_opts = opts.engine;
  std::string artifact_tier;
  bool artifact = isArtifactFile(opts.file, &artifact_tier);
  if (artifact) {
    // An artifact is native code that Strata runs unchecked: only when asked (wasmtime's
    // --allow-precompiled), so that a file from elsewhere is never run as code by mistake.
    if (!opts.allow_precompiled)
      return reportError(Error{ErrorKind::Usage, kNoOffset,
                               fmt::format("{} is a compiled artifact (native code): run it with --allow-precompiled, "
                                           "and only if you trust it", opts.file)});
    // Without --tier, the artifact's own tier runs it (an explicit --tier is checked against
    // it at load).
    if (engine_opts.tier.empty()) engine_opts.tier = artifact_tier.empty() ? "baseline" : artifact_tier;
  }
  auto settings = settingsFor(engine_opts, features);
  if (!settings) return reportError(settings.error());
  auto engine = Engine::create(settings->config);
  if (!engine) return reportError(engine.error());
  auto module = compileFile(*engine, opts.file, settings->config.features, artifact);
  if (!module) return reportError(module.error());
  Store store(*engine);
  if (settings->fuel) store.setFuel(*settings->fuel);
  if (settings->timeout) store.setEpochDeadline(1);
  auto ctx = makeWasi(opts);
  if (!ctx) return reportError(ctx.error());
  auto linker = makeLinker(store, opts, settings->config.features, *ctx, *module);
  if (!linker) return reportError(linker.error());
  std::optional<Watchdog> watchdog;
  if (settings->timeout) watchdog.emplace(*engine, *settings->timeout);
  std::fflush(stdout);
  auto instance = linker->instantiate(store, *module);
  if (!instance) {
    if (auto status = (*ctx)->exitStatus()) return *status;  // proc_exit in the start function
    // A start function or segment that traps is a trap like any other.
    int code = instance.error().kind == ErrorKind::Trap ? kExitTrap : kExitFailure;
    fmt::print(stderr, "error: failed to instantiate {}: {}\n", opts.file, instance.error().message);
    return code;
  }
  // A WASI reactor initializes itself in `_initialize` before any export is used.
  if (std::optional<Func> init = instance->getFunc("_initialize")) {
    auto r = init->call(store, {});
    if (!r) return exitStatusOf(r.error(), opts.file, "_initialize");
  }
  if (!opts.invoke.empty()) return invoke(store, *instance, opts.file, opts.invoke, opts.args);
  int rc = runStart(store, *instance, opts.file);
  // The run is over and so is the process: the kernel takes the store's memories and code back
  // at exit faster than their destructors would (a tenth of a millisecond, a tenth of the
  // start-up budget of issue 10). Output the guest buffered in stdio is flushed first.
  std::fflush(nullptr);
  std::_Exit(rc);
}

}  // namespace

std::optional<int> runFast(std::span<const char* const> argv) {
  std::optional<FastRunLine> line = parseFastRun(argv);
  if (!line) return std::nullopt;
  RunOptions opts;
  opts.file = std::move(line->file);
  opts.args = std::move(line->args);
  opts.engine.tier = std::move(line->tier);
  opts.engine.cache = line->cache;
  opts.allow_precompiled = line->allow_precompiled;
  auto features = resolveFeatures(opts.features);
  return features ? runRun(opts, *features) : reportError(features.error());
}

void addRunCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = addCommand(app, "run", "Run a WASI program (its _start) or call an export", exit_code, opts, runRun);
  cmd->add_option("--invoke", opts->invoke,
                  "Export to call instead of _start; ARGS are its arguments (i32/i64 decimal or 0x hex, "
                  "f32/f64 decimal, hex, inf or nan), each result is printed on its own line");
  cmd->add_option("--dir", opts->dirs, "Preopen host directory HOST as GUEST (HOST[::GUEST]; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--env", opts->env, "Guest environment variable K=V (K alone: the host's value; repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--inherit-env", opts->inherit_env, "Give the guest the host's whole environment");
  cmd->add_option("--preload", opts->preloads, "Instantiate PATH first and make its exports importable as NAME (NAME=PATH)")
      ->allow_extra_args(false);
  cmd->add_option("--tcplisten", opts->tcplisten,
                  "Listen on HOST:PORT and give the guest the socket (fd after the preopens; repeatable)")
      ->allow_extra_args(false);
  addEngineOptions(*cmd, opts->engine);
  cmd->add_flag("--allow-precompiled", opts->allow_precompiled,
                "Run FILE even if it is a compiled artifact (strata compile): native code, trusted files only");
  cmd->add_option("-S", opts->wasi_options,
                  "WASI settings KEY[=VALUE][,...]: inherit-env, tcplisten=HOST:PORT, resolve=auto|openat2|walk "
                  "(walk: the path resolver of kernels without openat2)")
      ->allow_extra_args(false);
  cmd->add_option("FILE", opts->file, "Module (.wasm binary, .wat text or .cwasm compiled artifact)")->required();
  cmd->add_option("ARGS", opts->args, "Arguments of the program (or of the invoked function)");
  // Everything after FILE belongs to the guest, even when it looks like an option ("-1").
  cmd->positionals_at_end();
}

}  // namespace strata::cli
