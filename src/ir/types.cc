// Text rendering of types, in the text format's spelling (spec 6.4), for messages and objdump.
#include "ir/types.h"

#include <fmt/core.h>

namespace strata::ir {

std::string toString(HeapType h) {
  if (h.isIndex()) return fmt::format("{}", h.typeIndex());
  switch (h.absKind()) {
    case AbsHeap::Exn: return "exn";
    case AbsHeap::Array: return "array";
    case AbsHeap::Struct: return "struct";
    case AbsHeap::I31: return "i31";
    case AbsHeap::Eq: return "eq";
    case AbsHeap::Any: return "any";
    case AbsHeap::Extern: return "extern";
    case AbsHeap::Func: return "func";
    case AbsHeap::None: return "none";
    case AbsHeap::NoExtern: return "noextern";
    case AbsHeap::NoFunc: return "nofunc";
    case AbsHeap::NoExn: return "noexn";
  }
  return "?";
}

std::string toString(ValType t) {
  switch (t.kind) {
    case ValKind::I32: return "i32";
    case ValKind::I64: return "i64";
    case ValKind::F32: return "f32";
    case ValKind::F64: return "f64";
    case ValKind::V128: return "v128";
    case ValKind::Bot: return "bot";
    case ValKind::Ref:
      if (t.nullable && t.heap.isAbstract()) return toString(t.heap) + "ref";
      return fmt::format("(ref {}{})", t.nullable ? "null " : "", toString(t.heap));
  }
  return "?";
}

const char* externKindName(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

}  // namespace strata::ir
