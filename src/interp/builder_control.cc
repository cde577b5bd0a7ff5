// The bytecode builder's control flow: blocks, branches, returns and conditions (spec 4.4.8),
// including the compare-and-branch fusion (see the essay in builder.h).
#include <algorithm>
#include <map>

#include "interp/builder.h"
#include "interp/pairs.h"
#include "interp/rows.h"

namespace strata::interp {

using ir::Opcode;

void Builder::blockSig(const decode::BlockType& bt, std::vector<ir::ValType>& params,
                       std::vector<ir::ValType>& results) const {
  params.clear();
  results.clear();
  if (bt.kind == decode::BlockType::Kind::Value) results.push_back(bt.value);
  if (bt.kind == decode::BlockType::Kind::Index) {
    const ir::FuncType& ft = module_.types[bt.index].func;
    params = ft.params;
    results = ft.results;
  }
}

void Builder::visitBlock(const decode::Instr& in) {
  Ctrl c;
  c.kind = in.op == Opcode::Loop ? FrameKind::Loop : in.op == Opcode::If ? FrameKind::If : FrameKind::Block;
  blockSig(in.block, c.params, c.results);
  Cond cond;
  if (c.kind == FrameKind::If) cond = takeCond();
  // Deferred local reads must not cross into code that may run conditionally (builder.h).
  materializeLocals();
  size_t np = c.params.size();
  // Branches to a loop and the two arms of an if start from the parameters in their homes.
  if (c.kind != FrameKind::Block) materializeTop(np);
  c.height = stack_.size() - np;
  c.home = homeAt(c.height);
  closeWindow();
  if (c.kind == FrameKind::Loop) {
    c.loop_pc = pos();
    label_pos_ = std::max(label_pos_, pos());
    emitInterruptChecks();
    ++loop_depth_;
  }
  if (c.kind == FrameKind::If) {
    c.saved.assign(stack_.end() - long(np), stack_.end());
    c.else_fixup = emitCondBranch(cond, true, nullptr);
    c.has_else_fixup = true;
  }
  ctrls_.push_back(std::move(c));
}

void Builder::visitElse() {
  Ctrl& c = ctrls_.back();
  if (!dead_) {
    materializeTop(c.results.size());
    emitJump(c);
  }
  if (c.has_else_fixup) patchRel(c.else_fixup, pos());
  c.has_else_fixup = false;
  c.has_else = true;
  closeWindow();
  stack_.resize(c.height);
  for (const Entry& e : c.saved) push(e);
  dead_ = false;
}

void Builder::visitEnd() {
  Ctrl c = std::move(ctrls_.back());
  ctrls_.pop_back();
  endHandlers(c);
  if (c.kind == FrameKind::Function) {
    if (!dead_) emitReturn();
    dead_ = true;
    return;
  }
  if (c.kind == FrameKind::Loop) --loop_depth_;
  bool reachable = !dead_;
  if (reachable) materializeTop(c.results.size());
  // An if without else falls through its missing arm with the parameters as results.
  if (c.has_else_fixup) {
    patchRel(c.else_fixup, pos());
    reachable = true;
  }
  if (!c.fixups.empty()) reachable = true;
  bind(c);
  closeWindow();
  stack_.resize(c.height);
  for (const ir::ValType& t : c.results) pushHome(isWide(t));
  dead_ = !reachable;
}

void Builder::bind(Ctrl& c) {
  for (const Fixup& f : c.fixups) patchRel(f, pos());
  c.fixups.clear();
}

// --- branches --------------------------------------------------------------------------------

bool Builder::valuesInPlace(const Ctrl& t, size_t n) const {
  if (stack_.size() - n != t.height) return false;
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i)
    if (stack_[i].kind != Kind::Home) return false;
  return true;
}

// Sources sit at or above their destinations (the label's values are the top of the stack), so
// copying in order never overwrites a value still to be moved. Emits code only: the virtual
// stack is unchanged, since the moves may run on one path only.
void Builder::moveValues(const Ctrl& t, size_t n) {
  Slot dst = t.home;
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
    moveTo(dst, stack_[i]);
    dst += stack_[i].bytes();
  }
}

// The top n values to the frame base (results of a return, arguments of a tail call). Home
// sources are above their destinations; a Local source inside the destination range could be
// overwritten by an earlier move, so it is first copied to its home slot (harmless on every
// path: that slot belongs to this stack position). Leaves the virtual stack unchanged.
void Builder::moveToBase(size_t n) {
  std::vector<Entry> vals(stack_.end() - long(n), stack_.end());
  Slot total = 0;
  for (const Entry& e : vals) total += e.bytes();
  Slot dst = 0;
  for (Entry& e : vals) {
    if (e.kind == Kind::Local && e.slot < total && e.slot != dst) {
      moveTo(e.home, e);
      e.kind = Kind::Home;
      e.slot = e.home;
    }
    dst += e.bytes();
  }
  dst = 0;
  for (const Entry& e : vals) {
    moveTo(dst, e);
    dst += e.bytes();
  }
}

