// `strata run` option parsing: -W settings, durations, sizes, --dir and --env.
#include "cli/cmd_run_options.h"

#include <fmt/core.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "strata/engine.h"

extern char** environ;

namespace strata::cli {

namespace {

auto usage(std::string message) { return makeError(ErrorKind::Usage, kNoOffset, std::move(message)); }

Result<uint64_t> parseNumber(std::string_view text, std::string_view what) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data()) return usage(fmt::format("bad {}: `{}`", what, text));
  if (end != text.data() + text.size()) return usage(fmt::format("bad {}: `{}`", what, text));
  return v;
}

Result<bool> parseBool(const std::string& key, const std::string& value) {
  if (value.empty() || value == "y" || value == "yes" || value == "true") return true;
  if (value == "n" || value == "no" || value == "false") return false;
  return usage(fmt::format("{}: expected y or n, got `{}`", key, value));
}

Result<void> applyOne(const std::string& key, const std::string& value, WasmSettings& s) {
  StoreLimits& limits = s.config.store_limits;
  if (key == "max-memory-size") limits.max_memory_bytes = STRATA_TRY(parseSize(value));
  else if (key == "max-table-elements") limits.max_table_elements = STRATA_TRY(parseNumber(value, key));
  else if (key == "max-instances") limits.max_instances = uint32_t(STRATA_TRY(parseNumber(value, key)));
  else if (key == "max-tables") limits.max_tables = uint32_t(STRATA_TRY(parseNumber(value, key)));
  else if (key == "max-memories") limits.max_memories = uint32_t(STRATA_TRY(parseNumber(value, key)));
  else if (key == "max-wasm-stack") s.config.max_wasm_stack = STRATA_TRY(parseSize(value));
  else if (key == "fuel") s.fuel = STRATA_TRY(parseNumber(value, key));
  else if (key == "timeout") s.timeout = STRATA_TRY(parseDuration(value));
  else if (key == "nan-canonicalization") s.config.nan_canonicalization = STRATA_TRY(parseBool(key, value));
  else if (key == "parallel-compilation") s.config.parallel_compilation = STRATA_TRY(parseBool(key, value));
  else if (key == "bounds-checks" && (value == "guard" || value == "explicit"))
    s.config.bounds_checks = value == "guard" ? BoundsChecks::GuardPages : BoundsChecks::Explicit;
  else if (ir::Features probe; !probe.setByName(key, true))
    return usage(fmt::format("unknown -W option `{}`", key));
  else s.config.features.setByName(key, STRATA_TRY(parseBool(key, value)));
  return {};
}

}  // namespace

Result<std::chrono::nanoseconds> parseDuration(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  uint64_t n = STRATA_TRY(parseNumber(std::string_view(text).substr(0, digits), "duration"));
  std::string unit = text.substr(digits);
  using namespace std::chrono;
  if (unit.empty() || unit == "s") return duration_cast<nanoseconds>(seconds(n));
  if (unit == "ms") return duration_cast<nanoseconds>(milliseconds(n));
  if (unit == "us") return duration_cast<nanoseconds>(microseconds(n));
  if (unit == "ns") return nanoseconds(n);
  if (unit == "m") return duration_cast<nanoseconds>(minutes(n));
  if (unit == "h") return duration_cast<nanoseconds>(hours(n));
  return usage(fmt::format("bad duration `{}` (units: ns, us, ms, s, m, h)", text));
}

Result<uint64_t> parseSize(const std::string& text) {
  std::string_view t = text;
  uint64_t scale = 1;
  if (!t.empty()) {
    char last = t.back();
    if (last == 'K' || last == 'k') scale = uint64_t{1} << 10;
    if (last == 'M' || last == 'm') scale = uint64_t{1} << 20;
    if (last == 'G' || last == 'g') scale = uint64_t{1} << 30;
    if (scale != 1) t.remove_suffix(1);
  }
  uint64_t n = STRATA_TRY(parseNumber(t, "size"));
  if (n > UINT64_MAX / scale) return usage(fmt::format("size too large: `{}`", text));
  return n * scale;
}

namespace {

// Calls apply(key, value) for each KEY[=VALUE] item of each comma-separated argument.
template <class F>
Result<void> forEachItem(const std::vector<std::string>& args, F&& apply) {
  for (const std::string& arg : args) {
    size_t start = 0;
    while (start <= arg.size()) {
      size_t comma = arg.find(',', start);
      std::string item = arg.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? arg.size() + 1 : comma + 1;
      if (item.empty()) continue;
      size_t eq = item.find('=');
      STRATA_CHECK(apply(item.substr(0, eq), eq == std::string::npos ? std::string() : item.substr(eq + 1)));
    }
  }
  return {};
}

Result<void> applyWasiOne(const std::string& key, const std::string& value, WasiSettings& s) {
  if (key == "inherit-env") {
    s.inherit_env = STRATA_TRY(parseBool(key, value));
  } else if (key == "tcplisten" && !value.empty()) {
    s.tcplisten.push_back(value);
  } else if (key == "resolve" && (value == "auto" || value == "openat2" || value == "walk")) {
    s.resolve = value == "walk" ? wasi::ResolveMode::Walk
                : value == "openat2" ? wasi::ResolveMode::Openat2 : wasi::ResolveMode::Auto;
  } else {
    return usage(fmt::format("unknown -S option `{}{}{}`", key, value.empty() ? "" : "=", value));
  }
  return {};
}

}  // namespace

