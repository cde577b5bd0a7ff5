// The C++ API's instances: a module instantiated in a store with its imports, and its exports by name.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/extern.hh"
#include "strata/module.hh"
#include "strata/store.hh"
#include "strata/trap.hh"

namespace strata {
inline namespace api {

// A handle of an instance; copies are handles of the same instance (operator== compares).
class Instance {
 public:
  // Imports in the module's import order. A link error ("unknown import", "incompatible import
  // type") or a trap of the start function (with its frames) comes back as the Trap.
  static TrapResult<Instance> create(Store& store, const Module& module, std::span<const Extern> imports = {}) {
    std::vector<wasm_extern_t*> list;
    for (const Extern& e : imports) list.push_back(e.raw());
    wasm_extern_vec_t vec{list.size(), list.data()};
    wasm_trap_t* trap = nullptr;
    wasm_instance_t* instance = wasm_instance_new(store.raw(), module.raw(), &vec, &trap);
    if (!instance) return std::unexpected(trap ? Trap(trap) : Trap("instantiation failed"));
    return Instance(instance, module);
  }
  // Takes an instance the C API handed over; it knows no export names (get() finds nothing).
  explicit Instance(wasm_instance_t* instance) : instance_(instance) {}

  // Every export in the module's order, named when the instance's module is known.
  std::vector<std::pair<std::string, Extern>> exports() const {
    detail::OutVec<wasm_extern_vec_t, wasm_extern_vec_delete> list;
    wasm_instance_exports(raw(), &list.vec);
    std::vector<ExportType> types = module_ ? module_->exports() : std::vector<ExportType>{};
    std::vector<std::pair<std::string, Extern>> out;
    for (size_t i = 0; i < list.size(); ++i) {
      out.emplace_back(i < types.size() ? types[i].name : std::string(), Extern::adopt(std::exchange(list[i], nullptr)));
    }
    return out;
  }
  std::optional<Extern> get(std::string_view name) const {
    for (auto& [export_name, e] : exports()) {
      if (export_name == name) return std::move(e);
    }
    return std::nullopt;
  }
  template <class T>
  std::optional<T> get(std::string_view name) const {
    auto e = get(name);
    return e ? e->template as<T>() : std::nullopt;
  }
  std::optional<Func> getFunc(std::string_view name) const { return get<Func>(name); }
  std::optional<Memory> getMemory(std::string_view name) const { return get<Memory>(name); }
  std::optional<Global> getGlobal(std::string_view name) const { return get<Global>(name); }
  std::optional<Table> getTable(std::string_view name) const { return get<Table>(name); }

  wasm_instance_t* raw() const { return instance_.get(); }
  friend bool operator==(const Instance& a, const Instance& b) { return wasm_instance_same(a.raw(), b.raw()); }

 private:
  Instance(wasm_instance_t* instance, Module module) : instance_(instance), module_(std::move(module)) {}
  detail::Copyable<wasm_instance_t, wasm_instance_delete, wasm_instance_copy> instance_;
  std::optional<Module> module_;
};

inline std::optional<Instance> Frame::instance() const {
  const wasm_instance_t* instance = wasm_frame_instance(raw());
  if (!instance) return std::nullopt;
  return Instance(wasm_instance_copy(instance));
}

}  // namespace api
}  // namespace strata
