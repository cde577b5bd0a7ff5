// The Linker: names (module, name) -> externs, resolving a module's imports to instantiate it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "strata/engine.h"
#include "strata/extern.h"
#include "strata/func.h"
#include "strata/instance.h"
#include "strata/module.h"
#include "support/error.h"

namespace strata {

class Store;

// Definitions are bound to the store they were created in, except host functions given by
// defineFunc, which are created in whichever store instantiate() runs in (wasmtime's
// Linker::func_new). A Linker is cheap to copy.
class Linker {
 public:
  explicit Linker(const Engine& engine) : engine_(engine) {}

  // Usage error "X::Y defined twice" unless shadowing is allowed.
  Result<void> define(std::string module, std::string name, Extern item);
  // Every export of `instance` under module name `module` (spec scripts' `register`).
  Result<void> defineInstance(std::string module, const Instance& instance);
  Result<void> defineFunc(std::string module, std::string name, FuncType type, HostCallback callback);
  void allowShadowing(bool allow) { allow_shadowing_ = allow; }
  // From now on, only the imports of `module` are defined; other definitions are dropped, and a
  // library defining many functions (WASI) can skip building those (wants()). For a tool that
  // links exactly one module: defining WASI's ~50 functions was a fifth of a .cwasm run.
  void restrictTo(const Module& module);
  bool wants(std::string_view module, std::string_view name) const;

  std::optional<Extern> get(Store& store, std::string_view module, std::string_view name) const;
  // Resolves every import: Unlinkable "unknown import" or "incompatible import type", then
  // Instance::create.
  Result<Instance> instantiate(Store& store, const Module& module) const;

 private:
  struct HostDef {
    FuncType type;
    HostCallback callback;
  };
  using Key = std::pair<std::string, std::string>;
  Result<void> insert(Key key, std::variant<Extern, HostDef> def);

  Engine engine_;
  bool allow_shadowing_ = false;
  std::map<Key, std::variant<Extern, HostDef>> defs_;
  std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> only_;  // restrictTo
};

}  // namespace strata
