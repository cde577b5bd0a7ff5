// The C API's objects: what each opaque wasm.h type is, on top of the C++ API (include/strata).
//
// Reference objects (func, global, table, memory, extern, instance, module, foreign, trap) are
// handles: deleting one never destroys what it refers to. Store-bound things (functions,
// globals, tables, memories, instances, foreign objects) live until their store dies, as in the
// C++ API, so their identity is the runtime object's address and their host info sits in the
// store, keyed by that address: every handle of one object sees the same info, and finalizers
// run when the store is deleted. Modules and traps are values that may outlive their handles'
// copies, so they carry their host info in data shared by every copy and finalize it with the
// last one.
//
// wasm.h's class relations become C++ inheritance: wasm_func_t is a wasm_extern_t is a
// wasm_ref_t, and wasm_functype_t is a wasm_externtype_t, so the _as_ref/_as_extern views are
// casts of the same object, as the standard requires.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "strata/strata.h"
// wasm.h defines `own` as an empty marker: included after the C++ headers so it cannot meet
// an identifier of theirs.
#include "wasm.h"

namespace strata::capi {

// Host info of one object; the finalizer runs when the object dies.
struct HostInfo {
  void* info = nullptr;
  void (*finalizer)(void*) = nullptr;
  HostInfo() = default;
  HostInfo(const HostInfo&) = delete;
  HostInfo& operator=(const HostInfo&) = delete;
  ~HostInfo() {
    if (finalizer) finalizer(info);
  }
};

enum class RefKind : uint8_t { Func, Global, Table, Memory, Instance, Module, Foreign, Trap };

// A store's record of one object the C API has seen: its host info and, once the object has
// been passed to wasm as an externref, a handle to it (the externref's value is this entry's
// address, so wasm hands back something the store can turn into a handle again).
struct ObjectEntry {
  HostInfo info;
  std::unique_ptr<wasm_ref_t> anchor;
};

// The identity of a foreign object (wasm_foreign_new); also what an externref the C API did
// not create (none today) would be reported as.
struct ForeignObj {
  uint64_t unused = 0;
};

struct ModuleData {
  ModuleData(Module m, std::vector<uint8_t> b) : module(std::move(m)), binary(std::move(b)) {}
  Module module;
  std::vector<uint8_t> binary;  // kept for wasm_module_serialize and wasm_module_share
  HostInfo info;
};

struct TrapData {
  Trap trap;
  HostInfo info;
};

}  // namespace strata::capi

struct wasm_config_t {
  strata::Config config;
};

struct wasm_engine_t {
  strata::Engine engine;
};

struct wasm_store_t {
  explicit wasm_store_t(const strata::Engine& engine) : store(engine) {}
  ~wasm_store_t();
  // The entry of an object (created when `create`), or null.
  strata::capi::ObjectEntry* entry(const void* identity, bool create);
  // The externref value that stands for `ref` in wasm (see ObjectEntry).
  void* externrefFor(const wasm_ref_t* ref);
  // The handle an externref value from wasm stands for (null for the null reference).
  wasm_ref_t* refForExternref(void* raw);

  // Destroyed after `entries` (declared first): finalizers of host info may still look at the
  // store's objects, and host functions' environments are finalized by the store itself.
  strata::Store store;
  std::vector<std::unique_ptr<strata::capi::ForeignObj>> foreigns;
  std::unordered_map<const void*, std::unique_ptr<strata::capi::ObjectEntry>> entries;
  std::unordered_map<const void*, const strata::capi::ObjectEntry*> by_anchor;
};

struct wasm_ref_t {
  wasm_ref_t(strata::capi::RefKind k, wasm_store_t* s) : kind(k), store(s) {}
  virtual ~wasm_ref_t() = default;
  virtual wasm_ref_t* clone() const = 0;
  // Equal for every handle of the same object.
  virtual const void* identity() const = 0;
  // Where the object's host info lives (null when absent and !create).
  virtual strata::capi::HostInfo* hostInfo(bool create) const {
    auto* e = store->entry(identity(), create);
    return e ? &e->info : nullptr;
  }

  strata::capi::RefKind kind;
  wasm_store_t* store;
};

