// wasm.h's type objects (valtype, functype, globaltype, tabletype, memorytype, externtype,
// importtype, exporttype) and their conversions to and from the runtime's types.
#include <cstring>

#include "capi/capi_impl.h"
#include "strata.h"

namespace strata::capi {

ValType toValType(wasm_valkind_t kind) {
  switch (kind) {
    case WASM_I32: return ValType::i32();
    case WASM_I64: return ValType::i64();
    case WASM_F32: return ValType::f32();
    case WASM_F64: return ValType::f64();
    case STRATA_VALKIND_V128: return ValType::v128();
    case WASM_FUNCREF: return ValType::funcref();
    case STRATA_VALKIND_ANYREF: return ValType::ref(ir::HeapType::abs(ir::AbsHeap::Any), true);
    case STRATA_VALKIND_EXNREF: return ValType::exnref();
    default: return ValType::externref();
  }
}

wasm_valkind_t toValKind(ValType type) {
  switch (type.kind) {
    case ir::ValKind::I32: return WASM_I32;
    case ir::ValKind::I64: return WASM_I64;
    case ir::ValKind::F32: return WASM_F32;
    case ir::ValKind::F64: return WASM_F64;
    case ir::ValKind::V128: return STRATA_VALKIND_V128;
    case ir::ValKind::Ref:
    case ir::ValKind::Bot: break;
  }
  // Concrete type indices in API types are canonical function types (see strata/types.h):
  // this C API has only function types' references to show for them.
  if (type.heap.isIndex()) return WASM_FUNCREF;
  switch (type.heap.absKind()) {
    case ir::AbsHeap::Func:
    case ir::AbsHeap::NoFunc: return WASM_FUNCREF;
    case ir::AbsHeap::Extern:
    case ir::AbsHeap::NoExtern: return WASM_EXTERNREF;
    case ir::AbsHeap::Exn:
    case ir::AbsHeap::NoExn: return STRATA_VALKIND_EXNREF;
    case ir::AbsHeap::Any:
    case ir::AbsHeap::Eq:
    case ir::AbsHeap::I31:
    case ir::AbsHeap::Struct:
    case ir::AbsHeap::Array:
    case ir::AbsHeap::None: return STRATA_VALKIND_ANYREF;
  }
  return WASM_EXTERNREF;
}

namespace {

void newValTypeVec(wasm_valtype_vec_t* out, const std::vector<ValType>& types) {
  wasm_valtype_vec_new_uninitialized(out, types.size());
  for (size_t i = 0; i < types.size(); ++i) out->data[i] = wasm_valtype_new(toValKind(types[i]));
}

std::vector<ValType> toValTypes(const wasm_valtype_vec_t& vec) {
  std::vector<ValType> out;
  for (size_t i = 0; i < vec.size; ++i) out.push_back(toValType(vec.data[i]->kind));
  return out;
}

}  // namespace

FuncType toFuncType(const wasm_functype_t* type) { return FuncType{toValTypes(type->params), toValTypes(type->results)}; }

wasm_functype_t* newFuncType(const FuncType& type) {
  wasm_valtype_vec_t params, results;
  newValTypeVec(&params, type.params);
  newValTypeVec(&results, type.results);
  return new wasm_functype_t(params, results);
}

ir::Limits toLimits(const wasm_limits_t& limits) {
  ir::Limits out;
  out.min = limits.min;
  if (limits.max != wasm_limits_max_default) out.max = limits.max;
  return out;
}

// 64-bit limits (memory64, table64) beyond 32 bits are shown as the largest 32-bit value.
wasm_limits_t toCLimits(const ir::Limits& limits) {
  auto clamp = [](uint64_t v) { return uint32_t(std::min<uint64_t>(v, UINT32_MAX)); };
  return wasm_limits_t{clamp(limits.min), limits.max ? clamp(*limits.max) : wasm_limits_max_default};
}

wasm_externtype_t* newExternType(const ExternType& type) {
  switch (type.kind) {
    case ExternKind::Func: return newFuncType(type.func);
    case ExternKind::Global:
      return new wasm_globaltype_t(wasm_valtype_t{toValKind(type.global.type)}, type.global.mut ? WASM_VAR : WASM_CONST);
    case ExternKind::Table: return new wasm_tabletype_t(wasm_valtype_t{toValKind(type.table.elem)}, toCLimits(type.table.limits));
    case ExternKind::Memory: return new wasm_memorytype_t(toCLimits(type.memory.limits));
    case ExternKind::Tag: return nullptr;
  }
  return nullptr;
}

std::string toString(const wasm_byte_vec_t* bytes) {
  if (!bytes || !bytes->data) return {};
  return std::string(bytes->data, bytes->size);
}

void newName(wasm_name_t* out, std::string_view text) { wasm_byte_vec_new(out, text.size(), text.data()); }

void newMessage(wasm_message_t* out, std::string_view text) {
  wasm_byte_vec_new_uninitialized(out, text.size() + 1);
  std::memcpy(out->data, text.data(), text.size());
  out->data[text.size()] = '\0';
}

}  // namespace strata::capi

