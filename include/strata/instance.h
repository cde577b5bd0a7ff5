// An instance of a module in a store (spec 4.2.x module instance), with its exports by name.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/extern.h"
#include "strata/module.h"
#include "support/error.h"

namespace strata {

class Store;

namespace runtime {
struct InstanceObj;
}

class Instance {
 public:
  Instance() = default;
  // Instantiates (spec 4.5.4) with imports in the module's import order. Errors: Unlinkable
  // ("unknown import" when too few, "incompatible import type"), Trap (a segment that does not
  // fit, the start function: message starts with the trap's wording), Usage (store limits).
  // When instantiation traps, `trap` (if given) receives the trap itself: kind, message and the
  // start function's frames.
  static Result<Instance> create(Store& store, const Module& module, std::span<const Extern> imports,
                                 Trap* trap = nullptr);

  std::optional<Extern> getExport(std::string_view name) const;
  std::optional<Func> getFunc(std::string_view name) const;
  std::optional<Memory> getMemory(std::string_view name) const;
  std::optional<Table> getTable(std::string_view name) const;
  std::optional<Global> getGlobal(std::string_view name) const;
  std::optional<Tag> getTag(std::string_view name) const;
  std::vector<std::pair<std::string, Extern>> exports() const;
  Module module() const;
  const Store& store() const;

  runtime::InstanceObj* raw() const { return obj_; }
  explicit Instance(runtime::InstanceObj* obj) : obj_(obj) {}
  friend bool operator==(const Instance&, const Instance&) = default;

 private:
  runtime::InstanceObj* obj_ = nullptr;
};

}  // namespace strata
