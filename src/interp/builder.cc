// The bytecode builder's core: frame layout, code emission, the virtual operand stack and the
// opcode dispatch to the visitors (builder_control.cc, builder_ops.cc).
#include "interp/builder.h"

#include <fmt/core.h>

#include <algorithm>

#include "interp/rows.h"

namespace strata::interp {

using ir::Opcode;

namespace {

// Which visitor handles each hand-written row. Rows of proposals the tier does not implement
// yet are Unsupported by their feature; every other row must be generated (rows.h) or listed.
enum class Group : uint8_t {
  None, Unsupported, Control, Branch, Call, Parametric, Local, Global, Const, Memory, Lane, MemoryMisc, Table,
  Ref, Wide, Atomic, Exception, Gc
};

// Every proposal is executed now; a feature added to opcodes.def before the tier implements it
// goes here so its rows compile to "the interpreter does not support ... yet".
constexpr bool unsupportedFeature(ir::Feature) { return false; }

template <Opcode op>
inline constexpr Group kGroup = unsupportedFeature(row(op).feature) ? Group::Unsupported
                                : row(op).feature == ir::Feature::Threads ? Group::Atomic
                                                                          : Group::None;

#define STRATA_INTERP_VISITORS(X)                                                                    \
  X(Unreachable, Control) X(Nop, Control) X(Block, Control) X(Loop, Control) X(If, Control)          \
  X(Else, Control) X(End, Control) X(Return, Control)                                              \
  X(Br, Branch) X(BrIf, Branch) X(BrTable, Branch) X(BrOnNull, Branch) X(BrOnNonNull, Branch)        \
  X(Call, Call) X(CallIndirect, Call) X(ReturnCall, Call) X(ReturnCallIndirect, Call) X(CallRef, Call) \
  X(ReturnCallRef, Call)                                                                           \
  X(Drop, Parametric) X(Select, Parametric) X(SelectT, Parametric)                                 \
  X(LocalGet, Local) X(LocalSet, Local) X(LocalTee, Local) X(GlobalGet, Global) X(GlobalSet, Global) \
  X(I32Const, Const) X(I64Const, Const) X(F32Const, Const) X(F64Const, Const) X(V128Const, Const)  \
  X(RefNull, Const)                                                                                \
  X(I32Load, Memory) X(I64Load, Memory) X(F32Load, Memory) X(F64Load, Memory) X(I32Load8S, Memory) \
  X(I32Load8U, Memory) X(I32Load16S, Memory) X(I32Load16U, Memory) X(I64Load8S, Memory)           \
  X(I64Load8U, Memory) X(I64Load16S, Memory) X(I64Load16U, Memory) X(I64Load32S, Memory)          \
  X(I64Load32U, Memory) X(I32Store, Memory) X(I64Store, Memory) X(F32Store, Memory)               \
  X(F64Store, Memory) X(I32Store8, Memory) X(I32Store16, Memory) X(I64Store8, Memory)             \
  X(I64Store16, Memory) X(I64Store32, Memory) X(V128Load, Memory) X(V128Load8x8S, Memory)         \
  X(V128Load8x8U, Memory) X(V128Load16x4S, Memory) X(V128Load16x4U, Memory)                       \
  X(V128Load32x2S, Memory) X(V128Load32x2U, Memory) X(V128Load8Splat, Memory)                     \
  X(V128Load16Splat, Memory) X(V128Load32Splat, Memory) X(V128Load64Splat, Memory)               \
  X(V128Store, Memory) X(V128Load32Zero, Memory) X(V128Load64Zero, Memory)                        \
  X(V128Load8Lane, Lane) X(V128Load16Lane, Lane) X(V128Load32Lane, Lane) X(V128Load64Lane, Lane)   \
  X(V128Store8Lane, Lane) X(V128Store16Lane, Lane) X(V128Store32Lane, Lane)                       \
  X(V128Store64Lane, Lane)                                                                         \
  X(MemorySize, MemoryMisc) X(MemoryGrow, MemoryMisc) X(MemoryFill, MemoryMisc)                    \
  X(MemoryCopy, MemoryMisc) X(MemoryInit, MemoryMisc) X(DataDrop, MemoryMisc)                      \
  X(TableGet, Table) X(TableSet, Table) X(TableSize, Table) X(TableGrow, Table) X(TableFill, Table) \
  X(TableCopy, Table) X(TableInit, Table) X(ElemDrop, Table)                                       \
  X(RefIsNull, Ref) X(RefFunc, Ref) X(RefAsNonNull, Ref)                                           \
  X(I64Add128, Wide) X(I64Sub128, Wide) X(I64MulWideS, Wide) X(I64MulWideU, Wide)                  \
  X(Throw, Exception) X(ThrowRef, Exception) X(TryTable, Exception) X(Try, Exception)              \
  X(Catch, Exception) X(CatchAll, Exception) X(Rethrow, Exception) X(Delegate, Exception)        \
  X(RefEq, Gc) X(StructNew, Gc) X(StructNewDefault, Gc) X(StructGet, Gc) X(StructGetS, Gc)          \
  X(StructGetU, Gc) X(StructSet, Gc) X(ArrayNew, Gc) X(ArrayNewDefault, Gc) X(ArrayNewFixed, Gc)    \
  X(ArrayNewData, Gc) X(ArrayNewElem, Gc) X(ArrayGet, Gc) X(ArrayGetS, Gc) X(ArrayGetU, Gc)         \
  X(ArraySet, Gc) X(ArrayLen, Gc) X(ArrayFill, Gc) X(ArrayCopy, Gc) X(ArrayInitData, Gc)            \
  X(ArrayInitElem, Gc) X(RefTest, Gc) X(RefTestNull, Gc) X(RefCast, Gc) X(RefCastNull, Gc)          \
  X(BrOnCast, Gc) X(BrOnCastFail, Gc) X(AnyConvertExtern, Gc) X(ExternConvertAny, Gc) X(RefI31, Gc) \
  X(I31GetS, Gc) X(I31GetU, Gc)

#define STRATA_X(name, group) \
  template <>                 \
  inline constexpr Group kGroup<Opcode::name> = Group::group;
STRATA_INTERP_VISITORS(STRATA_X)
#undef STRATA_X

// Every row is either generated or has a visitor group: a row added to opcodes.def without
// either fails here at compile time (the -Werror=switch of this tier).
template <Opcode op>
constexpr Group groupOf() {
  if constexpr (isGenerated(op)) {
    static_assert(kGroup<op> == Group::None, "a generated row must not also have a visitor");
    return Group::None;
  } else {
    static_assert(kGroup<op> != Group::None, "opcode without an interpreter visitor: add it to STRATA_INTERP_VISITORS");
    return kGroup<op>;
  }
}

constexpr Group kGroups[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) groupOf<Opcode::name>(),
#include "ir/opcodes.def"
#undef OP
};

}  // namespace

