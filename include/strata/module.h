// A compiled module: decoded (or parsed), validated and compiled by the engine's tier; immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/module.h"
#include "strata/engine.h"
#include "strata/types.h"
#include "support/error.h"

namespace strata {

namespace runtime {
class ModuleImpl;
}

// Shareable across stores and threads (a shared handle). Keeps its ir::Module alive: function
// bodies, segments and names stay readable for the life of every instance.
class Module {
 public:
  // Decode (Malformed errors) + validate (Invalid) + compile; with Config::cache_dir and a
  // machine-code tier, loaded from the code cache when compiled before (docs/artifacts.md).
  static Result<Module> fromBinary(const Engine& engine, std::span<const uint8_t> bytes);
  // The same, never through the cache.
  static Result<Module> fromBinaryUncached(const Engine& engine, std::span<const uint8_t> bytes);
  // The same without a copy of `bytes`: the module reads them where they lie for as long as it
  // lives, and keeps `backing` (their owner: a mapping, a buffer) alive that long.
  static Result<Module> fromBinary(const Engine& engine, std::span<const uint8_t> bytes,
                                   std::shared_ptr<const void> backing);
  // The module in the file at `path`, binary (mapped read-only, decoded in place: nothing is
  // read into memory or copied) or text. A compiled artifact is refused (Usage): loading
  // native code is the explicit choice of deserializeFile. As with deserializeFile, the file
  // must not be truncated while the module lives (its pages are read in place).
  static Result<Module> fromFile(const Engine& engine, const std::string& path);
  // Parse a .wat module (Malformed with the text offset) + validate + compile.
  static Result<Module> fromText(const Engine& engine, std::string_view wat);
  // Validate (unless `validated`) and compile an IR module someone else produced.
  static Result<Module> fromIr(const Engine& engine, std::shared_ptr<const ir::Module> module,
                               bool validated = false);

  // Compiled artifacts (docs/artifacts.md): the module's machine code and what loading it
  // needs, as an ELF file that deserialize() maps back without compiling. Machine-code tiers
  // only, for modules made from their binary.
  Result<std::vector<uint8_t>> serialize() const;
  // An artifact is native code: load only files you trust (as with wasmtime's deserialize).
  // Refused, with the reason, when written by another build of Strata, another tier or other
  // code-changing settings than `engine`'s (features, bounds checks, NaN canonicalization,
  // fuel, epoch), for CPU features this host lacks, or when its checksum fails.
  static Result<Module> deserialize(const Engine& engine, std::span<const uint8_t> bytes);
  // The same from a file, whose code pages are mapped (not read or copied).
  static Result<Module> deserializeFile(const Engine& engine, const std::string& path);
  // Whether `bytes` start like a compiled artifact (an ELF file) rather than a wasm binary.
  static bool isArtifact(std::span<const uint8_t> bytes);
  // The tier that compiled the artifact whose first bytes are `head` (at least
  // kArtifactHeadBytes of them), unchecked (the checksum is verified at load), or empty when
  // they are not the start of a Strata artifact: lets a tool pick the engine's tier before
  // loading.
  static constexpr size_t kArtifactHeadBytes = 256;
  static std::string artifactTier(std::span<const uint8_t> head);

  std::vector<ImportType> imports() const;
  std::vector<ExportType> exports() const;
  std::optional<ExportType> getExport(std::string_view name) const;
  std::optional<std::string_view> name() const;  // from the name section

  const ir::Module& ir() const;
  Engine engine() const;
  // The engine tier's code, for tools (explore, objdump --disassemble) that list it through the
  // vm::CompiledModule interface. Its tierName() may differ from Config::tier when a tier hands
  // a module it cannot compile to another.
  const vm::CompiledModule& compiled() const;
  // For the runtime: wraps a module it already holds.
  static Module fromShared(std::shared_ptr<runtime::ModuleImpl> impl) { return Module(std::move(impl)); }
  runtime::ModuleImpl& impl() const { return *impl_; }
  const std::shared_ptr<runtime::ModuleImpl>& shared() const { return impl_; }

 private:
  explicit Module(std::shared_ptr<runtime::ModuleImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<runtime::ModuleImpl> impl_;
};

}  // namespace strata
