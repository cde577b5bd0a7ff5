// A compiled module: decoded (or parsed), validated and compiled by the engine's tier; immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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
  // Decode (Malformed errors) + validate (Invalid) + compile.
  static Result<Module> fromBinary(const Engine& engine, std::span<const uint8_t> bytes);
  // Parse a .wat module (Malformed with the text offset) + validate + compile.
  static Result<Module> fromText(const Engine& engine, std::string_view wat);
  // Validate (unless `validated`) and compile an IR module someone else produced.
  static Result<Module> fromIr(const Engine& engine, std::shared_ptr<const ir::Module> module,
                               bool validated = false);

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
