// The harness's Strata driver: one Sightglass-format WASI program, its figures written as JSON.
//
// It runs the program through the embedding API and reports compile, instantiation and
// bench.start..bench.end times. The module comes from Module::fromFile, as `strata run` takes it:
// the file mapped and decoded in place (a copy of ed25519's 350 KB into fresh memory was a fifth
// of its compile time here), a compiled artifact from Module::deserializeFile.
//
//   strata_bench [--tier NAME] [--dir DIR] [--report FILE] [--compile-only] PROGRAM.wasm [ARGS...]
//
// --compile-only stops after the module is compiled and writes the figures to stdout (or --report): the
// harness's whole-module compile timers (run.py COMPILE_THREADS, the llvm tier on 1 and 2 threads)
// need no run of the program. The llvm tier loads its plugin (libLLVM) on its first compile, a
// one-time cost of the process; in this mode a module of one empty function is compiled first and
// timed apart (load_ns), so that compile_ns is the program's own compile.
//
// The guest's stdout and stderr are the process's own, untouched, so the harness can compare
// them with the expected output; the figures go to --report (or stderr when absent, after the
// guest has finished). bench.start/bench.end are bound to std::chrono::steady_clock in host
// functions, so the figure excludes process start-up, reading, compiling and instantiating.
#include <fmt/core.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "strata/strata.h"
#include "tiers/tiers.h"
#include "wasi/wasi.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string tier = "interp";
  std::string dir = ".";
  std::string report;
  bool compile_only = false;
  std::string program;
  std::vector<std::string> args;
};

struct Figures {
  int64_t load_ns = -1;
  int64_t compile_ns = -1;
  int64_t instantiate_ns = -1;
  std::optional<Clock::time_point> bench_start;
  std::optional<Clock::time_point> bench_end;
  int exit = 0;
  std::string error;
};

int64_t nanos(Clock::duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

std::optional<Options> parseArgs(int argc, char** argv) {
  Options opts;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--tier" || a == "--dir" || a == "--report") && i + 1 < argc) {
      std::string& slot = a == "--tier" ? opts.tier : a == "--dir" ? opts.dir : opts.report;
      slot = argv[++i];
    } else if (a == "--compile-only") {
      opts.compile_only = true;
    } else if (a == "--tiers") {
      for (const std::string& t : strata::Engine::tiers()) fmt::print("{}\n", t);
      std::exit(0);
    } else {
      break;
    }
  }
  if (i >= argc || argv[i][0] == '-') return std::nullopt;
  opts.program = argv[i++];
  for (; i < argc; ++i) opts.args.emplace_back(argv[i]);
  return opts;
}

// The file's first bytes, enough to tell a compiled artifact from a module.
std::optional<std::vector<uint8_t>> readHead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<uint8_t> head(strata::Module::kArtifactHeadBytes);
  in.read(reinterpret_cast<char*>(head.data()), std::streamsize(head.size()));
  head.resize(size_t(in.gcount()));
  return head;
}

// Compiles, links (WASI with DIR as `.`, bench hooks on the clock) and runs _start.
strata::Result<void> run(const Options& opts, Figures& fig) {
  strata::Config config;
  config.tier = opts.tier;
  strata::Engine engine = STRATA_TRY(strata::Engine::create(config));
  auto head = readHead(opts.program);
  if (!head) return strata::makeError(strata::ErrorKind::Io, strata::kNoOffset, "cannot read " + opts.program);

  // A compiled artifact (`strata compile`, docs/artifacts.md) is loaded rather than compiled:
  // compile_ns is then the time of loading it.
  bool artifact = strata::Module::isArtifact(*head);
  if (opts.compile_only) {
    auto t = Clock::now();
    STRATA_TRY(strata::Module::fromText(engine, "(module (func))"));
    fig.load_ns = nanos(Clock::now() - t);
  }
  auto t0 = Clock::now();
  strata::Module module = STRATA_TRY(artifact ? strata::Module::deserializeFile(engine, opts.program)
                                              : strata::Module::fromFile(engine, opts.program));
  fig.compile_ns = nanos(Clock::now() - t0);
  if (opts.compile_only) return {};

  strata::wasi::WasiConfig wasi_config;
  wasi_config.args.push_back(opts.program.substr(opts.program.find_last_of('/') + 1));
  wasi_config.args.insert(wasi_config.args.end(), opts.args.begin(), opts.args.end());
  wasi_config.preopens.push_back({opts.dir, "."});
  auto ctx = STRATA_TRY(strata::wasi::WasiCtx::create(wasi_config));

  strata::Store store(engine);
  strata::Linker linker(engine);
  STRATA_CHECK(strata::wasi::defineWasi(linker, ctx));
  STRATA_CHECK(strata::wasi::defineBench(
      linker, {.on_start = [&] { fig.bench_start = Clock::now(); }, .on_end = [&] { fig.bench_end = Clock::now(); }}));

  auto t1 = Clock::now();
  strata::Instance instance = STRATA_TRY(linker.instantiate(store, module));
  fig.instantiate_ns = nanos(Clock::now() - t1);

  std::optional<strata::Func> start = instance.getFunc("_start");
  if (!start) return strata::makeError(strata::ErrorKind::Usage, strata::kNoOffset, "no exported function `_start`");
  std::fflush(stdout);
  auto r = start->call(store, {});
  std::fflush(stdout);
  if (!r) {
    if (!r.error().isExit()) return std::unexpected(r.error().toError());
    fig.exit = r.error().exitStatus();
  }
  return {};
}

void writeReport(const Options& opts, const Figures& fig) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::string bench = fig.bench_start && fig.bench_end ? std::to_string(nanos(*fig.bench_end - *fig.bench_start)) : "null";
  std::string json = fmt::format(
      "{{\"tier\": \"{}\", \"compile_ns\": {}, \"instantiate_ns\": {}, \"bench_ns\": {}, \"exit\": {}, "
      "\"peak_rss_kb\": {}{}}}\n",
      opts.tier, fig.compile_ns, fig.instantiate_ns, bench, fig.exit, usage.ru_maxrss,
      fig.load_ns >= 0 ? fmt::format(", \"load_ns\": {}", fig.load_ns) : "");
  if (opts.report.empty()) {
    std::fputs(json.c_str(), opts.compile_only ? stdout : stderr);
    return;
  }
  std::ofstream(opts.report) << json;
}

}  // namespace

int main(int argc, char** argv) {
  strata::tiers::registerAll();
  auto opts = parseArgs(argc, argv);
  if (!opts) {
    std::fputs("usage: strata_bench [--tier NAME] [--dir DIR] [--report FILE] [--compile-only] PROGRAM.wasm [ARGS...]\n"
               "       strata_bench --tiers   (list the available tiers)\n",
               stderr);
    return 2;
  }
  Figures fig;
  auto r = run(*opts, fig);
  if (!r) {
    std::fflush(stdout);
    fmt::print(stderr, "strata_bench: {}: {}\n", opts->program, r.error().message);
    // A trap exits like an aborted process, as `strata run` does; anything else is a failure.
    fig.exit = r.error().kind == strata::ErrorKind::Trap ? 134 : 1;
  }
  writeReport(*opts, fig);
  return fig.exit;
}
