// Typing of calls, table and bulk-memory instructions, references and exception handling
// (spec 3.3.5-3.3.9 and the exception-handling additions of 3.0).
#include "validate/instr_checker.h"

namespace strata::validate {

using ir::AbsHeap;
using ir::HeapType;
using ir::Opcode;
using ir::ValType;

// [dst src n] of table.copy/memory.copy: with memory64/table64 the length n has the narrower
// of the two address types (spec 3.3.x).
Result<void> InstrChecker::popCopyOperands(ValType dst, ValType src) {
  bool narrow = dst.kind == ir::ValKind::I32 || src.kind == ir::ValKind::I32;
  STRATA_TRY(pop(narrow ? ValType::i32() : ValType::i64()));
  STRATA_TRY(pop(src));
  STRATA_TRY(pop(dst));
  return {};
}

// [dst offset n] of table.init/memory.init: segment offset and length are always i32.
Result<void> InstrChecker::popInitOperands(ValType dst) {
  STRATA_TRY(pop(ValType::i32()));
  STRATA_TRY(pop(ValType::i32()));
  STRATA_TRY(pop(dst));
  return {};
}

// --- calls ---------------------------------------------------------------------------------

Result<void> InstrChecker::checkReturnTypes(const ir::FuncType& callee) {
  // spec 3.3.8.x (tail calls): the callee's results must be returnable by the caller.
  if (!func_type_ || !types_.isSubtype(std::span(callee.results), std::span(func_type_->results)))
    return mismatch();
  return {};
}

Result<void> InstrChecker::checkCall(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  const ir::FuncType* ft = nullptr;
  switch (in.op) {
    case Opcode::Call:
    case Opcode::ReturnCall:
      if (in.idx >= m.functions.size()) return unknown("function", in.idx);
      ft = &m.funcType(in.idx);
      break;
    case Opcode::CallIndirect:
    case Opcode::ReturnCallIndirect: {
      if (in.idx2 >= m.tables.size()) return unknown("table", in.idx2);
      if (!types_.isFunc(in.idx)) return unknown("type", in.idx);
      // spec 3.3.8.x: the table must hold function references.
      if (!types_.isSubtype(m.tables[in.idx2].type.elem, ValType::funcref())) return mismatch();
      ft = &types_.type(in.idx).func;
      STRATA_TRY(pop(env_.tableAddr(in.idx2)));
      break;
    }
    default: {  // CallRef, ReturnCallRef
      // return_call_ref belongs to both typed function references and tail calls; the decoder
      // gates it on the former only.
      if (in.op == Opcode::ReturnCallRef && !env_.features.has(ir::Feature::TailCall))
        return malformed(offset_, "illegal opcode 15");
      if (!types_.isFunc(in.idx)) return unknown("type", in.idx);
      ft = &types_.type(in.idx).func;
      STRATA_TRY(pop(ValType::ref(HeapType::index(in.idx), true)));
      break;
    }
  }
  STRATA_CHECK(popAll(std::span(ft->params)));
  if (in.op == Opcode::ReturnCall || in.op == Opcode::ReturnCallIndirect || in.op == Opcode::ReturnCallRef) {
    STRATA_CHECK(checkReturnTypes(*ft));
    setUnreachable();
    return {};
  }
  pushAll(std::span(ft->results));
  return {};
}

// --- tables and bulk memory ----------------------------------------------------------------

Result<void> InstrChecker::checkTable(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  if (in.idx >= m.tables.size()) return unknown("table", in.idx);
  ValType elem = m.tables[in.idx].type.elem;
  ValType at = env_.tableAddr(in.idx);
  switch (in.op) {
    case Opcode::TableGet:
      STRATA_TRY(pop(at));
      push(elem);
      return {};
    case Opcode::TableSet:
      STRATA_TRY(pop(elem));
      STRATA_TRY(pop(at));
      return {};
    case Opcode::TableSize: push(at); return {};
    case Opcode::TableGrow:
      STRATA_TRY(pop(at));
      STRATA_TRY(pop(elem));
      push(at);
      return {};
    default:  // TableFill
      STRATA_TRY(pop(at));
      STRATA_TRY(pop(elem));
      STRATA_TRY(pop(at));
      return {};
  }
}

Result<void> InstrChecker::checkBulk(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  switch (in.op) {
    case Opcode::TableCopy: {  // idx = destination, idx2 = source
      if (in.idx >= m.tables.size()) return unknown("table", in.idx);
      if (in.idx2 >= m.tables.size()) return unknown("table", in.idx2);
      if (!types_.isSubtype(m.tables[in.idx2].type.elem, m.tables[in.idx].type.elem)) return mismatch();
      return popCopyOperands(env_.tableAddr(in.idx), env_.tableAddr(in.idx2));
    }
    case Opcode::TableInit: {  // idx = elem segment, idx2 = table
      if (in.idx2 >= m.tables.size()) return unknown("table", in.idx2);
      STRATA_CHECK(checkElemIndex(in.idx));
      if (!types_.isSubtype(m.elems[in.idx].type, m.tables[in.idx2].type.elem)) return mismatch();
      return popInitOperands(env_.tableAddr(in.idx2));
    }
    case Opcode::MemoryInit: {  // idx = data segment, idx2 = memory
      if (in.idx2 >= m.memories.size()) return unknown("memory", in.idx2);
      STRATA_CHECK(checkDataIndex(in.idx));
      return popInitOperands(env_.memoryAddr(in.idx2));
    }
    default: {  // MemoryCopy: idx = destination, idx2 = source
      if (in.idx >= m.memories.size()) return unknown("memory", in.idx);
      if (in.idx2 >= m.memories.size()) return unknown("memory", in.idx2);
      return popCopyOperands(env_.memoryAddr(in.idx), env_.memoryAddr(in.idx2));
    }
  }
}

// --- references ----------------------------------------------------------------------------

Result<void> InstrChecker::checkRef(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  switch (in.op) {
    case Opcode::RefNull:
      if (!types_.valid(in.heap)) return fail("unknown type");
      push(ValType::ref(in.heap, true));
      return {};
    case Opcode::RefIsNull:
      STRATA_TRY(popRef());
      push(ValType::i32());
      return {};
    case Opcode::RefFunc:
      if (in.idx >= m.functions.size()) return unknown("function", in.idx);
      // spec 3.4.x: bodies may only take references to functions declared in C.refs.
      if (!const_expr_ && !env_.declared_funcs[in.idx]) return fail("undeclared function reference");
      push(ValType::ref(HeapType::index(m.functions[in.idx].type_index), false));
      return {};
    case Opcode::RefEq: {
      ValType eq = ValType::ref(HeapType::abs(AbsHeap::Eq), true);
      STRATA_TRY(pop(eq));
      STRATA_TRY(pop(eq));
      push(ValType::i32());
      return {};
    }
    case Opcode::RefAsNonNull: {
      ValType t = STRATA_TRY(popRef());
      push(ValType::ref(t.heap, false));
      return {};
    }
    case Opcode::RefI31:
      STRATA_TRY(pop(ValType::i32()));
      push(ValType::ref(HeapType::abs(AbsHeap::I31), false));
      return {};
    case Opcode::I31GetS:
    case Opcode::I31GetU:
      STRATA_TRY(pop(ValType::ref(HeapType::abs(AbsHeap::I31), true)));
      push(ValType::i32());
      return {};
    default: {  // AnyConvertExtern, ExternConvertAny: nullability carries over (spec 3.3.x)
      bool to_any = in.op == Opcode::AnyConvertExtern;
      HeapType from = HeapType::abs(to_any ? AbsHeap::Extern : AbsHeap::Any);
      ValType t = STRATA_TRY(pop(ValType::ref(from, true)));
      bool nullable = t.kind == ir::ValKind::Bot || t.nullable;
      push(ValType::ref(HeapType::abs(to_any ? AbsHeap::Any : AbsHeap::Extern), nullable));
      return {};
    }
  }
}

Result<void> InstrChecker::checkRefBranch(const decode::Instr& in) {
  const ControlFrame* f = STRATA_TRY(label(in.idx));
  std::span<const ValType> ts = f->labelTypes();
  ValType r = STRATA_TRY(popRef());
  if (in.op == Opcode::BrOnNull) {
    // [t* (ref null ht)] -> [t* (ref ht)], branching with t* on null.
    STRATA_CHECK(popAll(ts));
    pushAll(ts);
    push(ValType::ref(r.heap, false));
    return {};
  }
  // br_on_non_null: the label takes [t* (ref ht)]; falls through with t* on null.
  if (ts.empty() || !ts.back().isRef()) return mismatch();
  push(ValType::ref(r.heap, false));
  STRATA_CHECK(popAll(ts));
  pushAll(ts.first(ts.size() - 1));
  return {};
}

// --- exceptions ----------------------------------------------------------------------------

Result<void> InstrChecker::checkException(const decode::Instr& in, const decode::InstrReader& r) {
  const ir::Module& m = *env_.module;
  ValType exnref = ValType::ref(HeapType::abs(AbsHeap::Exn), false);
  if (in.op == Opcode::Throw) {
    if (in.idx >= m.tags.size()) return unknown("tag", in.idx);
    STRATA_CHECK(popAll(std::span(types_.type(m.tags[in.idx].type.type_index).func.params)));
    setUnreachable();
    return {};
  }
  if (in.op == Opcode::ThrowRef) {
    STRATA_TRY(pop(ValType::exnref()));
    setUnreachable();
    return {};
  }
  // try_table: catch clauses are checked against labels outside the new block (spec 3.3.8.x).
  BlockSig sig = STRATA_TRY(blockSig(in.block));
  for (const decode::CatchClause& c : r.catches()) {
    const ControlFrame* f = STRATA_TRY(label(c.label));
    std::vector<ValType> sent;
    bool with_tag = c.kind == decode::CatchClause::Kind::Catch || c.kind == decode::CatchClause::Kind::CatchRef;
    if (with_tag) {
      if (c.tag >= m.tags.size()) return unknown("tag", c.tag);
      const ir::FuncType& tag = types_.type(m.tags[c.tag].type.type_index).func;
      sent = tag.params;
    }
    if (c.kind == decode::CatchClause::Kind::CatchRef || c.kind == decode::CatchClause::Kind::CatchAllRef)
      sent.push_back(exnref);
    if (!types_.isSubtype(std::span<const ValType>(sent), f->labelTypes())) return mismatch();
  }
  STRATA_CHECK(popAll(sig.paramTypes()));
  pushFrame(FrameKind::TryTable, sig);
  return {};
}

// Legacy exception handling (try/catch/catch_all/delegate/rethrow), still emitted by toolchains.
Result<void> InstrChecker::checkLegacyException(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  FrameKind kind = ctrls_.back().kind;
  switch (in.op) {
    case Opcode::Catch:
    case Opcode::CatchAll: {
      if (kind != FrameKind::Try && kind != FrameKind::Catch) return malformed(offset_, "catch without try");
      if (in.op == Opcode::Catch && in.idx >= m.tags.size()) return unknown("tag", in.idx);
      ControlFrame f = STRATA_TRY(popFrame());
      BlockSig sig = f.sig;
      if (in.op == Opcode::Catch) {
        const ir::FuncType& tag = types_.type(m.tags[in.idx].type.type_index).func;
        sig.params = tag.params.data();
        sig.num_params = uint32_t(tag.params.size());
      } else {
        sig.params = nullptr;
        sig.num_params = 0;
      }
      pushFrame(in.op == Opcode::Catch ? FrameKind::Catch : FrameKind::CatchAll, sig);
      return {};
    }
    case Opcode::Delegate: {
      if (kind != FrameKind::Try) return malformed(offset_, "delegate without try");
      ControlFrame f = STRATA_TRY(popFrame());
      // The label is counted from outside the try block.
      if (ctrls_.empty()) return fail("unknown label");
      STRATA_TRY(label(in.idx));
      pushAll(f.sig.resultTypes());
      return {};
    }
    default: {  // Rethrow
      const ControlFrame* f = STRATA_TRY(label(in.idx));
      if (f->kind != FrameKind::Catch && f->kind != FrameKind::CatchAll) return fail("invalid rethrow label");
      setUnreachable();
      return {};
    }
  }
}

}  // namespace strata::validate
