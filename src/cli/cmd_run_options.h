// `strata run` option parsing: -W KEY[=VALUE] settings, durations, --dir and --env specs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli11.h"

#include "ir/features.h"
#include "strata/config.h"
#include "support/error.h"
#include "wasi/ctx.h"
#include "wasi/sandbox.h"

namespace strata::cli {

// What -W options (and --fuel / --timeout) set, applied on top of the defaults.
struct WasmSettings {
  Config config;                  // features, limits, stack, NaN canonicalization
  std::optional<uint64_t> fuel;   // --fuel N, -W fuel=N
  std::optional<std::chrono::nanoseconds> timeout;  // --timeout D, -W timeout=D
};

// The options that configure the engine (how modules are compiled and limited), shared by
// `run` and `settings`, which shows what they resolve to.
struct EngineOptions {
  std::string tier;  // empty: the default tier (Engine::defaultTier)
  std::vector<std::string> wasm_options;  // -W
  std::optional<uint64_t> fuel;
  std::string timeout;
  std::string profile;                     // --profile perfmap|jitdump
  std::vector<std::string> debug_options;  // -D
  bool cache = false;                      // --cache
  std::vector<std::string> codegen_options;  // -C cache[=y|n], cache-dir=PATH
};
void addEngineOptions(CLI::App& cmd, EngineOptions& opts);
// The defaults, then -W items, then --fuel and --timeout (which win over -W fuel/timeout),
// --profile and -D debug-info[=y|n].
Result<WasmSettings> settingsFor(const EngineOptions& opts, const ir::Features& features);

// The code cache's directory unless -C cache-dir says otherwise: $XDG_CACHE_HOME/strata, else
// ~/.cache/strata.
std::string defaultCacheDir();

// wasmtime-style durations: a number with an optional unit ns, us, ms, s (default), m, h.
Result<std::chrono::nanoseconds> parseDuration(const std::string& text);

// Sizes accept K/M/G suffixes (powers of 1024), plain numbers are bytes.
Result<uint64_t> parseSize(const std::string& text);

// Applies each "-W" argument; several may be given, each may hold comma-separated items:
// max-memory-size=N, max-table-elements=N, max-instances=N, max-tables=N, max-memories=N,
// max-wasm-stack=N, fuel=N, timeout=D, nan-canonicalization[=y|n], parallel-compilation[=y|n], bounds-checks=guard|explicit,
// and any proposal name of --enable (simd, threads, memory64, ...) with [=y|n].
Result<void> applyWasmOptions(const std::vector<std::string>& items, WasmSettings& settings);

// What -S options (and --inherit-env / --tcplisten) set for the WASI host.
struct WasiSettings {
  bool inherit_env = false;
  std::vector<std::string> tcplisten;
  wasi::ResolveMode resolve = wasi::ResolveMode::Auto;
};

// Applies each "-S" argument (comma-separated items): inherit-env[=y|n], tcplisten=HOST:PORT,
// and resolve=auto|openat2|walk (how guest paths are resolved; walk forces the fallback that
// kernels without openat2 use, for testing it).
Result<void> applyWasiOptions(const std::vector<std::string>& items, WasiSettings& settings);

// "--dir HOST[::GUEST]": the guest sees HOST under GUEST (default: HOST as written).
wasi::Preopen parseDir(const std::string& spec);

// --tcplisten HOST:PORT: a listening TCP socket (SO_REUSEADDR, backlog 128) for the guest's
// sock_accept; port 0 picks a free one. The caller owns the returned fd.
Result<int> listenTcp(const std::string& address);

// The guest's environment: the host's with --inherit-env, then each --env K=V (a bare K copies
// the host's value of K, if any), later ones replacing earlier ones of the same key.
Result<std::vector<std::string>> guestEnvironment(const std::vector<std::string>& env_args, bool inherit);

}  // namespace strata::cli