struct wasm_extern_t : wasm_ref_t {
  wasm_extern_t(strata::capi::RefKind k, wasm_store_t* s, strata::Extern e) : wasm_ref_t(k, s), ext(e) {}
  const void* identity() const override;
  strata::Extern ext;
};

namespace strata::capi {

// The handle of one kind of extern: the kind's object in `ext`, and copies of the same type.
template <class Self, class T, RefKind K>
struct ExternHandle : wasm_extern_t {
  ExternHandle(wasm_store_t* s, T value) : wasm_extern_t(K, s, value) {}
  wasm_ref_t* clone() const override { return new Self(store, get()); }
  T get() const { return *ext.as<T>(); }
};

}  // namespace strata::capi

struct wasm_func_t : strata::capi::ExternHandle<wasm_func_t, strata::Func, strata::capi::RefKind::Func> {
  using ExternHandle::ExternHandle;
};
struct wasm_global_t : strata::capi::ExternHandle<wasm_global_t, strata::Global, strata::capi::RefKind::Global> {
  using ExternHandle::ExternHandle;
};
struct wasm_table_t : strata::capi::ExternHandle<wasm_table_t, strata::Table, strata::capi::RefKind::Table> {
  using ExternHandle::ExternHandle;
};
struct wasm_memory_t : strata::capi::ExternHandle<wasm_memory_t, strata::Memory, strata::capi::RefKind::Memory> {
  using ExternHandle::ExternHandle;
};

struct wasm_instance_t : wasm_ref_t {
  wasm_instance_t(wasm_store_t* s, strata::Instance i) : wasm_ref_t(strata::capi::RefKind::Instance, s), instance(i) {}
  wasm_ref_t* clone() const override { return new wasm_instance_t(store, instance); }
  const void* identity() const override { return instance.raw(); }
  strata::Instance instance;
};

struct wasm_module_t : wasm_ref_t {
  wasm_module_t(wasm_store_t* s, std::shared_ptr<strata::capi::ModuleData> d)
      : wasm_ref_t(strata::capi::RefKind::Module, s), data(std::move(d)) {}
  wasm_ref_t* clone() const override { return new wasm_module_t(store, data); }
  const void* identity() const override { return data.get(); }
  strata::capi::HostInfo* hostInfo(bool) const override { return &data->info; }
  std::shared_ptr<strata::capi::ModuleData> data;
};

// What crosses threads: the compiled module and its binary, without any store's host info.
struct wasm_shared_module_t {
  strata::Module module;
  std::vector<uint8_t> binary;
};

struct wasm_foreign_t : wasm_ref_t {
  wasm_foreign_t(wasm_store_t* s, const void* id) : wasm_ref_t(strata::capi::RefKind::Foreign, s), id(id) {}
  wasm_ref_t* clone() const override { return new wasm_foreign_t(store, id); }
  const void* identity() const override { return id; }
  const void* id;
};

struct wasm_trap_t : wasm_ref_t {
  wasm_trap_t(wasm_store_t* s, std::shared_ptr<strata::capi::TrapData> d)
      : wasm_ref_t(strata::capi::RefKind::Trap, s), data(std::move(d)) {}
  wasm_ref_t* clone() const override { return new wasm_trap_t(store, data); }
  const void* identity() const override { return data.get(); }
  strata::capi::HostInfo* hostInfo(bool) const override { return &data->info; }
  std::shared_ptr<strata::capi::TrapData> data;
};

struct wasm_frame_t {
  uint32_t func_index = 0;
  size_t func_offset = 0;
  size_t module_offset = 0;
  // What wasm_frame_instance returns (owned by the frame; null when unknown).
  std::unique_ptr<wasm_instance_t> instance;
};

// ---- Types ----

struct wasm_valtype_t {
  wasm_valkind_t kind;
};

struct wasm_externtype_t {
  explicit wasm_externtype_t(wasm_externkind_t k) : kind(k) {}
  virtual ~wasm_externtype_t() = default;
  virtual wasm_externtype_t* clone() const = 0;
  wasm_externkind_t kind;
};

