// References (wasm.h): identity, copies, host info and the _as_ref views of every reference
// kind; foreign objects; values and their conversion to and from the runtime's Val.
#include <fmt/format.h>

#include "capi/capi_impl.h"
#include "strata.h"

namespace strata::capi {

namespace {

Error mismatch(std::string what) { return Error{ErrorKind::Usage, kNoOffset, "type mismatch: " + std::move(what)}; }

}  // namespace

Result<Val> refToVal(wasm_store_t* store, const wasm_ref_t* ref, ValType type) {
  if (!type.isRef()) return std::unexpected(mismatch("a reference where " + ir::toString(type) + " is expected"));
  Val::Kind kind = Val::kindOf(type);
  if (!ref) return Val::nullRef(kind);
  if (kind == Val::Kind::FuncRef) {
    if (ref->kind != RefKind::Func) return std::unexpected(mismatch("funcref expected, got another reference"));
    return Val::funcref(static_cast<const wasm_func_t*>(ref)->get());
  }
  if (kind == Val::Kind::ExternRef) return Val::externref(ExternRef::fromPointer(store->externrefFor(ref)));
  return std::unexpected(mismatch(ir::toString(type) + " values cannot cross the C API"));
}

Result<Val> toVal(wasm_store_t* store, const wasm_val_t& value, ValType type) {
  if (wasm_valkind_is_ref(value.kind)) return refToVal(store, value.of.ref, type);
  if (toValKind(type) != value.kind)
    return std::unexpected(mismatch(fmt::format("value of kind {} where {} is expected", value.kind, ir::toString(type))));
  switch (value.kind) {
    case WASM_I32: return Val::i32(value.of.i32);
    case WASM_I64: return Val::i64(value.of.i64);
    case WASM_F32: return Val::f32(value.of.f32);
    case WASM_F64: return Val::f64(value.of.f64);
    default: return std::unexpected(mismatch(ir::toString(type) + " values cannot cross the C API"));
  }
}

wasm_val_t fromVal(wasm_store_t* store, const Val& value) {
  wasm_val_t out{};
  switch (value.kind()) {
    case Val::Kind::I32: out.kind = WASM_I32; out.of.i32 = value.i32(); break;
    case Val::Kind::I64: out.kind = WASM_I64; out.of.i64 = value.i64(); break;
    case Val::Kind::F32: out.kind = WASM_F32; out.of.f32 = value.f32(); break;
    case Val::Kind::F64: out.kind = WASM_F64; out.of.f64 = value.f64(); break;
    case Val::Kind::FuncRef:
      out.kind = WASM_FUNCREF;
      out.of.ref = value.isNull() ? nullptr : new wasm_func_t(store, value.funcref());
      break;
    case Val::Kind::ExternRef:
      out.kind = WASM_EXTERNREF;
      out.of.ref = store->refForExternref(value.refRaw());
      break;
    // Not representable (see strata.h): the kind says so and the value is left empty.
    case Val::Kind::V128: out.kind = STRATA_VALKIND_V128; break;
    case Val::Kind::AnyRef: out.kind = STRATA_VALKIND_ANYREF; break;
    case Val::Kind::ExnRef: out.kind = STRATA_VALKIND_EXNREF; break;
  }
  return out;
}

}  // namespace strata::capi

using namespace strata::capi;

const void* wasm_extern_t::identity() const {
  return std::visit([](const auto& e) -> const void* { return e.raw(); }, static_cast<const strata::Extern::variant&>(ext));
}

namespace {

void* getHostInfo(const wasm_ref_t* ref) {
  const HostInfo* info = ref->hostInfo(false);
  return info ? info->info : nullptr;
}

// A new finalizer replaces the old one without running it: the embedder that replaces host
// info owns the old one (as in the reference implementation).
void setHostInfo(wasm_ref_t* ref, void* info, void (*finalizer)(void*)) {
  HostInfo* h = ref->hostInfo(true);
  h->info = info;
  h->finalizer = finalizer;
}

}  // namespace

// The functions every reference kind has (WASM_DECLARE_REF_BASE).
#define STRATA_REF_BASE(name)                                                                      \
  extern "C" {                                                                                     \
  void wasm_##name##_delete(wasm_##name##_t* r) { delete r; }                                      \
  wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t* r) {                                  \
    return r ? static_cast<wasm_##name##_t*>(r->clone()) : nullptr;                                \
  }                                                                                                \
  bool wasm_##name##_same(const wasm_##name##_t* a, const wasm_##name##_t* b) {                    \
    if (!a || !b) return a == b;                                                                   \
    return a->kind == b->kind && a->identity() == b->identity();                                   \
  }                                                                                                \
  void* wasm_##name##_get_host_info(const wasm_##name##_t* r) { return getHostInfo(r); }           \
  void wasm_##name##_set_host_info(wasm_##name##_t* r, void* info) { setHostInfo(r, info, nullptr); } \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t* r, void* info, void (*fin)(void*)) { \
    setHostInfo(r, info, fin);                                                                     \
  }                                                                                                \
  }

// A reference kind with its views as wasm_ref_t.
#define STRATA_REF(name, KIND) \
  STRATA_REF_BASE(name)        \
  STRATA_VIEWS(ref, name, b->kind == RefKind::KIND)

STRATA_REF_BASE(ref)
STRATA_REF(func, Func)
STRATA_REF(global, Global)
STRATA_REF(table, Table)
STRATA_REF(memory, Memory)
STRATA_REF(instance, Instance)
STRATA_REF(module, Module)
STRATA_REF(foreign, Foreign)
STRATA_REF(trap, Trap)

// Externs are references of four kinds (RefKind's first four).
STRATA_REF_BASE(extern)
STRATA_VIEWS(ref, extern, b->kind <= RefKind::Memory)

extern "C" {

wasm_foreign_t* wasm_foreign_new(wasm_store_t* store) {
  store->foreigns.push_back(std::make_unique<ForeignObj>());
  return new wasm_foreign_t(store, store->foreigns.back().get());
}

void wasm_val_delete(wasm_val_t* v) {
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = nullptr;
  }
}

void wasm_val_copy(wasm_val_t* out, const wasm_val_t* in) {
  *out = *in;
  if (wasm_valkind_is_ref(in->kind) && in->of.ref) out->of.ref = in->of.ref->clone();
}

}  // extern "C"
