// The C++ API's memories, globals and tables, and Extern: any of them or a function.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <variant>

#include "strata/func.hh"
#include "strata/store.hh"
#include "strata/types.hh"
#include "strata/val.hh"

namespace strata {
inline namespace api {

// A linear memory. data() stays put when the memory grows; dataSize() changes.
class Memory {
 public:
  explicit Memory(wasm_memory_t* memory) : memory_(memory) {}
  // Error when the limits are invalid (min above max, beyond 65536 pages).
  static Result<Memory> create(Store& store, const MemoryType& type) {
    wasm_limits_t limits = detail::toC(type.limits);
    detail::Owned<wasm_memorytype_t, wasm_memorytype_delete> t(wasm_memorytype_new(&limits));
    wasm_memory_t* m = wasm_memory_new(store.raw(), t.get());
    if (!m) return std::unexpected(Error{"invalid memory type"});
    return Memory(m);
  }

  uint8_t* data() const { return reinterpret_cast<uint8_t*>(wasm_memory_data(raw())); }
  size_t dataSize() const { return wasm_memory_data_size(raw()); }
  std::span<uint8_t> span() const { return {data(), dataSize()}; }
  uint32_t pages() const { return wasm_memory_size(raw()); }
  // False (memory unchanged) beyond the maximum or the store's limits.
  bool grow(uint32_t delta_pages) const { return wasm_memory_grow(raw(), delta_pages); }
  MemoryType type() const {
    detail::Owned<wasm_memorytype_t, wasm_memorytype_delete> t(wasm_memory_type(raw()));
    return detail::fromC(t.get());
  }

  wasm_memory_t* raw() const { return memory_.get(); }

 private:
  detail::Copyable<wasm_memory_t, wasm_memory_delete, wasm_memory_copy> memory_;
};

class Global {
 public:
  explicit Global(wasm_global_t* global) : global_(global) {}
  // Error when `init` does not fit the type.
  static Result<Global> create(Store& store, const GlobalType& type, const Val& init) {
    detail::Owned<wasm_globaltype_t, wasm_globaltype_delete> t(
        wasm_globaltype_new(wasm_valtype_new(wasm_valkind_t(type.content)), type.is_mutable ? WASM_VAR : WASM_CONST));
    wasm_global_t* g = wasm_global_new(store.raw(), t.get(), &init.raw());
    if (!g) return std::unexpected(Error{"global initializer does not fit its type"});
    return Global(g);
  }

  Val get() const {
    wasm_val_t v;
    wasm_global_get(raw(), &v);
    return Val::adopt(v);
  }
  // Ignored for immutable globals and values of another kind (as wasm_global_set).
  void set(const Val& value) const { wasm_global_set(raw(), &value.raw()); }
  GlobalType type() const {
    detail::Owned<wasm_globaltype_t, wasm_globaltype_delete> t(wasm_global_type(raw()));
    return detail::fromC(t.get());
  }

  wasm_global_t* raw() const { return global_.get(); }

 private:
  detail::Copyable<wasm_global_t, wasm_global_delete, wasm_global_copy> global_;
};

// A table of references; elements are Vals of the table's element kind.
class Table {
 public:
  explicit Table(wasm_table_t* table) : table_(table) {}
  static Result<Table> create(Store& store, const TableType& type, const Val& init) {
    wasm_limits_t limits = detail::toC(type.limits);
    detail::Owned<wasm_tabletype_t, wasm_tabletype_delete> t(
        wasm_tabletype_new(wasm_valtype_new(wasm_valkind_t(type.element)), &limits));
    wasm_table_t* table = wasm_table_new(store.raw(), t.get(), init.raw().of.ref);
    if (!table) return std::unexpected(Error{"invalid table type"});
    return Table(table);
  }

  uint32_t size() const { return wasm_table_size(raw()); }
  // nullopt when out of bounds.
  std::optional<Val> get(uint32_t index) const {
    if (index >= size()) return std::nullopt;
    return Val::adopt(wasm_val_t{wasm_valkind_t(type().element), {.ref = wasm_table_get(raw(), index)}});
  }
  // False when out of bounds or the value does not fit.
  bool set(uint32_t index, const Val& value) const { return wasm_table_set(raw(), index, value.raw().of.ref); }
  bool grow(uint32_t delta, const Val& init) const { return wasm_table_grow(raw(), delta, init.raw().of.ref); }
  TableType type() const {
    detail::Owned<wasm_tabletype_t, wasm_tabletype_delete> t(wasm_table_type(raw()));
    return detail::fromC(t.get());
  }

  wasm_table_t* raw() const { return table_.get(); }

 private:
  detail::Copyable<wasm_table_t, wasm_table_delete, wasm_table_copy> table_;
};

// What an instance imports or exports; in wasm.h's order of kinds.
class Extern : public std::variant<Func, Global, Table, Memory> {
 public:
  using variant::variant;
  // Takes an extern the C API handed over.
  static Extern adopt(wasm_extern_t* e) {
    switch (wasm_extern_kind(e)) {
      case WASM_EXTERN_FUNC: return Func(wasm_extern_as_func(e));
      case WASM_EXTERN_GLOBAL: return Global(wasm_extern_as_global(e));
      case WASM_EXTERN_TABLE: return Table(wasm_extern_as_table(e));
      default: return Memory(wasm_extern_as_memory(e));
    }
  }

  template <class T>
  std::optional<T> as() const {
    if (auto* p = std::get_if<T>(this)) return *p;
    return std::nullopt;
  }
  ExternType type() const {
    detail::Owned<wasm_externtype_t, wasm_externtype_delete> t(wasm_extern_type(raw()));
    return detail::fromC(t.get());
  }
  // The C API's view of the same object (borrowed).
  wasm_extern_t* raw() const {
    return std::visit(
        [](const auto& x) -> wasm_extern_t* {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, Func>) return wasm_func_as_extern(x.raw());
          else if constexpr (std::is_same_v<T, Global>) return wasm_global_as_extern(x.raw());
          else if constexpr (std::is_same_v<T, Table>) return wasm_table_as_extern(x.raw());
          else return wasm_memory_as_extern(x.raw());
        },
        static_cast<const variant&>(*this));
  }
};

}  // namespace api
}  // namespace strata
