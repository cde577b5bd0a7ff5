// API value conversions.
#include "runtime/values.h"

#include "strata/func.h"

namespace strata {

namespace {

Val::Kind absKind(ir::AbsHeap h) {
  switch (h) {
    case ir::AbsHeap::Func:
    case ir::AbsHeap::NoFunc: return Val::Kind::FuncRef;
    case ir::AbsHeap::Extern:
    case ir::AbsHeap::NoExtern: return Val::Kind::ExternRef;
    case ir::AbsHeap::Exn:
    case ir::AbsHeap::NoExn: return Val::Kind::ExnRef;
    default: return Val::Kind::AnyRef;
  }
}

Val::Kind numKind(ir::ValKind k) {
  switch (k) {
    case ir::ValKind::I32: return Val::Kind::I32;
    case ir::ValKind::I64: return Val::Kind::I64;
    case ir::ValKind::F32: return Val::Kind::F32;
    case ir::ValKind::F64: return Val::Kind::F64;
    case ir::ValKind::V128: return Val::Kind::V128;
    case ir::ValKind::Ref:
    case ir::ValKind::Bot: break;
  }
  return Val::Kind::AnyRef;
}

}  // namespace

Val Val::funcref(const Func& f) { return ref(Kind::FuncRef, f.raw()); }

Func Val::funcref() const { return Func::fromRaw(static_cast<vm::VMFuncRef*>(raw_.ref)); }

Val::Kind Val::kindOf(ir::ValType t) {
  if (!t.isRef()) return numKind(t.kind);
  return t.heap.isAbstract() ? absKind(t.heap.absKind()) : Kind::FuncRef;
}

Val Val::defaultFor(ir::ValType t) {
  Val v(kindOf(t));
  return v;
}

Val Val::fromRaw(ir::ValType t, vm::RawVal raw) {
  Val v(kindOf(t));
  v.raw_ = raw;
  return v;
}

namespace runtime {

Val::Kind valKind(const TypeRegistry& types, ir::ValType t) {
  if (!t.isRef() || t.heap.isAbstract()) return Val::kindOf(t);
  return types.type(t.heap.typeIndex()).kind == ir::CompKind::Func ? Val::Kind::FuncRef : Val::Kind::AnyRef;
}

Val toVal(const TypeRegistry& types, ir::ValType t, vm::RawVal raw) {
  Val::Kind k = valKind(types, t);
  if (k >= Val::Kind::FuncRef) return Val::ref(k, raw.ref);
  Val v = Val::fromRaw(t, raw);
  return v;
}

bool valMatches(const TypeRegistry& types, const Val& v, ir::ValType t) {
  if (v.kind() != valKind(types, t)) return false;
  if (!v.isRef()) return true;
  if (v.isNull()) return t.nullable;
  if (v.kind() == Val::Kind::FuncRef && t.heap.isIndex()) {
    return types.isSubtype(v.funcref().raw()->type_id, t.heap.typeIndex());
  }
  // Bottom types hold only null.
  if (t.heap.isAbstract()) {
    auto h = t.heap.absKind();
    if (h == ir::AbsHeap::NoFunc || h == ir::AbsHeap::NoExtern || h == ir::AbsHeap::NoExn || h == ir::AbsHeap::None) {
      return false;
    }
  }
  return true;
}

bool checkVals(const TypeRegistry& types, std::span<const Val> vals, std::span<const ir::ValType> want) {
  if (vals.size() != want.size()) return false;
  for (size_t i = 0; i < vals.size(); ++i) {
    if (!valMatches(types, vals[i], want[i])) return false;
  }
  return true;
}

}  // namespace runtime

}  // namespace strata
