// Typing of the GC instructions: structs, arrays, casts and br_on_cast (spec 3.3.x, 3.0 GC).
#include "validate/instr_checker.h"

#include <algorithm>

namespace strata::validate {

using ir::AbsHeap;
using ir::HeapType;
using ir::Opcode;
using ir::ValType;

namespace {

bool isNumOrVec(const ir::StorageType& s) {
  return s.packed != ir::Packed::None || !s.type.isRef();
}

}  // namespace

Result<const ir::StructType*> InstrChecker::structType(uint32_t index) const {
  if (index >= types_.size()) return unknown("type", index);
  if (!types_.isStruct(index)) return mismatch();
  return &types_.type(index).strct;
}

Result<const ir::ArrayType*> InstrChecker::arrayType(uint32_t index) const {
  if (index >= types_.size()) return unknown("type", index);
  if (!types_.isArray(index)) return mismatch();
  return &types_.type(index).array;
}

Result<void> InstrChecker::checkStruct(const decode::Instr& in) {
  const ir::StructType* st = STRATA_TRY(structType(in.idx));
  ValType ref = ValType::ref(HeapType::index(in.idx), true);
  switch (in.op) {
    case Opcode::StructNew:
      for (size_t i = st->fields.size(); i-- > 0;) STRATA_TRY(pop(TypeContext::unpacked(st->fields[i].storage)));
      push(ValType::ref(HeapType::index(in.idx), false));
      return {};
    case Opcode::StructNewDefault:
      for (const ir::FieldType& f : st->fields)
        if (f.storage.packed == ir::Packed::None && !TypeContext::defaultable(f.storage.type)) return mismatch();
      push(ValType::ref(HeapType::index(in.idx), false));
      return {};
    default: break;
  }
  if (in.idx2 >= st->fields.size()) return fail("unknown field");
  const ir::FieldType& f = st->fields[in.idx2];
  ValType value = TypeContext::unpacked(f.storage);
  if (in.op == Opcode::StructSet) {
    if (!f.mut) return fail("immutable field");
    STRATA_TRY(pop(value));
    STRATA_TRY(pop(ref));
    return {};
  }
  // spec 3.3.x: plain get reads unpacked fields, get_s/get_u exactly the packed ones.
  bool packed = f.storage.packed != ir::Packed::None;
  if (packed != (in.op != Opcode::StructGet)) return mismatch();
  STRATA_TRY(pop(ref));
  push(value);
  return {};
}

Result<void> InstrChecker::checkArray(const decode::Instr& in) {
  if (in.op == Opcode::ArrayLen) {
    STRATA_TRY(pop(ValType::ref(HeapType::abs(AbsHeap::Array), true)));
    push(ValType::i32());
    return {};
  }
  const ir::ArrayType* at = STRATA_TRY(arrayType(in.idx));
  ValType elem = TypeContext::unpacked(at->field.storage);
  ValType ref = ValType::ref(HeapType::index(in.idx), true);
  ValType result = ValType::ref(HeapType::index(in.idx), false);
  switch (in.op) {
    case Opcode::ArrayNew:
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(elem));
      push(result);
      return {};
    case Opcode::ArrayNewDefault:
      if (at->field.storage.packed == ir::Packed::None && !TypeContext::defaultable(elem)) return mismatch();
      STRATA_TRY(pop(ValType::i32()));
      push(result);
      return {};
    case Opcode::ArrayNewFixed: {
      // Only the operands actually on the stack are popped one by one, so a huge count in dead
      // code costs nothing (the rest are bottom values).
      uint64_t avail = vals_.size() - ctrls_.back().height;
      if (in.idx2 > avail && !ctrls_.back().unreachable) return mismatch();
      for (uint64_t i = 0; i < std::min<uint64_t>(in.idx2, avail); ++i) STRATA_TRY(pop(elem));
      push(result);
      return {};
    }
    case Opcode::ArraySet:
      if (!at->field.mut) return fail("immutable array");
      STRATA_TRY(pop(elem));
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(ref));
      return {};
    default: {  // ArrayGet, ArrayGetS, ArrayGetU
      bool packed = at->field.storage.packed != ir::Packed::None;
      if (packed != (in.op != Opcode::ArrayGet)) return mismatch();
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(ref));
      push(elem);
      return {};
    }
  }
}

