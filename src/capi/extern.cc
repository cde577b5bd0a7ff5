// Globals, tables, memories, externs and instances (wasm.h).
#include <limits>

#include "capi/capi_impl.h"

using namespace strata::capi;

namespace strata::capi {

wasm_extern_t* newExtern(wasm_store_t* store, const Extern& ext) {
  switch (ext.kind()) {
    case ExternKind::Func: return new wasm_func_t(store, *ext.as<Func>());
    case ExternKind::Global: return new wasm_global_t(store, *ext.as<Global>());
    case ExternKind::Table: return new wasm_table_t(store, *ext.as<Table>());
    case ExternKind::Memory: return new wasm_memory_t(store, *ext.as<Memory>());
    case ExternKind::Tag: return nullptr;
  }
  return nullptr;
}

}  // namespace strata::capi

namespace {

wasm_table_size_t clampSize(uint64_t n) { return wasm_table_size_t(std::min<uint64_t>(n, std::numeric_limits<wasm_table_size_t>::max())); }

strata::ExternType externTypeOf(const wasm_extern_t* e) {
  strata::ExternType t;
  t.kind = e->ext.kind();
  switch (t.kind) {
    case strata::ExternKind::Func: t.func = e->ext.as<strata::Func>()->type(e->store->store); break;
    case strata::ExternKind::Global: t.global = e->ext.as<strata::Global>()->type(); break;
    case strata::ExternKind::Table: t.table = e->ext.as<strata::Table>()->type(); break;
    case strata::ExternKind::Memory: t.memory = e->ext.as<strata::Memory>()->type(); break;
    case strata::ExternKind::Tag: break;
  }
  return t;
}

}  // namespace

extern "C" {

// ---- globals ----

wasm_global_t* wasm_global_new(wasm_store_t* store, const wasm_globaltype_t* type, const wasm_val_t* init) {
  strata::GlobalType gt{toValType(type->content.kind), type->mut == WASM_VAR};
  auto value = toVal(store, *init, gt.type);
  if (!value) return nullptr;
  auto global = strata::Global::create(store->store, gt, *value);
  return global ? new wasm_global_t(store, *global) : nullptr;
}

wasm_globaltype_t* wasm_global_type(const wasm_global_t* global) {
  return static_cast<wasm_globaltype_t*>(newExternType(externTypeOf(global)));
}

void wasm_global_get(const wasm_global_t* global, wasm_val_t* out) {
  *out = fromVal(global->store, global->get().get(global->store->store));
}

// wasm.h gives no way to report an error: setting an immutable global or a value of the wrong
// type leaves the global unchanged.
void wasm_global_set(wasm_global_t* global, const wasm_val_t* value) {
  auto v = toVal(global->store, *value, global->get().type().type);
  if (v) (void)global->get().set(global->store->store, *v);
}

// ---- tables ----

wasm_table_t* wasm_table_new(wasm_store_t* store, const wasm_tabletype_t* type, wasm_ref_t* init) {
  strata::TableType tt;
  tt.elem = toValType(type->element.kind);
  tt.limits = toLimits(type->limits);
  auto value = refToVal(store, init, tt.elem);
  if (!value) return nullptr;
  auto table = strata::Table::create(store->store, tt, *value);
  return table ? new wasm_table_t(store, *table) : nullptr;
}

wasm_tabletype_t* wasm_table_type(const wasm_table_t* table) {
  return static_cast<wasm_tabletype_t*>(newExternType(externTypeOf(table)));
}

wasm_ref_t* wasm_table_get(const wasm_table_t* table, wasm_table_size_t index) {
  auto v = table->get().get(table->store->store, index);
  if (!v) return nullptr;
  return fromVal(table->store, *v).of.ref;
}

bool wasm_table_set(wasm_table_t* table, wasm_table_size_t index, wasm_ref_t* ref) {
  auto v = refToVal(table->store, ref, table->get().type().elem);
  return v && table->get().set(table->store->store, index, *v).has_value();
}

wasm_table_size_t wasm_table_size(const wasm_table_t* table) { return clampSize(table->get().size()); }

bool wasm_table_grow(wasm_table_t* table, wasm_table_size_t delta, wasm_ref_t* init) {
  auto v = refToVal(table->store, init, table->get().type().elem);
  return v && table->get().grow(table->store->store, delta, *v).has_value();
}

// ---- memories ----

wasm_memory_t* wasm_memory_new(wasm_store_t* store, const wasm_memorytype_t* type) {
  strata::MemoryType mt;
  mt.limits = toLimits(type->limits);
  auto memory = strata::Memory::create(store->store, mt);
  return memory ? new wasm_memory_t(store, *memory) : nullptr;
}

wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* memory) {
  return static_cast<wasm_memorytype_t*>(newExternType(externTypeOf(memory)));
}