using namespace strata::capi;

wasm_functype_t::~wasm_functype_t() {
  wasm_valtype_vec_delete(&params);
  wasm_valtype_vec_delete(&results);
}

wasm_externtype_t* wasm_functype_t::clone() const {
  wasm_valtype_vec_t p, r;
  wasm_valtype_vec_copy(&p, &params);
  wasm_valtype_vec_copy(&r, &results);
  return new wasm_functype_t(p, r);
}

extern "C" {

// ---- valtype ----

wasm_valtype_t* wasm_valtype_new(wasm_valkind_t kind) { return new wasm_valtype_t{kind}; }
void wasm_valtype_delete(wasm_valtype_t* t) { delete t; }
wasm_valtype_t* wasm_valtype_copy(const wasm_valtype_t* t) { return new wasm_valtype_t(*t); }
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* t) { return t->kind; }

// ---- functype ----

wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params, wasm_valtype_vec_t* results) {
  auto* t = new wasm_functype_t(*params, *results);
  // The type took the vectors' contents.
  wasm_valtype_vec_new_empty(params);
  wasm_valtype_vec_new_empty(results);
  return t;
}
void wasm_functype_delete(wasm_functype_t* t) { delete t; }
wasm_functype_t* wasm_functype_copy(const wasm_functype_t* t) { return static_cast<wasm_functype_t*>(t->clone()); }
const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* t) { return &t->params; }
const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* t) { return &t->results; }

// ---- globaltype ----

wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content, wasm_mutability_t mut) {
  auto* t = new wasm_globaltype_t(*content, mut);
  delete content;
  return t;
}
void wasm_globaltype_delete(wasm_globaltype_t* t) { delete t; }
wasm_globaltype_t* wasm_globaltype_copy(const wasm_globaltype_t* t) { return new wasm_globaltype_t(*t); }
const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* t) { return &t->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* t) { return t->mut; }

// ---- tabletype ----

wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* element, const wasm_limits_t* limits) {
  auto* t = new wasm_tabletype_t(*element, *limits);
  delete element;
  return t;
}
void wasm_tabletype_delete(wasm_tabletype_t* t) { delete t; }
wasm_tabletype_t* wasm_tabletype_copy(const wasm_tabletype_t* t) { return new wasm_tabletype_t(*t); }
const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* t) { return &t->element; }
const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* t) { return &t->limits; }

// ---- memorytype ----

wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits) { return new wasm_memorytype_t(*limits); }
void wasm_memorytype_delete(wasm_memorytype_t* t) { delete t; }
wasm_memorytype_t* wasm_memorytype_copy(const wasm_memorytype_t* t) { return new wasm_memorytype_t(*t); }
const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* t) { return &t->limits; }

// ---- externtype ----

void wasm_externtype_delete(wasm_externtype_t* t) { delete t; }
wasm_externtype_t* wasm_externtype_copy(const wasm_externtype_t* t) { return t->clone(); }
wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* t) { return t->kind; }

}  // extern "C"

STRATA_VIEWS(externtype, functype, b->kind == WASM_EXTERN_FUNC)
STRATA_VIEWS(externtype, globaltype, b->kind == WASM_EXTERN_GLOBAL)
STRATA_VIEWS(externtype, tabletype, b->kind == WASM_EXTERN_TABLE)
STRATA_VIEWS(externtype, memorytype, b->kind == WASM_EXTERN_MEMORY)

extern "C" {

// ---- importtype / exporttype: they take the names and the type they are given ----

wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name, wasm_externtype_t* type) {
  auto* t = new wasm_importtype_t{*module, *name, type};
  wasm_name_new_empty(module);
  wasm_name_new_empty(name);
  return t;
}
void wasm_importtype_delete(wasm_importtype_t* t) {
  if (!t) return;
  wasm_name_delete(&t->module);
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  delete t;
}
wasm_importtype_t* wasm_importtype_copy(const wasm_importtype_t* t) {
  auto* c = new wasm_importtype_t{};
  wasm_name_copy(&c->module, &t->module);
  wasm_name_copy(&c->name, &t->name);
  c->type = t->type->clone();
  return c;
}
const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* t) { return &t->module; }
const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* t) { return t->type; }

wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name, wasm_externtype_t* type) {
  auto* t = new wasm_exporttype_t{*name, type};
  wasm_name_new_empty(name);
  return t;
}
void wasm_exporttype_delete(wasm_exporttype_t* t) {
  if (!t) return;
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  delete t;
}
wasm_exporttype_t* wasm_exporttype_copy(const wasm_exporttype_t* t) {
  auto* c = new wasm_exporttype_t{};
  wasm_name_copy(&c->name, &t->name);
  c->type = t->type->clone();
  return c;
}
const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* t) { return t->type; }

}  // extern "C"