Result<void> InstrChecker::checkArrayBulk(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  const ir::ArrayType* at = STRATA_TRY(arrayType(in.idx));
  ValType elem = TypeContext::unpacked(at->field.storage);
  ValType ref = ValType::ref(HeapType::index(in.idx), true);
  bool creates = in.op == Opcode::ArrayNewData || in.op == Opcode::ArrayNewElem;
  if (!creates && !at->field.mut) return fail("immutable array");
  switch (in.op) {
    case Opcode::ArrayNewData:
    case Opcode::ArrayInitData:
      // spec 3.3.x: data bytes can only initialise numeric or vector elements.
      if (!isNumOrVec(at->field.storage)) return fail("array type is not numeric or vector");
      STRATA_CHECK(checkDataIndex(in.idx2));
      break;
    case Opcode::ArrayNewElem:
    case Opcode::ArrayInitElem:
      STRATA_CHECK(checkElemIndex(in.idx2));
      if (at->field.storage.packed != ir::Packed::None || !types_.isSubtype(m.elems[in.idx2].type, elem))
        return mismatch();
      break;
    case Opcode::ArrayCopy: {  // idx = destination type, idx2 = source type
      const ir::ArrayType* src = STRATA_TRY(arrayType(in.idx2));
      if (!types_.isSubtype(src->field.storage, at->field.storage)) return fail("array types do not match");
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(ValType::ref(HeapType::index(in.idx2), true)));
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(ref));
      return {};
    }
    default: {  // ArrayFill
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(elem));
      STRATA_TRY(pop(ValType::i32()));
      STRATA_TRY(pop(ref));
      return {};
    }
  }
  STRATA_TRY(pop(ValType::i32()));
  STRATA_TRY(pop(ValType::i32()));
  if (creates) {
    push(ValType::ref(HeapType::index(in.idx), false));
    return {};
  }
  STRATA_TRY(pop(ValType::i32()));
  STRATA_TRY(pop(ref));
  return {};
}

Result<void> InstrChecker::checkCast(const decode::Instr& in) {
  if (!types_.valid(in.heap)) return fail("unknown type");
  bool nullable = in.op == Opcode::RefTestNull || in.op == Opcode::RefCastNull;
  // spec 3.3.x: the operand may be any reference of the target's hierarchy.
  STRATA_TRY(pop(ValType::ref(types_.top(in.heap), true)));
  if (in.op == Opcode::RefTest || in.op == Opcode::RefTestNull) push(ValType::i32());
  else push(ValType::ref(in.heap, nullable));
  return {};
}

Result<void> InstrChecker::checkBrOnCast(const decode::Instr& in) {
  if (!types_.valid(in.heap) || !types_.valid(in.heap2)) return fail("unknown type");
  ValType rt1 = ValType::ref(in.heap, in.null1);
  ValType rt2 = ValType::ref(in.heap2, in.null2);
  // spec 3.3.x: the cast target must lie below the operand type.
  if (!types_.isSubtype(rt2, rt1)) return mismatch();
  const ControlFrame* f = STRATA_TRY(label(in.idx));
  std::span<const ValType> ts = f->labelTypes();
  if (ts.empty()) return mismatch();
  // rt1 minus rt2: what fails the cast (non-null when the cast admitted null).
  ValType diff = ValType::ref(in.heap, in.null1 && !in.null2);
  bool on_fail = in.op == Opcode::BrOnCastFail;
  STRATA_TRY(pop(rt1));
  push(on_fail ? diff : rt2);
  STRATA_CHECK(popAll(ts));
  pushAll(ts.first(ts.size() - 1));
  push(on_fail ? rt2 : diff);
  return {};
}

}  // namespace strata::validate