void Builder::emitJump(Ctrl& t) {
  if (t.kind == FrameKind::Loop && t.head.valid) {
    // Loop rotation: the exit test, negated, continues into the body; else exit.
    std::vector<uint8_t> operands(code_.begin() + t.loop_pc + 8, code_.begin() + t.loop_pc + t.head.size);
    uint32_t at = begin(t.head.negated);
    append(operands.data(), operands.size());
    patchRel(Fixup{at, at + t.head.rel_at}, t.loop_pc + t.head.size);
    return emitJump(ctrls_[t.head.target]);
  }
  uint32_t at = 0;
  Fixup f;
  if (justEmitted<H::Const64>()) {
    // `Const64; Br` (a switch arm setting a variable, then break) is one ConstBr: no label lies
    // between them, so nothing jumps to the Br alone.
    OpConst64 k = lastOperands<H::Const64>();
    rewind(hand_.at);
    at = emit(H::ConstBr, OpConstBr{k.dst, k.lo, k.hi, 0});
    f = Fixup{at, at + 8 + uint32_t(offsetof(OpConstBr, rel))};
  } else {
    at = emit(H::Br, OpBr{0});
    f = Fixup{at, at + 8};
  }
  if (t.kind == FrameKind::Loop) patchRel(f, t.loop_pc);
  else t.fixups.push_back(f);
}

void Builder::emitReturn() {
  // The most common return, one scalar from a slot, is one instruction.
  if (type_->results.size() == 1 && !top().wide && top().kind != Kind::Const && top().slot != 0) {
    emit(H::Return64, OpSlot{top().slot});
    return;
  }
  moveToBase(type_->results.size());
  begin(tables_.hand[unsigned(H::Return)]);
}

void Builder::emitBranch(uint32_t depth) {
  Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
  if (t.kind == FrameKind::Function) return emitReturn();
  moveValues(t, t.labelTypes().size());
  emitJump(t);
}

void Builder::visitBr(const decode::Instr& in) {
  emitBranch(in.idx);
  enterDead();
}

bool Builder::hasBranchForms(Opcode op) { return hasForm(op, Form::BrIf); }

Builder::Cond Builder::takeCond() {
  Entry e = pop();
  Cond c;
  if (last_.valid && e.kind == Kind::Home && last_.dst == e.home && (fusesWithBranch() || last_.inner.valid)) {
    // `cmp; i32.eqz; br_if` branches on the comparison with the opposite sense.
    const GenDesc& f = last_.inner.valid ? last_.inner : last_.gen;
    c.fused = true;
    c.invert = last_.inner.valid;
    c.op = f.op;
    c.form = f.form;
    c.a = f.a;
    c.b = f.b;
    c.imm = f.imm;
    rewind(f.at);
    return c;
  }
  c.slot = use(e);
  return c;
}

// The comparison with its operands swapped: a < b is b > a.
static Opcode mirrored(Opcode op) {
  switch (op) {
    case Opcode::I32LtU: return Opcode::I32GtU;
    case Opcode::I32GtU: return Opcode::I32LtU;
    case Opcode::I32LtS: return Opcode::I32GtS;
    case Opcode::I32GtS: return Opcode::I32LtS;
    case Opcode::I32LeU: return Opcode::I32GeU;
    case Opcode::I32GeU: return Opcode::I32LeU;
    case Opcode::I32LeS: return Opcode::I32GeS;
    case Opcode::I32GeS: return Opcode::I32LeS;
    default: return op;  // eq, ne
  }
}

bool Builder::emitIncrBranch(const Cond& cond, Form form, Fixup& f) {
  Cond c = cond;
  if (c.form == Form::Plain && c.b == incr_.dst && c.a != incr_.dst) {  // n > i: i < n
    std::swap(c.a, c.b);
    c.op = mirrored(c.op);
  }
  int index = findIncr(c.op, form, incr_.slot_add);
  if (!incr_.valid || index < 0 || c.a != incr_.dst || pos() != incr_.end || label_pos_ > incr_.at) return false;
  Incr i = incr_;
  rewind(i.at);
  f.at = begin(tables_.incr[index]);
  code_.resize(f.at + IncrLayout::size);
  patch<Slot>(f.at + IncrLayout::dst, i.dst);
  patch<Slot>(f.at + IncrLayout::a, i.a);
  patch<uint32_t>(f.at + IncrLayout::k, i.k);
  patch<uint32_t>(f.at + IncrLayout::b, form == Form::BrIfImm || form == Form::BrUnlessImm ? uint32_t(c.imm) : c.b);
  f.rel = f.at + IncrLayout::rel;
  return true;
}

