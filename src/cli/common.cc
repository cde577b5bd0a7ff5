// Shared CLI helpers: reading files, feature flags, loading and validating a module.
#include "cli/common.h"

#include <fmt/core.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "decode/decoder.h"
#include "encode/encoder.h"
#include "support/file_mapping.h"
#include "text/text.h"
#include "validate/validator.h"

namespace strata::cli {

// One read of the file's size where the size is known (a regular file), in chunks otherwise (a
// pipe): a stream read byte by byte into a growing vector cost a visible part of start-up.
Result<std::vector<uint8_t>> readFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: cannot open file", path));
  struct stat st {};
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  auto bytes = support::readAll(fd, regular ? size_t(st.st_size) : size_t(64) << 10, path);
  ::close(fd);
  return bytes;
}

Result<void> writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) return makeError(ErrorKind::Io, kNoOffset, fmt::format("{}: cannot write file", path));
  return {};
}

void addFeatureOptions(CLI::App& cmd, FeatureOptions& opts) {
  cmd.add_option("--features", opts.preset,
                 "Feature set: wasm2 (WebAssembly 2.0), all (the 3.0 standard, default) or everything "
                 "(also threads, custom page sizes, wide arithmetic)")
      ->check(CLI::IsMember({"wasm2", "wasm3", "all", "everything"}));
  // One name per flag (repeat the flag for more), so `--enable threads a.wast b.wast` leaves
  // the files to the positional arguments.
  cmd.add_option("--enable", opts.enable, "Enable a proposal (e.g. simd, gc, memory64); repeatable")
      ->allow_extra_args(false);
  cmd.add_option("--disable", opts.disable, "Disable a proposal; repeatable")->allow_extra_args(false);
}

Result<ir::Features> resolveFeatures(const FeatureOptions& opts) {
  // "all" and "wasm3" are the 3.0 standard, ir::Features::all().
  ir::Features f = opts.preset == "wasm2"        ? ir::Features::wasm2()
                   : opts.preset == "everything" ? ir::Features::everything()
                                                 : ir::Features::all();
  for (const std::string& name : opts.enable)
    if (!f.setByName(name, true)) return makeError(ErrorKind::Usage, kNoOffset, "unknown feature: " + name);
  for (const std::string& name : opts.disable)
    if (!f.setByName(name, false)) return makeError(ErrorKind::Usage, kNoOffset, "unknown feature: " + name);
  return f;
}

Error placed(Error e, const std::string& path, const std::string_view* text) {
  if (e.offset == kNoOffset) e.message = fmt::format("{}: {}", path, e.message);
  else if (text) e.message = fmt::format("{}: {}", text::locate(*text, e.offset, path).str(), e.message);
  else e.message = fmt::format("{}:offset 0x{:x}: {}", path, e.offset, e.message);
  e.offset = kNoOffset;
  return e;
}

Result<LoadedModule> loadModule(const std::string& path, const ir::Features& features, Validate validate) {
  std::vector<uint8_t> bytes = STRATA_TRY(readFile(path));
  return loadModule(path, std::move(bytes), features, validate);
}

Result<LoadedModule> loadModule(const std::string& path, std::vector<uint8_t> bytes, const ir::Features& features,
                                Validate validate) {
  LoadedModule loaded;
  if (looksBinary(bytes)) {
    auto m = decode::decodeModule(std::move(bytes), features);
    if (!m) return std::unexpected(placed(m.error(), path, nullptr));
    loaded.module = std::move(*m);
  } else {
    loaded.from_text = true;
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto m = text::parseWat(text, features);
    if (!m) return std::unexpected(placed(m.error(), path, &text));
    loaded.module = std::move(*m);
  }
  if (validate == Validate::Yes || (validate == Validate::TextOnly && loaded.from_text)) {
    if (auto ok = validate::validateModule(loaded.module, features); !ok) {
      // Validation errors of a text module carry text offsets (see Module::text_map).
      std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      return std::unexpected(placed(ok.error(), path, loaded.from_text ? &text : nullptr));
    }
  }
  return loaded;
}

Result<ir::Module> withBinaryOffsets(LoadedModule loaded, const ir::Features& features) {
  if (!loaded.from_text) return std::move(loaded.module);
  return decode::decodeModule(encode::encodeModule(loaded.module), features);
}

int reportError(const Error& e) {
  fmt::print(stderr, "{}\n", e.message);
  return e.kind == ErrorKind::Io || e.kind == ErrorKind::Usage ? kExitUsage : kExitFailure;
}

}  // namespace strata::cli