void LoopConstants::onInstr(const decode::Instr& in, const validate::InstrContext&) {
  switch (in.op) {
    case Opcode::Block:
    case Opcode::If:
    case Opcode::Try:
    case Opcode::TryTable: is_loop.push_back(false); return;
    case Opcode::Loop:
      is_loop.push_back(true);
      ++loops;
      return;
    case Opcode::End:
    case Opcode::Delegate:  // ends a legacy try
      if (is_loop.empty()) return;  // the function's end
      loops -= is_loop.back();
      is_loop.pop_back();
      return;
    case Opcode::I32Const: if (loops) values.push_back(uint32_t(in.i32)); return;
    case Opcode::I64Const: if (loops) values.push_back(uint64_t(in.i64)); return;
    case Opcode::F32Const: if (loops) values.push_back(in.f32_bits); return;
    case Opcode::F64Const: if (loops) values.push_back(in.f64_bits); return;
    default: return;
  }
}

void LoopConstants::onEnd() {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

Builder::Builder(const ModuleCtx& mc, uint32_t func_index, FuncCode& out, size_t loop_constants)
    : mc_(mc), module_(*mc.module), tables_(mc.tables), out_(out), code_(out.code),
      pool_capacity_(uint32_t(std::min<size_t>(loop_constants, kMaxPool))) {
  type_ = &module_.funcType(func_index);
  // Checks on entry (epoch, fuel) report the body's first byte, as the machine-code tiers do.
  wasm_offset_ = module_.functions[func_index].body.offset;
  out_.func_index = func_index;
  out_.module = mc.module;
  out_.sig = &(*mc.sigs)[module_.functions[func_index].type_index];
}

void Builder::onLocals(std::span<const ir::ValType> locals) {
  Slot off = 0;
  for (size_t i = 0; i < locals.size(); ++i) {
    if (i == type_->params.size()) out_.param_bytes = off;
    local_slots_.push_back(off);
    local_types_.push_back(locals[i]);
    if (locals[i].kind == ir::ValKind::Ref) out_.ref_locals.push_back(off);
    off += isWide(locals[i]) ? 16 : 8;
  }
  if (locals.size() == type_->params.size()) out_.param_bytes = off;
  out_.local_bytes = off - out_.param_bytes;
  pool_base_ = off;
  off += 8 * pool_capacity_;
  locals_end_ = off;
  max_bytes_ = off;
  Ctrl f;
  f.kind = FrameKind::Function;
  f.home = locals_end_;
  f.results = type_->results;
  ctrls_.push_back(std::move(f));
  emitInterruptChecks();
}

void Builder::onInstr(const decode::Instr& in, const validate::InstrContext& c) {
  if (!error_) return;
  wasm_offset_ = in.offset;
  cur_op_ = in.op;
  rewound_ = false;
  if (dead_) {
    // In dead code only the end of a live block (else, catch, end, delegate) pushes values.
    bool live_end = !ctrls_.empty() && !ctrls_.back().dead_entry &&
                    (in.op == Opcode::Else || in.op == Opcode::End || in.op == Opcode::Catch ||
                     in.op == Opcode::CatchAll || in.op == Opcode::Delegate);
    visitDead(in);
    if (live_end) typePushed(c.pushed);
    return;
  }
  ++fuel_count_;
  visit(in, c);
  typePushed(c.pushed);
}

void Builder::onEnd() {
  if (has_fuel_) patch<int32_t>(fuel_at_, int32_t(fuel_count_));
  finishHandlers();
  emitPool();
  // Results are written to [0, result bytes) and host calls convert arguments in place: the
  // frame covers both even when the operand stack never reached that far.
  out_.frame_bytes = std::max({max_bytes_, out_.sig->result_bytes, locals_end_});
}

void Builder::unsupported(const decode::Instr& in) {
  if (error_)
    error_ = makeError(ErrorKind::Invalid, in.offset,
                       fmt::format("the interpreter does not support {} yet", ir::opcodeText(in.op)));
}

void Builder::visit(const decode::Instr& in, const validate::InstrContext& c) {
  switch (kGroups[unsigned(in.op)]) {
    case Group::None: return visitNumeric(in);
    case Group::Unsupported: return unsupported(in);
    case Group::Control:
      if (in.op == Opcode::Block || in.op == Opcode::Loop || in.op == Opcode::If) return visitBlock(in);
      if (in.op == Opcode::Else) return visitElse();
      if (in.op == Opcode::End) return visitEnd();
      if (in.op == Opcode::Return) {
        emitReturn();
        return enterDead();
      }
      if (in.op == Opcode::Unreachable) {
        begin(tables_.hand[unsigned(H::Unreachable)]);
        return enterDead();
      }
      return;  // nop
    case Group::Branch:
      if (in.op == Opcode::Br) return visitBr(in);
      if (in.op == Opcode::BrTable) return visitBrTable(in, c);
      return visitBrIf(in);
    case Group::Call: return visitCall(in);
    case Group::Parametric:
      if (in.op == Opcode::Drop) {
        pop();
        return;
      }
      return visitSelect(in, c);
    case Group::Local: return visitLocal(in);
    case Group::Global: return visitGlobal(in);
    case Group::Const: return visitConst(in);
    case Group::Memory: return visitMemory(in);
    case Group::Lane: return visitLane(in);
    case Group::MemoryMisc: return visitMemoryMisc(in);
    case Group::Table: return visitTable(in);
    case Group::Ref: return visitRef(in);
    case Group::Wide: return visitWide(in);
    case Group::Atomic: return visitAtomic(in);
    case Group::Exception: return visitException(in, c);
    case Group::Gc: return visitGc(in);
  }
}

// In dead code only the block structure matters (spec 3.3.8: it is still validated, never run).
void Builder::visitDead(const decode::Instr& in) {
  switch (in.op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
    case Opcode::Try:
    case Opcode::TryTable: {
      Ctrl c;
      c.dead_entry = true;
      ctrls_.push_back(std::move(c));
      return;
    }
    case Opcode::Else:
      if (!ctrls_.back().dead_entry) visitElse();
      return;
    case Opcode::Catch:
    case Opcode::CatchAll:
      if (!ctrls_.back().dead_entry) visitCatch(in);
      return;
    case Opcode::End:
      if (ctrls_.back().dead_entry) ctrls_.pop_back();
      else visitEnd();
      return;
    case Opcode::Delegate:
      if (ctrls_.back().dead_entry) ctrls_.pop_back();
      else visitDelegate(in);
      return;
    default: return;
  }
}

// --- emission --------------------------------------------------------------------------------

uint32_t Builder::begin(const void* handler) {
  uint32_t at = pos();
  auto& offs = out_.offsets;
  // An instruction re-emitted in a fused form (rewind) keeps the offset of the instruction it
  // started as when the one that absorbed it cannot trap (a branch): the part that may trap is
  // the rewound one. A load or store that absorbed its address computation keeps its own.
  bool consumer_cannot_trap = cur_op_ == ir::Opcode::BrIf || cur_op_ == ir::Opcode::If ||
                              cur_op_ == ir::Opcode::Select || cur_op_ == ir::Opcode::BrTable;
  uint64_t wasm = rewound_ && consumer_cannot_trap ? rewound_wasm_ : wasm_offset_;
  if (!offs.empty() && offs.back().pc == at) offs.back().wasm = uint32_t(wasm);
  else if (offs.empty() || offs.back().wasm != wasm) offs.push_back({at, uint32_t(wasm)});
  append(&handler, sizeof handler);
  last_ = {};
  hand_ = {};
  return at;
}

void Builder::append(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  code_.insert(code_.end(), b, b + n);
}

int Builder::takeMoves(OpMove2& moves) {
  int n = 0;
  if (justEmitted<H::Copy64>()) {
    OpMove m = lastOperands<H::Copy64>();
    moves = OpMove2{m.dst, m.src, m.dst, m.src};  // the second move repeats the first
    n = 1;
  } else if (justEmitted<H::Copy2>()) {
    moves = lastOperands<H::Copy2>();
    n = 2;
  }
  if (n) rewind(hand_.at);
  return n;
}

void Builder::rewind(uint32_t at) {
  if (at <= incr_.at) incr_.valid = false;
  code_.resize(at);
  auto& offs = out_.offsets;
  if (!rewound_) {
    for (auto it = offs.rbegin(); it != offs.rend(); ++it) {
      if (it->pc <= at) {
        rewound_wasm_ = it->wasm;
        rewound_ = true;
        break;
      }
    }
  }
  while (!offs.empty() && offs.back().pc >= at) offs.pop_back();
  while (!out_.gc_sites.empty() && out_.gc_sites.back().begin >= at) out_.gc_sites.pop_back();
  last_ = {};
}

uint32_t Builder::emitGen(Opcode op, Form form, Slot dst, std::span<const Slot> args, const void* tail) {
  LayoutInfo l = layoutOf(op, form);
  uint32_t at = begin(tables_.gen[unsigned(op) * kNumForms + unsigned(form)]);
  code_.resize(at + l.size);
  if (l.has_dst) patch<Slot>(at + l.dst, dst);
  for (uint32_t i = 0; i < l.slots; ++i) patch<Slot>(at + l.args + 4 * i, args[i]);
  if (l.tail_bytes) std::memcpy(code_.data() + at + l.tail, tail, l.tail_bytes);
  return at;
}

void Builder::emitInterruptChecks() {
  if (mc_.options.epoch_interruption) begin(tables_.hand[unsigned(H::CheckEpoch)]);
  if (mc_.options.consume_fuel) {
    // The cost of a check is the number of wasm instructions until the next one in code order.
    if (has_fuel_) patch<int32_t>(fuel_at_, int32_t(fuel_count_));
    fuel_at_ = emit(H::CheckFuel, OpFuel{0}) + 8;
    fuel_count_ = 0;
    has_fuel_ = true;
  }
  last_ = {};
}

// --- virtual operand stack -------------------------------------------------------------------

Slot Builder::homeAt(size_t height) const {
  if (height == 0) return locals_end_;
  const Entry& e = stack_[height - 1];
  return e.home + e.bytes();
}

void Builder::push(Entry e) {
  e.home = homeAt(stack_.size());
  if (e.kind == Kind::Home) e.slot = e.home;
  max_bytes_ = std::max(max_bytes_, e.home + e.bytes());
  stack_.push_back(e);
}

Builder::Entry Builder::pushHome(bool wide) {
  Entry e;
  e.wide = wide;
  push(e);
  return stack_.back();
}

Builder::Entry Builder::pop() {
  Entry e = stack_.back();
  stack_.pop_back();
  return e;
}

void Builder::moveTo(Slot dst, const Entry& e) {
  if (e.kind == Kind::Const) {
    if (e.wide) {
      OpConst128 op{dst, {}};
      std::memcpy(op.bytes, e.c, 16);
      emit(H::Const128, op);
    } else {
      emit(H::Const64, OpConst64{dst, uint32_t(e.c[0]), uint32_t(e.c[0] >> 32)});
    }
    return;
  }
  if (e.slot == dst) return;
  if (e.wide) {
    emit(H::Copy128, OpMove{dst, e.slot});
    return;
  }
  // Two moves in a row (call arguments, branch values) are one Copy2, unless a label lies
  // between them.
  if (justEmitted<H::Copy64>()) {
    OpMove first = lastOperands<H::Copy64>();
    rewind(hand_.at);
    emit(H::Copy2, OpMove2{first.dst, first.src, dst, e.slot});
    return;
  }
  emit(H::Copy64, OpMove{dst, e.slot});
}

Slot Builder::use(Entry& e) {
  if (e.kind != Kind::Const) return e.slot;
  Slot s;
  if (loop_depth_ && !e.wide && poolSlot(e.c[0], s)) return s;
  materialize(e);
  return e.slot;
}

bool Builder::poolSlot(uint64_t value, Slot& slot) {
  for (const auto& [v, s] : pool_)
    if (v == value) {
      slot = s;
      return true;
    }
  if (pool_.size() == pool_capacity_) return false;
  slot = pool_base_ + Slot(8 * pool_.size());
  pool_.emplace_back(value, slot);
  return true;
}

// Branch displacements are relative and the side table is shifted, so the body can move.
void Builder::emitPool() {
  if (pool_.empty()) return;
  std::vector<uint8_t> body;
  body.swap(code_);
  const void* handler = tables_.hand[unsigned(H::InitPool)];
  append(&handler, sizeof handler);
  OpInitPool op{pool_base_, uint32_t(pool_.size())};
  append(&op, sizeof op);
  for (const auto& entry : pool_) append(&entry.first, 8);
  uint32_t shift = pos();
  code_.insert(code_.end(), body.begin(), body.end());
  for (OffsetEntry& e : out_.offsets) e.pc += shift;
  for (HandlerRange& h : out_.handlers) {
    h.begin += shift;
    h.end += shift;
  }
  for (CatchEntry& c : out_.catches) c.target += shift;
  for (GcSite& g : out_.gc_sites) {
    g.begin += shift;
    g.end += shift;
  }
}

void Builder::materialize(Entry& e) {
  if (e.kind == Kind::Home) return;
  moveTo(e.home, e);
  e.kind = Kind::Home;
  e.slot = e.home;
}

void Builder::materializeLocal(Slot local_slot) {
  for (Entry& e : stack_)
    if (e.kind == Kind::Local && e.slot == local_slot) materialize(e);
}

void Builder::materializeLocals() {
  for (Entry& e : stack_)
    if (e.kind == Kind::Local) materialize(e);
}

void Builder::materializeTop(size_t n) {
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i) materialize(stack_[i]);
}

bool Builder::aliases(Slot local_slot) const {
  return std::any_of(stack_.begin(), stack_.end(),
                     [&](const Entry& e) { return e.kind == Kind::Local && e.slot == local_slot; });
}

}  // namespace strata::interp