Builder::Fixup Builder::emitCondBranch(const Cond& c, bool negate, Ctrl* target) {
  Fixup f;
  bool incr = false;
  negate ^= c.invert;
  if (!c.fused) {
    // br_if on a sum just computed: `i != 0` in the increment-and-branch form.
    Cond ne = c;
    ne.fused = true;
    ne.op = Opcode::I32Ne;
    ne.form = Form::Imm;
    ne.a = c.slot;
    ne.imm = 0;
    if (emitIncrBranch(ne, negate ? Form::BrUnlessImm : Form::BrIfImm, f)) {
      incr = true;
    } else {
      f.at = emit(negate ? H::BrUnless : H::BrIf, OpCond{c.slot, 0});
      f.rel = f.at + 8 + offsetof(OpCond, rel);
    }
  } else {
    bool imm = c.form == Form::Imm;
    Form form = negate ? (imm ? Form::BrUnlessImm : Form::BrUnless) : (imm ? Form::BrIfImm : Form::BrIf);
    Slot args[2] = {c.a, c.b};
    if (emitIncrBranch(c, form, f)) {
      incr = true;
    } else {
      f.at = emitGen(c.op, form, 0, args, &c.imm);
      f.rel = f.at + layoutOf(c.op, form).rel;
    }
  }
  if (target) {
    if (target->kind == FrameKind::Loop) patchRel(f, target->loop_pc);
    else target->fixups.push_back(f);
  }
  if (!incr && target && target->kind != FrameKind::Loop && !ctrls_.empty() && ctrls_.back().kind == FrameKind::Loop &&
      ctrls_.back().loop_pc == f.at) {
    Ctrl::HeadExit& h = ctrls_.back().head;
    h.valid = true;
    h.size = pos() - f.at;
    h.rel_at = f.rel - f.at;
    h.target = size_t(target - ctrls_.data());
    if (!c.fused) {
      h.negated = tables_.hand[unsigned(negate ? H::BrIf : H::BrUnless)];
    } else {
      bool imm = c.form == Form::Imm;
      Form opposite = negate ? (imm ? Form::BrIfImm : Form::BrIf) : (imm ? Form::BrUnlessImm : Form::BrUnless);
      h.negated = tables_.gen[unsigned(c.op) * kNumForms + unsigned(opposite)];
    }
  }
  return f;
}

// br_if and br_on_null/non_null: branch to `depth` when the condition holds (is zero with
// `negate`); the label's values stay on the stack for the fall-through path.
void Builder::branchIf(const Cond& c, bool negate, uint32_t depth) {
  Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
  if (t.kind != FrameKind::Function) {
    size_t n = t.labelTypes().size();
    // Values at the label's positions can be put in their homes on both paths: one branch.
    if (stack_.size() - n == t.height) materializeTop(n);
    if (valuesInPlace(t, n)) {
      emitCondBranch(c, negate, &t);
      return;
    }
  }
  Fixup skip = emitCondBranch(c, !negate, nullptr);
  emitBranch(depth);
  patchRel(skip, pos());
  closeWindow();
}

void Builder::visitBrIf(const decode::Instr& in) {
  if (in.op == Opcode::BrIf) return branchIf(takeCond(), false, in.idx);
  // Function references: the reference is tested with i64.eqz's branch forms (a null is 0).
  Entry ref = pop();
  Cond c;
  c.fused = true;
  c.op = Opcode::I64Eqz;
  c.a = use(ref);
  if (in.op == Opcode::BrOnNull) {
    branchIf(c, false, in.idx);
    push(ref);
  } else {
    push(ref);
    branchIf(c, true, in.idx);
    pop();
  }
}

// Targets whose values are already in place get the table entry directly; the others share one
// stub per label that moves the values and jumps.
void Builder::visitBrTable(const decode::Instr& in, const validate::InstrContext& c) {
  const std::vector<uint32_t>& targets = c.reader->brTargets();
  Entry index = pop();
  uint32_t count = uint32_t(targets.size() - 1);
  uint32_t at = 0;
  if (index.kind == Kind::Home && justEmitted<H::I32U_G>() && lastOperands<H::I32U_G>().val == index.home &&
      out_.offsets.back().pc == hand_.at) {
    // `switch (*p)`: the branch does the load. A fault there must point at the load, so the
    // fused instruction keeps the load's wasm offset.
    OpMemG load = lastOperands<H::I32U_G>();
    uint32_t load_wasm = out_.offsets.back().wasm;
    rewind(hand_.at);
    at = emit(H::BrTableG, OpBrTableG{load.addr, load.offset, count});
    out_.offsets.back().wasm = load_wasm;
  } else {
    at = emit(H::BrTable, OpBrTable{use(index), count});
  }
  uint32_t table = pos();
  code_.resize(table + 4 * targets.size());
  std::map<uint32_t, std::vector<uint32_t>> stubs;  // depth -> table entries
  for (size_t i = 0; i < targets.size(); ++i) {
    Ctrl& t = ctrls_[ctrls_.size() - 1 - targets[i]];
    Fixup f{at, uint32_t(table + 4 * i)};
    if (t.kind != FrameKind::Function && valuesInPlace(t, t.labelTypes().size())) {
      if (t.kind == FrameKind::Loop) patchRel(f, t.loop_pc);
      else t.fixups.push_back(f);
    } else {
      stubs[targets[i]].push_back(f.rel);
    }
  }
  for (const auto& [depth, entries] : stubs) {
    for (uint32_t e : entries) patchRel(Fixup{at, e}, pos());
    emitBranch(depth);
  }
  enterDead();
}

}  // namespace strata::interp