void addEngineOptions(CLI::App& cmd, EngineOptions& opts) {
  cmd.add_option("--tier", opts.tier,
                 "Execution tier: baseline (x86-64 single-pass JIT; the default where it runs), interp (bytecode interpreter; the default elsewhere), llvm (optimizing, on LLVM) "
                 "or tiered (baseline code at once, llvm code when it is ready)");
  cmd.add_option("-W", opts.wasm_options,
                 "Wasm settings KEY[=VALUE][,...]: max-memory-size, max-table-elements, max-instances, "
                 "max-tables, max-memories, max-wasm-stack, fuel, timeout, nan-canonicalization, parallel-compilation, "
                 "bounds-checks=guard|explicit, or a proposal name (simd, threads, ...) =y|n")
      ->allow_extra_args(false);
  cmd.add_option("--fuel", opts.fuel, "Trap with \"all fuel consumed\" after about N instructions");
  cmd.add_option("--timeout", opts.timeout, "Interrupt the guest after DURATION (e.g. 500ms, 10s, 2m)");
  cmd.add_option("--profile", opts.profile,
                 "Tell perf about machine code: perfmap (/tmp/perf-PID.map) or jitdump (./jit-PID.dump, for "
                 "perf record -k mono + perf inject --jit); docs/profiling.md")
      ->check(CLI::IsMember({"perfmap", "jitdump"}));
  cmd.add_option("-D", opts.debug_options,
                 "Debug settings KEY[=VALUE][,...]: debug-info (register machine code with gdb's JIT "
                 "interface, so backtraces name wasm functions)")
      ->allow_extra_args(false);
  cmd.add_flag("--cache", opts.cache, "Keep compiled machine code in the on-disk code cache (docs/artifacts.md)");
  cmd.add_option("-C", opts.codegen_options,
                 "Compilation settings KEY[=VALUE][,...]: cache[=y|n] (the code cache), cache-dir=PATH "
                 "(default $XDG_CACHE_HOME/strata or ~/.cache/strata), target-cpu=native|portable|NAME (llvm tier: "
                 "the CPU to generate code for; portable is x86-64-v2, NAME an LLVM CPU name such as x86-64-v3)")
      ->allow_extra_args(false);
}

std::string defaultCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/strata";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/strata";
}

Result<WasmSettings> settingsFor(const EngineOptions& opts, const ir::Features& features) {
  WasmSettings s;
  s.config.features = features;
  s.config.tier = opts.tier.empty() ? Engine::defaultTier() : opts.tier;
  STRATA_CHECK(applyWasmOptions(opts.wasm_options, s));
  if (opts.fuel) s.fuel = opts.fuel;
  if (!opts.timeout.empty()) s.timeout = STRATA_TRY(parseDuration(opts.timeout));
  s.config.consume_fuel = s.fuel.has_value();
  s.config.epoch_interruption = s.timeout.has_value();
  if (opts.profile == "perfmap") s.config.profiling = Profiling::PerfMap;
  if (opts.profile == "jitdump") s.config.profiling = Profiling::JitDump;
  STRATA_CHECK(forEachItem(opts.debug_options, [&](const std::string& key, const std::string& value) -> Result<void> {
    if (key != "debug-info") return usage(fmt::format("unknown -D option `{}`", key));
    s.config.debug_info = STRATA_TRY(parseBool(key, value));
    return {};
  }));
  bool cache = opts.cache;
  std::string cache_dir;
  STRATA_CHECK(forEachItem(opts.codegen_options, [&](const std::string& key, const std::string& value) -> Result<void> {
    if (key == "cache") cache = STRATA_TRY(parseBool(key, value));
    else if (key == "cache-dir" && !value.empty()) cache_dir = value;
    else if (key == "target-cpu" && !value.empty()) s.config.target_cpu = value;
    else return usage(fmt::format("unknown -C option `{}`", key));
    return {};
  }));
  // A directory given means the cache is wanted.
  if (cache || !cache_dir.empty()) s.config.cache_dir = cache_dir.empty() ? defaultCacheDir() : cache_dir;
  return s;
}

Result<void> applyWasmOptions(const std::vector<std::string>& items, WasmSettings& settings) {
  return forEachItem(items, [&](const std::string& k, const std::string& v) { return applyOne(k, v, settings); });
}

Result<void> applyWasiOptions(const std::vector<std::string>& items, WasiSettings& settings) {
  return forEachItem(items, [&](const std::string& k, const std::string& v) { return applyWasiOne(k, v, settings); });
}

wasi::Preopen parseDir(const std::string& spec) {
  size_t sep = spec.find("::");
  if (sep == std::string::npos) return {spec, spec};
  return {spec.substr(0, sep), spec.substr(sep + 2)};
}

Result<int> listenTcp(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return usage(fmt::format("--tcplisten `{}`: expected HOST:PORT", address));
  std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int r = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); r != 0)
    return usage(fmt::format("--tcplisten `{}`: {}", address, ::gai_strerror(r)));
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return makeError(ErrorKind::Io, kNoOffset, fmt::format("--tcplisten `{}`: cannot listen there", address));
  return fd;
}

Result<std::vector<std::string>> guestEnvironment(const std::vector<std::string>& env_args, bool inherit) {
  std::vector<std::pair<std::string, std::string>> vars;  // in order, keys unique
  auto set = [&](std::string key, std::string value) {
    for (auto& [k, v] : vars)
      if (k == key) {
        v = std::move(value);
        return;
      }
    vars.emplace_back(std::move(key), std::move(value));
  };
  if (inherit) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv(*e);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) set(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  for (const std::string& arg : env_args) {
    size_t eq = arg.find('=');
    if (eq == 0) return usage(fmt::format("--env `{}`: empty variable name", arg));
    if (eq != std::string::npos) {
      set(arg.substr(0, eq), arg.substr(eq + 1));
    } else if (const char* host = std::getenv(arg.c_str())) {
      set(arg, host);
    }
  }
  std::vector<std::string> out;
  for (auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

}  // namespace strata::cli
