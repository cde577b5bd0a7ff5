// The C++ API's types: errors, value kinds, and function, global, table, memory, import and export types.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "strata/detail.hh"

namespace strata {
inline namespace api {

// What went wrong outside a wasm call: a module that does not decode or validate, bad text, a
// WASI setup that fails. Traps are Trap values (strata/trap.hh).
struct Error {
  std::string message;
};

template <class T = void>
using Result = std::expected<T, Error>;

// wasm.h's value kinds plus Strata's (strata.h); values of V128, AnyRef and ExnRef cannot cross
// the API.
enum class ValKind : uint8_t {
  I32 = WASM_I32,
  I64 = WASM_I64,
  F32 = WASM_F32,
  F64 = WASM_F64,
  V128 = STRATA_VALKIND_V128,
  ExternRef = WASM_EXTERNREF,
  FuncRef = WASM_FUNCREF,
  AnyRef = STRATA_VALKIND_ANYREF,
  ExnRef = STRATA_VALKIND_EXNREF,
};

struct FuncType {
  std::vector<ValKind> params;
  std::vector<ValKind> results;
  friend bool operator==(const FuncType&, const FuncType&) = default;
};

// Sizes in pages (memories) or elements (tables); no maximum when unset.
struct Limits {
  uint32_t min = 0;
  std::optional<uint32_t> max;
  friend bool operator==(const Limits&, const Limits&) = default;
};

struct MemoryType {
  Limits limits;
  friend bool operator==(const MemoryType&, const MemoryType&) = default;
};

struct TableType {
  ValKind element = ValKind::FuncRef;
  Limits limits;
  friend bool operator==(const TableType&, const TableType&) = default;
};

struct GlobalType {
  ValKind content = ValKind::I32;
  bool is_mutable = false;
  friend bool operator==(const GlobalType&, const GlobalType&) = default;
};

// In wasm.h's order of extern kinds: function, global, table, memory.
using ExternType = std::variant<FuncType, GlobalType, TableType, MemoryType>;

struct ImportType {
  std::string module;
  std::string name;
  ExternType type;
};

struct ExportType {
  std::string name;
  ExternType type;
};

namespace detail {

using ValTypeVec = OutVec<wasm_valtype_vec_t, wasm_valtype_vec_delete>;

inline std::vector<ValKind> fromC(const wasm_valtype_vec_t& types) {
  std::vector<ValKind> out;
  for (size_t i = 0; i < types.size; ++i) out.push_back(ValKind(wasm_valtype_kind(types.data[i])));
  return out;
}

inline void toC(const std::vector<ValKind>& kinds, wasm_valtype_vec_t* out) {
  wasm_valtype_vec_new_uninitialized(out, kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) out->data[i] = wasm_valtype_new(wasm_valkind_t(kinds[i]));
}

inline Limits fromC(const wasm_limits_t& l) {
  Limits out{l.min, std::nullopt};
  if (l.max != wasm_limits_max_default) out.max = l.max;
  return out;
}

inline wasm_limits_t toC(const Limits& l) { return {l.min, l.max.value_or(wasm_limits_max_default)}; }

inline FuncType fromC(const wasm_functype_t* t) {
  return {fromC(*wasm_functype_params(t)), fromC(*wasm_functype_results(t))};
}

using FuncTypeHandle = Owned<wasm_functype_t, wasm_functype_delete>;
inline FuncTypeHandle toC(const FuncType& t) {
  wasm_valtype_vec_t params, results;
  toC(t.params, &params);
  toC(t.results, &results);
  return FuncTypeHandle(wasm_functype_new(&params, &results));
}

inline GlobalType fromC(const wasm_globaltype_t* t) {
  return {ValKind(wasm_valtype_kind(wasm_globaltype_content(t))), wasm_globaltype_mutability(t) == WASM_VAR};
}

inline TableType fromC(const wasm_tabletype_t* t) {
  return {ValKind(wasm_valtype_kind(wasm_tabletype_element(t))), fromC(*wasm_tabletype_limits(t))};
}

inline MemoryType fromC(const wasm_memorytype_t* t) { return {fromC(*wasm_memorytype_limits(t))}; }

inline ExternType fromC(const wasm_externtype_t* t) {
  switch (wasm_externtype_kind(t)) {
    case WASM_EXTERN_FUNC: return fromC(wasm_externtype_as_functype_const(t));
    case WASM_EXTERN_GLOBAL: return fromC(wasm_externtype_as_globaltype_const(t));
    case WASM_EXTERN_TABLE: return fromC(wasm_externtype_as_tabletype_const(t));
    default: return fromC(wasm_externtype_as_memorytype_const(t));
  }
}

}  // namespace detail
}  // namespace api
}  // namespace strata
