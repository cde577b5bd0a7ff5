// The bytecode builder's non-control visitors: numeric rows (generated handlers), constants,
// locals, globals, select, calls, memory, tables and references.
#include <algorithm>
#include <bit>

#include "interp/atomics.h"
#include "interp/builder.h"
#include "interp/pairs.h"
#include "interp/rows.h"

namespace strata::interp {

using ir::Opcode;

namespace {

MemKind memKind(Opcode op) {
  switch (op) {
    case Opcode::I32Load: return MemKind::I32U;
    case Opcode::I64Load: return MemKind::I64;
    case Opcode::F32Load: return MemKind::I32U;
    case Opcode::F64Load: return MemKind::I64;
    case Opcode::I32Load8S: return MemKind::I8S;
    case Opcode::I32Load8U: return MemKind::I8U;
    case Opcode::I32Load16S: return MemKind::I16S;
    case Opcode::I32Load16U: return MemKind::I16U;
    case Opcode::I64Load8S: return MemKind::I8S;
    case Opcode::I64Load8U: return MemKind::I8U;
    case Opcode::I64Load16S: return MemKind::I16S;
    case Opcode::I64Load16U: return MemKind::I16U;
    case Opcode::I64Load32S: return MemKind::I32S;
    case Opcode::I64Load32U: return MemKind::I32U;
    case Opcode::I32Store: return MemKind::S32;
    case Opcode::I64Store: return MemKind::S64;
    case Opcode::F32Store: return MemKind::S32;
    case Opcode::F64Store: return MemKind::S64;
    case Opcode::I32Store8: return MemKind::S8;
    case Opcode::I32Store16: return MemKind::S16;
    case Opcode::I64Store8: return MemKind::S8;
    case Opcode::I64Store16: return MemKind::S16;
    case Opcode::I64Store32: return MemKind::S32;
    case Opcode::V128Load: return MemKind::V128;
    case Opcode::V128Load8x8S: return MemKind::V8x8S;
    case Opcode::V128Load8x8U: return MemKind::V8x8U;
    case Opcode::V128Load16x4S: return MemKind::V16x4S;
    case Opcode::V128Load16x4U: return MemKind::V16x4U;
    case Opcode::V128Load32x2S: return MemKind::V32x2S;
    case Opcode::V128Load32x2U: return MemKind::V32x2U;
    case Opcode::V128Load8Splat: return MemKind::Splat8;
    case Opcode::V128Load16Splat: return MemKind::Splat16;
    case Opcode::V128Load32Splat: return MemKind::Splat32;
    case Opcode::V128Load64Splat: return MemKind::Splat64;
    case Opcode::V128Load32Zero: return MemKind::Zero32;
    case Opcode::V128Load64Zero: return MemKind::Zero64;
    case Opcode::V128Store: return MemKind::S128;
    case Opcode::V128Load8Lane: return MemKind::LoadLane8;
    case Opcode::V128Load16Lane: return MemKind::LoadLane16;
    case Opcode::V128Load32Lane: return MemKind::LoadLane32;
    case Opcode::V128Load64Lane: return MemKind::LoadLane64;
    case Opcode::V128Store8Lane: return MemKind::StoreLane8;
    case Opcode::V128Store16Lane: return MemKind::StoreLane16;
    case Opcode::V128Store32Lane: return MemKind::StoreLane32;
    default: return MemKind::StoreLane64;
  }
}

bool isStore(MemKind k) { return (k >= MemKind::S8 && k <= MemKind::SI64) || k >= MemKind::StoreLane8; }

}  // namespace

MemMode Builder::memMode(uint32_t mem) const {
  if (mem64(mem)) return MemMode::W;
  // Guard pages catch accesses past the committed pages; a memory whose pages are smaller than
  // the host's (custom-page-sizes) can end inside one, so it needs explicit checks.
  bool host_pages = module_.memories[mem].type.page_size_log2 >= 16;
  if (mem == 0 && host_pages && mc_.options.bounds == vm::BoundsChecks::GuardPages) return MemMode::G;
  return MemMode::E;
}

void Builder::setLast(uint32_t at, Slot dst) {
  last_.valid = true;
  last_.at = at;
  last_.dst_at = at + 8;
  last_.dst = dst;
}

void Builder::visitNumeric(const decode::Instr& in) {
  const RowInfo& r = row(in.op);
  size_t n = r.params.size();
  Entry ops[3];
  for (size_t i = n; i-- > 0;) ops[i] = pop();
  Form form = hasForm(in.op, Form::Imm) && ops[1].kind == Kind::Const && ops[0].kind != Kind::Const ? Form::Imm
                                                                                                     : Form::Plain;
  uint64_t imm = form == Form::Imm ? ops[1].c[0] : 0;
  // i32.shl by a constant just before an i32.add of a constant to its result: an access can
  // compute both (MemMode::S).
  const GenDesc prev = last_.gen;
  bool scaled = in.op == Opcode::I32Add && form == Form::Imm && last_.valid && prev.valid && prev.at == last_.at &&
                prev.op == Opcode::I32Shl && prev.form == Form::Imm && ops[0].kind == Kind::Home &&
                ops[0].home == last_.dst;
  // i32.eqz of the instruction just emitted: a branch on it can test that instruction instead.
  GenDesc inner;
  if (in.op == Opcode::I32Eqz && ops[0].kind == Kind::Home && last_.valid && last_.dst == ops[0].home &&
      fusesWithBranch())
    inner = last_.gen;
  Entry res = pushHome(r.results[0] == 'v');
  if (n == 2 && emitPair(in, form, ops, imm, res.home)) return;
  // Unsigned division by a constant that is not a power of two (LLVM already turned those into
  // shifts and masks): two multiplications instead of a divide (numeric.h).
  if ((in.op == Opcode::I32DivU || in.op == Opcode::I32RemU) && form == Form::Imm && uint32_t(imm) >= 2 &&
      !std::has_single_bit(uint32_t(imm))) {
    uint32_t d = uint32_t(imm);
    OpDivConst o{res.home, use(ops[0]), d, numeric::divConstMagic(d)};
    setLast(emit(in.op == Opcode::I32DivU ? H::I32DivUConst : H::I32RemUConst, o), res.home);
    return;
  }
  Slot slots[3] = {0, 0, 0};
  if (form == Form::Imm) {
    slots[0] = use(ops[0]);
  } else {
    for (size_t i = 0; i < n; ++i) slots[i] = use(ops[i]);
  }
  uint32_t lane = in.lane;
  const void* tail = form == Form::Imm ? static_cast<const void*>(&imm)
                     : r.imm == ir::Imm::Shuffle ? static_cast<const void*>(in.v128.data())
                                                 : static_cast<const void*>(&lane);
  uint32_t at = emitGen(in.op, form, res.home, slots, tail);
  if (mc_.options.nan_canonicalization && ir::canonicalizesNan(in.op)) {
    emit(r.results == "f" ? H::CanonF32 : H::CanonF64, OpSlot{res.home});
    return;
  }
  setLast(at, res.home);
  if (r.imm == ir::Imm::None && allScalar(r.params) && n <= 2)
    last_.gen = GenDesc{true, at, in.op, form, slots[0], slots[1], imm};
  last_.inner = inner;
  if (in.op == Opcode::I32Add && form == Form::Plain) last_.addr = {true, slots[0], slots[1], 0};
  if (in.op == Opcode::I32Add && form == Form::Imm) last_.addr = {true, slots[0], 0, 0, true, uint32_t(imm)};
  if (scaled) last_.addr = {true, prev.a, 0, uint32_t(prev.imm & 31), true, uint32_t(imm), true, prev.at};
  if (in.op == Opcode::I32Add)
    incr_ = Incr{true, form == Form::Plain, at, pos(), res.home, slots[0], form == Form::Imm ? uint32_t(imm) : slots[1]};
}

bool Builder::emitPair(const decode::Instr& in, Form form, Entry* ops, uint64_t imm, Slot dst) {
  if (!last_.valid || !last_.gen.valid) return false;
  int pos = -1;
  for (int p = 0; p < (form == Form::Imm ? 1 : 2); ++p)
    if (ops[p].kind == Kind::Home && ops[p].home == last_.dst) pos = p;
  if (pos < 0) return false;
  const GenDesc g = last_.gen;
  int index = findPair(g.op, g.form, in.op, form, pos);
  if (index < 0) return false;
  rewind(g.at);
  // The other operand: an immediate, or a slot (a constant there is below the first op's
  // operands, so writing it to its home cannot overwrite them).
  Slot other = form == Form::Imm ? 0 : use(ops[1 - pos]);
  const PairInfo& p = kPairs[index];
  PairLayout l = pairLayout(p);
  uint32_t at = begin(tables_.pair[index]);
  code_.resize(at + l.size);
  patch<Slot>(at + l.dst, dst);
  patch<Slot>(at + l.a, g.a);
  if (g.form == Form::Imm) std::memcpy(code_.data() + at + l.b, &g.imm, letterBytes(row(g.op).params[1]));
  else patch<Slot>(at + l.b, g.b);
  if (form == Form::Imm) std::memcpy(code_.data() + at + l.c, &imm, letterBytes(row(in.op).params[1]));
  else patch<Slot>(at + l.c, other);
  setLast(at, dst);
  if (g.op == Opcode::I32Shl && g.form == Form::Imm && in.op == Opcode::I32Add && form == Form::Plain)
    last_.addr = {true, other, g.a, uint32_t(g.imm & 31)};
  return true;
}

void Builder::visitConst(const decode::Instr& in) {
  Entry e;
  e.kind = Kind::Const;
  switch (in.op) {
    case Opcode::I32Const: e.c[0] = uint32_t(in.i32); break;
    case Opcode::I64Const: e.c[0] = uint64_t(in.i64); break;
    case Opcode::F32Const: e.c[0] = in.f32_bits; break;
    case Opcode::F64Const: e.c[0] = in.f64_bits; break;
    case Opcode::V128Const:
      e.wide = true;
      std::memcpy(e.c, in.v128.data(), 16);
      break;
    default: break;  // ref.null: the null reference is 0
  }
  push(e);
}

void Builder::visitLocal(const decode::Instr& in) {
  Slot ls = localSlot(in.idx);
  bool wide = isWide(local_types_[in.idx]);
  if (in.op == Opcode::LocalGet) {
    Entry e;
    e.kind = Kind::Local;
    e.wide = wide;
    e.slot = ls;
    push(e);
    return;
  }
  Entry v = pop();
  bool patched = false;
  if (v.kind == Kind::Home && last_.valid && last_.dst == v.home && !aliases(ls)) {
    // The instruction that computed the value writes the local directly.
    patch<Slot>(last_.dst_at, ls);
    if (incr_.valid && incr_.at == last_.at) incr_.dst = ls;
    closeWindow();
    patched = true;
  } else {
    materializeLocal(ls);
    moveTo(ls, v);
  }
  if (in.op == Opcode::LocalTee) {
    if (v.kind == Kind::Const || (v.kind == Kind::Home && !patched)) {
      push(v);
    } else {
      Entry e;
      e.kind = Kind::Local;
      e.wide = wide;
      e.slot = ls;
      push(e);
    }
  }
}

void Builder::visitGlobal(const decode::Instr& in) {
  bool wide = isWide(module_.globals[in.idx].type.type);
  if (in.op == Opcode::GlobalGet) {
    Entry r = pushHome(wide);
    setLast(emit(wide ? H::GlobalGet128 : H::GlobalGet64, OpGlobal{r.home, in.idx}), r.home);
    return;
  }
  Entry v = pop();
  emit(wide ? H::GlobalSet128 : H::GlobalSet64, OpGlobal{use(v), in.idx});
}

void Builder::visitSelect(const decode::Instr& in, const validate::InstrContext& c) {
  Entry cond = pop();
  Entry b = pop();
  Entry a = pop();
  Slot sc = use(cond), sb = use(b), sa = use(a);
  Entry r = pushHome(a.wide);
  setLast(emit(a.wide ? H::Select128 : H::Select64, OpSelect{r.home, sa, sb, sc}), r.home);
}

// --- calls (spec 4.4.8) ------------------------------------------------------------------------

void Builder::visitCall(const decode::Instr& in) {
  uint32_t type_index = 0;
  if (in.op == Opcode::Call || in.op == Opcode::ReturnCall) type_index = module_.functions[in.idx].type_index;
  else type_index = in.idx;  // call_indirect, call_ref and their tail forms name the type
  const ir::FuncType& ft = module_.types[type_index].func;
  const SigInfo* sig = &(*mc_.sigs)[type_index];
  bool tail = in.op == Opcode::ReturnCall || in.op == Opcode::ReturnCallIndirect || in.op == Opcode::ReturnCallRef;
  // The callee operand (table index or reference) is above the arguments; keep it in its home,
  // which no argument move can reach.
  Entry callee_val;
  bool has_callee_val = in.op != Opcode::Call && in.op != Opcode::ReturnCall;
  // A safepoint (builder_gc.cc): what stays below the arguments is live across the call; the
  // arguments are the callee's (its parameters, or the RawVals of a host call). A tail call
  // leaves nothing of this frame but its arguments.
  size_t n = ft.params.size();
  liveRefs(tail ? stack_.size() : n + has_callee_val);
  if (has_callee_val) {
    callee_val = pop();
    materialize(callee_val);
  }
  Slot args = 0;
  if (tail) {
    moveToBase(n);
  } else {
    materializeTop(n);
    args = n ? stack_[stack_.size() - n].home : homeAt(stack_.size());
  }
  bool import = (in.op == Opcode::Call || in.op == Opcode::ReturnCall) && in.idx < module_.num_imported_functions;
  // The last argument moves of a plain call travel in the call (one dispatch less per call).
  OpMove2 mv{};
  bool moves = !tail && !import && in.op != Opcode::CallRef && takeMoves(mv) > 0;
  switch (in.op) {
    case Opcode::Call:
    case Opcode::ReturnCall: {
      if (import) {
        addSite(emit(tail ? H::ReturnCallImport : H::CallImport, OpCallImport{sig, in.idx, args}), sig, args);
        break;
      }
      const FuncCode* f = &(*mc_.funcs)[in.idx - module_.num_imported_functions];
      // Always interpreted: the callee's frame holds the arguments. A direct tail call
      // replaces this frame before anything can collect: no site.
      if (moves) addSite(emit(H::CallM, OpCallM{f, args, mv.dst1, mv.src1, mv.dst2, mv.src2}));
      else if (!tail) addSite(emit(H::Call, OpCall{f, args}));
      else emit(H::ReturnCall, OpCall{f, args});
      break;
    }
    case Opcode::CallIndirect:
    case Opcode::ReturnCallIndirect: {
      uint32_t is64 = table64(in.idx2);
      uint32_t at = 0;
      if (moves)
        at = emit(H::CallIndirectM, OpCallIndirectM{sig, callee_val.slot, args, in.idx2, in.idx, is64, mv.dst1,
                                                    mv.src1, mv.dst2, mv.src2});
      else
        at = emit(tail ? H::ReturnCallIndirect : H::CallIndirect,
                  OpCallIndirect{sig, callee_val.slot, args, in.idx2, in.idx, is64});
      addSite(at, sig, args);
      break;
    }
    default:  // call_ref, return_call_ref
      addSite(emit(tail ? H::ReturnCallRef : H::CallRef, OpCallRef{sig, callee_val.slot, args}), sig, args);
      break;
  }
  if (tail) return enterDead();
  stack_.resize(stack_.size() - n);
  for (const ir::ValType& t : ft.results) pushHome(isWide(t));
}

// --- memory (spec 4.4.7) -----------------------------------------------------------------------

void Builder::visitMemory(const decode::Instr& in) {
  MemKind k = memKind(in.op);
  MemMode m = memMode(in.mem.memory);
  Slot val = 0;
  bool store = isStore(k);
  uint64_t value = 0;
  if (store) {
    Entry v = pop();
    // A constant stored needs no slot: the SI kinds carry it.
    if (v.kind == Kind::Const && k >= MemKind::S8 && k <= MemKind::S64) {
      k = MemKind(unsigned(MemKind::SI8) + (unsigned(k) - unsigned(MemKind::S8)));
      value = v.c[0];
    } else {
      val = use(v);
    }
  }
  bool imm = k >= MemKind::SI8 && k <= MemKind::SI64;
  Entry addr = pop();
  // The address was just computed by base + (index << shift): compute it in the access.
  Last::Addr x;
  if (m == MemMode::G && addr.kind == Kind::Home && last_.valid && last_.addr.valid && last_.dst == addr.home) {
    x = last_.addr;
    rewind(x.scaled ? x.from : last_.at);
  }
  // A constant address (static data): the effective address is an immediate.
  bool absolute = m == MemMode::G && addr.kind == Kind::Const;
  uint64_t ea = uint32_t(addr.c[0]) + in.mem.offset;  // below 2^33: inside the guard region
  Slot a = absolute ? 0 : use(addr);
  if (!store) val = pushHome(k >= MemKind::V128 && k <= MemKind::Zero64).home;
  MemMode mode = !x.valid ? (absolute ? MemMode::A : m) : x.scaled ? MemMode::S : x.konst ? MemMode::K : MemMode::X;
  H h = memHandler(k, mode);
  uint32_t off32 = uint32_t(in.mem.offset);
  uint32_t at = 0;
  if (imm) {
    if (mode == MemMode::X) emit(h, OpMemImmX{x.base, x.index, x.shift, off32, value});
    else if (mode == MemMode::K) emit(h, OpMemImmK{x.base, x.k, off32, 0, value});
    else if (mode == MemMode::S) emit(h, OpMemImmS{x.base, x.shift, x.k, off32, value});
    else if (mode == MemMode::A) emit(h, OpMemImmA{ea, value});
    else if (mode == MemMode::G) emit(h, OpMemImmG{a, off32, value});
    else emit(h, OpMemImmE{a, in.mem.memory, in.mem.offset, value});
    return;
  }
  if (mode == MemMode::X) at = emit(h, OpMemX{val, x.base, x.index, x.shift, off32});
  else if (mode == MemMode::K) at = emit(h, OpMemK{val, x.base, x.k, off32});
  else if (mode == MemMode::S) at = emit(h, OpMemS{val, x.base, x.shift, x.k, off32});
  else if (mode == MemMode::A) at = emit(h, OpMemA{val, 0, ea});
  else if (mode == MemMode::G) at = emit(h, OpMemG{val, a, off32});
  else at = emit(h, OpMemE{val, a, in.mem.memory, 0, in.mem.offset});
  if (!store) setLast(at, val);
}

void Builder::visitLane(const decode::Instr& in) {
  MemKind k = memKind(in.op);
  MemMode m = memMode(in.mem.memory);
  H h = memHandler(k, m);
  Entry vec = pop();
  Entry addr = pop();
  Slot sv = use(vec), sa = use(addr);
  Slot dst = isStore(k) ? 0 : pushHome(true).home;
  if (m == MemMode::G) emit(h, OpLaneG{dst, sa, sv, in.lane, uint32_t(in.mem.offset)});
  else emit(h, OpLaneE{dst, sa, sv, in.lane, in.mem.memory, 0, in.mem.offset});
}

void Builder::popThree(OpBulk& o) {
  Entry n = pop(), x = pop(), d = pop();
  o.a = use(d);
  o.b = use(x);
  o.c = use(n);
}

void Builder::visitMemoryMisc(const decode::Instr& in) {
  OpBulk o{};
  switch (in.op) {
    case Opcode::MemorySize:
      o.idx = in.idx;
      o.idx2 = module_.memories[in.idx].type.page_size_log2;
      o.dst = pushHome(false).home;
      emit(H::MemorySize, o);
      return;
    case Opcode::MemoryGrow: {
      Entry delta = pop();
      o.a = use(delta);
      o.idx = in.idx;
      o.flags = mem64(in.idx);
      o.dst = pushHome(false).home;
      emit(H::MemoryGrow, o);
      return;
    }
    case Opcode::DataDrop:
      o.idx = in.idx;
      emit(H::DataDrop, o);
      return;
    default: break;
  }
  popThree(o);  // fill, copy, init: (d, x, n)
  o.idx = in.idx;
  o.idx2 = in.idx2;
  if (in.op == Opcode::MemoryFill) {
    o.flags = mem64(in.idx);
    emit(H::MemoryFill, o);
  } else if (in.op == Opcode::MemoryCopy) {
    // memory64: n is i64 only when both memories are 64-bit.
    bool d64 = mem64(in.idx), s64 = mem64(in.idx2);
    o.flags = uint32_t(d64) | uint32_t(s64) << 1 | uint32_t(d64 && s64) << 2;
    emit(H::MemoryCopy, o);
  } else {  // memory.init: idx = data segment, idx2 = memory
    o.flags = mem64(in.idx2);
    emit(H::MemoryInit, o);
  }
}

// --- tables (spec 4.4.6) -----------------------------------------------------------------------

void Builder::visitTable(const decode::Instr& in) {
  OpBulk o{};
  o.idx = in.idx;
  o.idx2 = in.idx2;
  switch (in.op) {
    case Opcode::TableGet: {
      Entry i = pop();
      o.a = use(i);
      o.flags = table64(in.idx);
      o.dst = pushHome(false).home;
      emit(H::TableGet, o);
      return;
    }
    case Opcode::TableSet: {
      Entry v = pop(), i = pop();
      o.a = use(i);
      o.b = use(v);
      o.flags = table64(in.idx);
      emit(H::TableSet, o);
      return;
    }
    case Opcode::TableSize:
      o.flags = table64(in.idx);
      o.dst = pushHome(false).home;
      emit(H::TableSize, o);
      return;
    case Opcode::TableGrow: {
      Entry delta = pop(), init = pop();
      o.a = use(init);
      o.b = use(delta);
      o.flags = table64(in.idx);
      o.dst = pushHome(false).home;
      emit(H::TableGrow, o);
      return;
    }
    case Opcode::ElemDrop: emit(H::ElemDrop, o); return;
    default: break;
  }
  popThree(o);  // fill, copy, init: (d, x, n)
  if (in.op == Opcode::TableFill) {
    o.flags = table64(in.idx);
    emit(H::TableFill, o);
  } else if (in.op == Opcode::TableCopy) {
    bool d64 = table64(in.idx), s64 = table64(in.idx2);
    o.flags = uint32_t(d64) | uint32_t(s64) << 1 | uint32_t(d64 && s64) << 2;
    emit(H::TableCopy, o);
  } else {  // table.init: idx = element segment, idx2 = table
    o.flags = table64(in.idx2);
    emit(H::TableInit, o);
  }
}

void Builder::visitRef(const decode::Instr& in) {
  if (in.op == Opcode::RefFunc) {
    Slot dst = pushHome(false).home;
    emit(H::RefFunc, OpIndex{dst, 0, in.idx});
    return;
  }
  if (in.op == Opcode::RefAsNonNull) {
    emit(H::RefAsNonNull, OpIndex{0, use(top()), 0});
    return;
  }
  Entry v = pop();  // ref.is_null
  Slot src = use(v);
  Slot dst = pushHome(false).home;
  setLast(emit(H::RefIsNull, OpIndex{dst, src, 0}), dst);
}

// Wide arithmetic: (a_lo a_hi b_lo b_hi) or (a b) -> (lo hi).
void Builder::visitWide(const decode::Instr& in) {
  bool mul = in.op == Opcode::I64MulWideS || in.op == Opcode::I64MulWideU;
  size_t n = mul ? 2 : 4;
  Entry ops[4];
  for (size_t i = n; i-- > 0;) ops[i] = pop();
  Slot s[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < n; ++i) s[i] = use(ops[i]);
  Slot lo = pushHome(false).home;
  Slot hi = pushHome(false).home;
  H h = in.op == Opcode::I64Add128 ? H::I64Add128
        : in.op == Opcode::I64Sub128 ? H::I64Sub128
        : in.op == Opcode::I64MulWideS ? H::I64MulWideS
                                       : H::I64MulWideU;
  emit(h, OpWide{lo, hi, s[0], s[1], s[2], s[3]});
}

// Threads proposal (atomics.h): operands (address, value/expected/count, replacement/timeout).
void Builder::visitAtomic(const decode::Instr& in) {
  const RowInfo& r = row(in.op);
  OpAtomic o{};
  if (in.op != Opcode::AtomicFence) {
    Entry ops[3];
    size_t n = r.params.size();
    for (size_t i = n; i-- > 0;) ops[i] = pop();
    o.addr = use(ops[0]);
    if (n > 1) o.a = use(ops[1]);
    if (n > 2) o.b = use(ops[2]);
    o.mem = in.mem.memory;
    o.offset = in.mem.offset;
    const ir::Limits& limits = module_.memories[in.mem.memory].type.limits;
    o.flags = uint32_t(limits.is64) | uint32_t(limits.shared) << 1;
    if (!r.results.empty()) o.dst = pushHome(false).home;
  }
  begin(tables_.atomic[unsigned(in.op)]);
  append(&o, sizeof o);
}

}  // namespace strata::interp