byte_t* wasm_memory_data(wasm_memory_t* memory) { return reinterpret_cast<byte_t*>(memory->get().data()); }
size_t wasm_memory_data_size(const wasm_memory_t* memory) { return memory->get().dataSize(); }
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* memory) { return clampSize(memory->get().size()); }

bool wasm_memory_grow(wasm_memory_t* memory, wasm_memory_pages_t delta) {
  return memory->get().grow(memory->store->store, delta).has_value();
}

// ---- externs ----

wasm_externkind_t wasm_extern_kind(const wasm_extern_t* e) {
  switch (e->ext.kind()) {
    case strata::ExternKind::Func: return WASM_EXTERN_FUNC;
    case strata::ExternKind::Global: return WASM_EXTERN_GLOBAL;
    case strata::ExternKind::Table: return WASM_EXTERN_TABLE;
    case strata::ExternKind::Memory:
    case strata::ExternKind::Tag: break;
  }
  return WASM_EXTERN_MEMORY;
}

wasm_externtype_t* wasm_extern_type(const wasm_extern_t* e) { return newExternType(externTypeOf(e)); }

}  // extern "C"

STRATA_VIEWS(extern, func, b->kind == RefKind::Func)
STRATA_VIEWS(extern, global, b->kind == RefKind::Global)
STRATA_VIEWS(extern, table, b->kind == RefKind::Table)
STRATA_VIEWS(extern, memory, b->kind == RefKind::Memory)

extern "C" {

// ---- instances ----

wasm_instance_t* wasm_instance_new(wasm_store_t* store, const wasm_module_t* module, const wasm_extern_vec_t* imports,
                                   wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  std::vector<strata::Extern> externs;
  size_t n = imports ? imports->size : 0;
  for (size_t i = 0; i < n; ++i) {
    if (!imports->data[i]) {
      if (trap) *trap = newTrap(store, strata::Trap::host("unknown import: import " + std::to_string(i) + " is null"));
      return nullptr;
    }
    externs.push_back(imports->data[i]->ext);
  }
  strata::Trap start_trap;
  auto instance = strata::Instance::create(store->store, module->data->module, externs, &start_trap);
  if (!instance) {
    // A trap (the start function's, or a segment that does not fit) keeps its kind and frames;
    // link errors become host traps with the error's message.
    if (trap) {
      bool trapped = instance.error().kind == strata::ErrorKind::Trap;
      *trap = newTrap(store, trapped ? std::move(start_trap) : strata::Trap::host(instance.error().message));
    }
    return nullptr;
  }
  return new wasm_instance_t(store, *instance);
}

void wasm_instance_exports(const wasm_instance_t* instance, wasm_extern_vec_t* out) {
  std::vector<wasm_extern_t*> list;
  for (const auto& [name, ext] : instance->instance.exports())
    if (wasm_extern_t* e = newExtern(instance->store, ext)) list.push_back(e);
  wasm_extern_vec_new(out, list.size(), list.data());
}

}  // extern "C"
