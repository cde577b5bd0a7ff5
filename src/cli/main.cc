// Entry point of the `strata` tool: one subcommand per file (cmd_*.cc), dispatched by CLI11.
// Before CLI11 sees the command line it is brought to one shape: `strata FILE ARGS...` becomes
// `strata run FILE ARGS...` (wasmtime's shorthand) and `strata help [COMMAND]` becomes
// `strata [COMMAND] --help`; afterwards every parse error exits 2, the README's code for usage
// errors, rather than CLI11's own codes (106 for a missing subcommand, 109 for an unknown option).
#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <exception>
#include <optional>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "tiers/tiers.h"
#ifdef STRATA_CLI_LLVM_TWIN
#include "llvm/tier.h"
#endif

namespace {

struct Command {
  const char* name;
  void (*add)(CLI::App&, int&);
};

constexpr Command kCommands[] = {
    {"run", strata::cli::addRunCommand},           {"validate", strata::cli::addValidateCommand},
    {"objdump", strata::cli::addObjdumpCommand},   {"explore", strata::cli::addExploreCommand},
    {"wat2wasm", strata::cli::addWat2WasmCommand}, {"wast", strata::cli::addWastCommand},
    {"settings", strata::cli::addSettingsCommand},
    {"compile", strata::cli::addCompileCommand},        {"cache", strata::cli::addCacheCommand},
};

const Command* findCommand(std::string_view name) {
  for (const Command& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

// `help` is not a CLI11 subcommand (it is rewritten before parsing), but --help lists it.
void addHelpEntry(CLI::App& app) {
  app.add_subcommand("help", "Print the help of a command (strata help COMMAND)");
}

// The command line in its one shape (see the top of the file), or an error message.
struct Normalized {
  std::vector<const char*> argv;
  std::string error;
};

Normalized normalize(int argc, char** argv) {
  Normalized n;
  n.argv.assign(argv, argv + argc);
  if (argc < 2) {
    n.error = "a command or a module to run is required";
    return n;
  }
  std::string_view first = argv[1];
  if (first == "help") {
    if (argc > 3) n.error = "help takes one command";
    else if (argc == 3 && !findCommand(argv[2])) n.error = fmt::format("unknown command `{}`", argv[2]);
    n.argv.assign({argv[0]});
    if (argc == 3) n.argv.push_back(argv[2]);
    n.argv.push_back("--help");
  } else if (first.starts_with('-') && std::all_of(argv + 1, argv + argc, [](const char* a) { return a[0] == '-'; }) &&
             first != "-h" && first != "--help" && first != "--version") {
    n.error = fmt::format("unknown option `{}` (and no command or module to run)", first);
  } else if (!findCommand(first) && first != "-h" && first != "--help" && first != "--version") {
    // Anything else is `run`'s: a module path, or run's options before it (strata --tier
    // baseline f.wasm); run reports a file that does not exist or an option it does not know.
    n.argv.insert(n.argv.begin() + 1, "run");
  }
  return n;
}

// Stages return errors as values; this only reports allocation failure and the like.
int internalError(const std::exception& e) {
  fmt::print(stderr, "strata: internal error: {}\n", e.what());
  return strata::cli::kExitUsage;
}

#ifdef STRATA_CLI_LLVM_TWIN
// `--tier llvm` / `--tier=llvm` (or tiered, which compiles with LLVM too) anywhere on the line
// (src/cli/CMakeLists.txt: why a twin).
bool wantsLlvm(int argc, char** argv) {
  auto llvm = [](std::string_view t) { return t == "llvm" || t == "tiered"; };
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a.starts_with("--tier=") && llvm(a.substr(7))) || (a == "--tier" && i + 1 < argc && llvm(argv[i + 1])))
      return true;
  }
  return false;
}

int execTwin(char** argv) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path = n > 0 ? std::string(self, size_t(n)) : std::string();
  path = path.substr(0, path.rfind('/') + 1) + STRATA_CLI_LLVM_TWIN;
  execv(path.c_str(), argv);
  fmt::print(stderr, "strata: the llvm tier runs in {}, which cannot be started: {}\n", path, std::strerror(errno));
  return strata::cli::kExitUsage;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef STRATA_CLI_LLVM_TWIN
  if (wantsLlvm(argc, argv)) {
    // `run` compiles before the guest does anything, and from a code cache it may not compile
    // at all: the twin is started only if the llvm tier is asked to compile (issue 12: a warm
    // cache's start-up). Other commands may print before their first compile: started now.
    if (argc < 2 || std::string_view(argv[1]) != "run") return execTwin(argv);
    static char** twin_argv = argv;
    strata::llvmtier::setBeforePluginLoad([] { std::exit(execTwin(twin_argv)); });
  }
#endif
  strata::tiers::registerAll();
  Normalized line = normalize(argc, argv);
  if (!line.error.empty()) {
    fmt::print(stderr, "strata: {}\nRun `strata --help` for the commands.\n", line.error);
    return strata::cli::kExitUsage;
  }
  // A command line that names its subcommand first builds that subcommand alone: building all
  // of them (their options, validators and help) was a third of a millisecond of every start.
  // Anything else (--help, options first) gets them all, for CLI11's help and errors. The most
  // common `run` lines skip CLI11 altogether (fast_run.h).
  const Command* named = line.argv.size() > 1 ? findCommand(line.argv[1]) : nullptr;
  if (named && named->add == strata::cli::addRunCommand) {
    try {
      if (std::optional<int> rc = strata::cli::runFast(line.argv)) return *rc;
    } catch (const std::exception& e) {
      return internalError(e);
    }
  }
  strata::cli::streamsReady();  // CLI11 prints through std::cout and std::cerr (cli11.h)
  CLI::App app{"strata: a WebAssembly runtime"};
  app.set_version_flag("--version", std::string("strata ") + STRATA_VERSION);
  app.footer("`strata FILE.wasm ARGS...` is short for `strata run FILE.wasm ARGS...`.\n"
             "`strata help COMMAND` (or `strata COMMAND --help`) prints the options of COMMAND.\n"
             "Exit status: 0 success, 1 bad input (malformed, invalid, failing), 2 usage or I/O error;\n"
             "run: the program's own status, 134 after a trap.");
  app.require_subcommand(1);
  int exit_code = strata::cli::kExitOk;
  for (const Command& c : kCommands)
    if (!named || named == &c) c.add(app, exit_code);
  if (!named) addHelpEntry(app);
  try {
    app.parse(int(line.argv.size()), line.argv.data());
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help, or the version); --help and --version exit 0.
    return app.exit(e) == 0 ? strata::cli::kExitOk : strata::cli::kExitUsage;
  } catch (const std::exception& e) {
    return internalError(e);
  }
  return exit_code;
}