struct wasm_functype_t : wasm_externtype_t {
  wasm_functype_t(wasm_valtype_vec_t p, wasm_valtype_vec_t r) : wasm_externtype_t(WASM_EXTERN_FUNC), params(p), results(r) {}
  ~wasm_functype_t() override;
  wasm_externtype_t* clone() const override;
  wasm_valtype_vec_t params;
  wasm_valtype_vec_t results;
};

struct wasm_globaltype_t : wasm_externtype_t {
  wasm_globaltype_t(wasm_valtype_t c, wasm_mutability_t m) : wasm_externtype_t(WASM_EXTERN_GLOBAL), content(c), mut(m) {}
  wasm_externtype_t* clone() const override { return new wasm_globaltype_t(*this); }
  wasm_valtype_t content;
  wasm_mutability_t mut;
};

struct wasm_tabletype_t : wasm_externtype_t {
  wasm_tabletype_t(wasm_valtype_t e, wasm_limits_t l) : wasm_externtype_t(WASM_EXTERN_TABLE), element(e), limits(l) {}
  wasm_externtype_t* clone() const override { return new wasm_tabletype_t(*this); }
  wasm_valtype_t element;
  wasm_limits_t limits;
};

struct wasm_memorytype_t : wasm_externtype_t {
  explicit wasm_memorytype_t(wasm_limits_t l) : wasm_externtype_t(WASM_EXTERN_MEMORY), limits(l) {}
  wasm_externtype_t* clone() const override { return new wasm_memorytype_t(*this); }
  wasm_limits_t limits;
};

struct wasm_importtype_t {
  wasm_name_t module;
  wasm_name_t name;
  wasm_externtype_t* type;
};

struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t* type;
};

// wasm.h's views between a derived object and its base (`wasm_func_as_extern`,
// `wasm_extern_as_func`, ...): the same object; the way down is NULL unless `is_kind`, an
// expression over the base object `b`, holds.
#define STRATA_VIEWS(base, name, is_kind)                                                          \
  extern "C" {                                                                                     \
  wasm_##base##_t* wasm_##name##_as_##base(wasm_##name##_t* x) { return x; }                       \
  const wasm_##base##_t* wasm_##name##_as_##base##_const(const wasm_##name##_t* x) { return x; }   \
  wasm_##name##_t* wasm_##base##_as_##name(wasm_##base##_t* b) {                                   \
    return b && (is_kind) ? static_cast<wasm_##name##_t*>(b) : nullptr;                            \
  }                                                                                                \
  const wasm_##name##_t* wasm_##base##_as_##name##_const(const wasm_##base##_t* b) {               \
    return b && (is_kind) ? static_cast<const wasm_##name##_t*>(b) : nullptr;                      \
  }                                                                                                \
  }

namespace strata::capi {

// Kinds wasm.h cannot name (v128, the GC any hierarchy, exnref): see strata.h.
ValType toValType(wasm_valkind_t kind);
wasm_valkind_t toValKind(ValType type);
FuncType toFuncType(const wasm_functype_t* type);
wasm_functype_t* newFuncType(const FuncType& type);
ir::Limits toLimits(const wasm_limits_t& limits);
wasm_limits_t toCLimits(const ir::Limits& limits);
// Null for tags, which wasm.h has no kind for.
wasm_externtype_t* newExternType(const ExternType& type);

std::string toString(const wasm_byte_vec_t* bytes);
void newName(wasm_name_t* out, std::string_view text);
// A NUL-terminated message.
void newMessage(wasm_message_t* out, std::string_view text);

// A value as wasm sees it, for a place of type `type` (reference kinds are taken from the
// type, so either reference kind of wasm_val_t works); an error says what does not fit.
Result<Val> toVal(wasm_store_t* store, const wasm_val_t& value, ValType type);
// An owned wasm_val_t (references become new handles).
wasm_val_t fromVal(wasm_store_t* store, const Val& value);
Result<Val> refToVal(wasm_store_t* store, const wasm_ref_t* ref, ValType type);

wasm_trap_t* newTrap(wasm_store_t* store, Trap trap);
// The handle of an extern of the right concrete type (null for tags).
wasm_extern_t* newExtern(wasm_store_t* store, const Extern& ext);

}  // namespace strata::capi
