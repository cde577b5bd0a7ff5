// Control flow, locals, globals and calls (spec 4.4.4, 4.4.5, 4.4.8, 4.4.10).
#include <fmt/core.h>

#include <algorithm>
#include <cstring>

#include "jit/codegen.h"
#include "jit/stubs.h"
#include "support/populate.h"

namespace strata::jit {

using asmjit::Label;
using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

void FuncCompiler::visit(const decode::Instr& in, const validate::InstrContext& c) {
  // A compare result may stay in the flags only until the next instruction, unless that one
  // consumes it as a condition.
  switch (in.op) {
    case Opcode::BrIf:
    case Opcode::If:
    case Opcode::I32Eqz:
    case Opcode::Select:
    case Opcode::SelectT: break;
    default: materializeFlags();
  }
  // The most frequent groups first, each one compare on the opcode (the enum follows
  // opcodes.def, which lists a group contiguously), before the switches of the general route
  // below: integer arithmetic, memory accesses and integer compares were a third of the
  // instructions of large.wasm, and went through two to four switches each. Their results are
  // integers: no NaN to canonicalize.
  if (in.op >= Opcode::I32Add && in.op <= Opcode::I64Rotr && visitIntArith(in)) return;
  if (in.op >= Opcode::I32Load && in.op <= Opcode::I64Store32) return visitMemory(in);
  if (in.op >= Opcode::I32Eqz && in.op <= Opcode::I64GeU && visitCompare(in)) return;
  switch (in.op) {
    case Opcode::Nop: return;
    case Opcode::Unreachable:
      a().jmp(trapLabel(uint32_t(vm::TrapKind::Unreachable)));
      enterDead();
      return;
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: return visitBlock(in, c);
    case Opcode::TryTable: return visitTryTable(in, c);
    case Opcode::Try:
    case Opcode::Catch:
    case Opcode::CatchAll:
    case Opcode::Delegate:
    case Opcode::Rethrow: return visitLegacy(in, c);
    case Opcode::Throw:
    case Opcode::ThrowRef: return visitThrow(in);
    case Opcode::Else: return visitElse();
    case Opcode::End: return visitEnd();
    case Opcode::Br:
      emitBranch(in.idx);
      enterDead();
      return;
    case Opcode::BrIf: return branchIf(popCond(), in.idx);
    case Opcode::BrTable: return visitBrTable(in, c);
    case Opcode::Return:
      emitReturn();
      enterDead();
      return;
    case Opcode::Drop: pop(); return;
    case Opcode::Select:
    case Opcode::SelectT: return visitSelect(in);
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee: return visitLocal(in);
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: return visitGlobal(in);
    case Opcode::Call:
    case Opcode::CallIndirect:
    case Opcode::ReturnCall:
    case Opcode::ReturnCallIndirect:
    case Opcode::CallRef:
    case Opcode::ReturnCallRef: return visitCall(in);
    case Opcode::I32Const: return pushConst(ValKind::I32, uint32_t(in.i32));
    case Opcode::I64Const: return pushConst(ValKind::I64, uint64_t(in.i64));
    case Opcode::F32Const: return pushConst(ValKind::F32, in.f32_bits);
    case Opcode::F64Const: return pushConst(ValKind::F64, in.f64_bits);
    case Opcode::V128Const: {
      uint64_t lo, hi;
      std::memcpy(&lo, in.v128.data(), 8);
      std::memcpy(&hi, in.v128.data() + 8, 8);
      return pushConst(ValKind::V128, lo, hi);
    }
    default: break;
  }
  const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
  if (info.imm == ir::Imm::MemArg || info.imm == ir::Imm::MemArgLane) return visitMemory(in);
  switch (info.imm) {
    case ir::Imm::Memory:
    case ir::Imm::MemoryInit:
    case ir::Imm::MemoryCopy:
    case ir::Imm::Data: return visitMemoryMisc(in);
    case ir::Imm::Table:
    case ir::Imm::TableInit:
    case ir::Imm::TableCopy:
    case ir::Imm::Elem: return visitTable(in);
    default: break;
  }
  if (visitNumeric(in)) {
    if (ms_.options.nan_canonicalization) canonicalizeNan(in);
    return;
  }
  visitRef(in);
}

void FuncCompiler::enterDead() {
  dead_ = true;
  clearCaches();
  for (const Val& v : stack_) release(v);
}

void FuncCompiler::visitDead(const decode::Instr& in) {
  switch (in.op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
    case Opcode::Try:
    case Opcode::TryTable: {
      Ctrl c;
      c.dead_entry = true;
      c.kind = in.op == Opcode::Loop ? Ctrl::Loop : in.op == Opcode::If ? Ctrl::If : Ctrl::Block;
      support::reserveDeep(ctrls_, max_depth_);
      ctrls_.push_back(std::move(c));
      return;
    }
    case Opcode::Else:
      if (!ctrls_.back().dead_entry) return visitElse();
      return;
    case Opcode::Catch:
    case Opcode::CatchAll:
      if (!ctrls_.back().dead_entry) return visitLegacy(in, validate::InstrContext{});
      return;
    case Opcode::Delegate:  // ends the try
      if (!ctrls_.back().dead_entry) return visitLegacy(in, validate::InstrContext{});
      ctrls_.pop_back();
      return;
    case Opcode::End:
      if (ctrls_.back().dead_entry) {
        ctrls_.pop_back();
        return;
      }
      return visitEnd();
    default: return;
  }
}

void FuncCompiler::visitBlock(const decode::Instr& in, const validate::InstrContext& ctx) {
  Ctrl c;
  c.kind = in.op == Opcode::Loop ? Ctrl::Loop : in.op == Opcode::If ? Ctrl::If : Ctrl::Block;
  // The validator has resolved the block type: its new frame carries the signature.
  c.sig = ctx.frames.back().sig;
  x86::CondCode cc{};
  if (c.kind == Ctrl::If) cc = popCond();
  spillAll();  // joins see every value in its own slot
  // Inside a loop without calls, the block's labels keep the loop's bindings dirty. Inside one
  // with calls (its bindings written through), they keep them when they hold here, before a
  // call on this path: an edge after a call reloads them from their homes. Not after a call:
  // the bindings would pin their registers through code that may use none of them
  // (shootout-ratelimit ran 1.7 times slower so; docs/jit.md "Labels inside a loop with calls").
  if (c.kind != Ctrl::Loop && innermost_loop_ >= 0 &&
      (ctrls_[size_t(innermost_loop_)].dirty_bindings || cachesHold(ctrls_[size_t(innermost_loop_)].at_label)))
    c.keep_loop = innermost_loop_;
  // An if's else arm is a label: the caches it starts with are clean (but for the bindings it
  // keeps, which are made to hold here, for both arms). So are a loop head's, but for the
  // bindings of a loop without calls (bindLoopLocals).
  if (c.kind == Ctrl::If && dirty_n_ != 0) flushDirty(false, -1, c.keep_loop);
  if (c.kind == Ctrl::If && c.keep_loop >= 0) holdBindings(ctrls_[size_t(c.keep_loop)].at_label);
  c.height = uint32_t(stack_.size() - c.numParams());
  c.base = c.height;
  c.label = a().newLocal();
  if (c.kind == Ctrl::Loop) {
    // The body starts with the caches of the entry, and every back edge re-establishes them
    // (establishCaches): a loop's locals stay in their registers from one iteration to the
    // next. The head's epoch and fuel checks use rax and rcx.
    if (ms_.options.epoch_interruption || ms_.options.consume_fuel) {
      evict(Cls::Gpr, Gp::kIdAx);
      evict(Cls::Gpr, Gp::kIdCx);
    }
    c.dead_saved = uint32_t(dead_saved_.size());
    bindLoopLocals(ctx, int32_t(ctrls_.size()));
    c.at_label = captureCaches();
    // In a loop without calls, a back edge carries the bound locals the body writes in their
    // registers only (flushFor), and the entry those that are dirty already: at the head their
    // homes may be stale. A call stores every dirty cache and the back edge then reloads the
    // bindings: a loop with calls writes its bound locals through (visitLocal), and its head
    // assumes every home current.
    const LoopScanner& scan = scratch_.loop_scan;
    c.dirty_bindings = !scan.hasCalls();
    if (c.dirty_bindings) {
      for (uint8_t i = 0; i < c.at_label.n; ++i) {
        uint32_t l = c.at_label.local[i];
        if (local_kinds_[l] == ValKind::Ref) continue;
        if (scan.written(l) || local_dirty_[l]) c.stale_bindings |= uint16_t(1u << i);
        if (scan.written(l) && !local_dirty_[l]) local_dirty_[l] = 1, ++dirty_n_;
      }
    } else {
      flushCaches();
    }
    c.outer_loop = innermost_loop_;
    innermost_loop_ = int32_t(ctrls_.size());
    c.head_at = uint32_t(a().offset());
    a().bind(c.label);
    checkInterrupt();
    chargeFuel();
  } else if (c.kind == Ctrl::If) {
    c.else_label = a().newLocal();
    a().j(x86::CondCode(uint8_t(cc) ^ 1), c.else_label);
    c.at_else = c.keep_loop >= 0 ? edgeState(ctrls_[size_t(c.keep_loop)].at_label) : captureCaches();
    // The else branch needs the parameters again: they stay below the block's own operands
    // (hidden), and the then branch starts from copies that read them in place.
    if (c.numParams() != 0) {
      c.base = c.height + uint32_t(c.numParams());
      for (size_t k = 0; k < c.numParams(); ++k) pushMem(c.param(k), slotDisp(c.height + k));
    }
  }
  support::reserveDeep(ctrls_, max_depth_);
  ctrls_.push_back(std::move(c));
}

// The loop head's bindings (docs/jit.md "Loop bindings"). The body is scanned first
// (LoopScanner): the integer locals it uses most get up to kLoopGprs registers, the float and
// vector ones kLoopXmms, each in the register that caches it already or else a free one loaded
// from its home (every cache is clean here: the head's flush came first). Other caches are
// dropped: each would hold a register through the whole loop, and a back edge reload it, for a
// local the loop may not need. The locals the body overwrites before reading get no binding,
// and back edges to this loop do not store them (dead_at_).
void FuncCompiler::bindLoopLocals(const validate::InstrContext& ctx, int32_t loop) {
  LoopScanner& s = scratch_.loop_scan;
  uint32_t read = s.scan(ctx.reader->bytes(), *ms_.features, uint32_t(local_kinds_.size()),
                         uint32_t(std::clamp<uint64_t>(scan_budget_, 256, UINT32_MAX)));
  scan_budget_ -= std::min<uint64_t>(scan_budget_, read);
  std::vector<uint32_t>& pick = scratch_.loop_pick;
  pick.clear();
  for (uint32_t l : s.locals()) {
    if (s.deadAtHead(l)) {
      dead_saved_.emplace_back(l, dead_at_[l]);
      dead_at_[l] = loop;
      continue;
    }
    // Most used first; equal weights in order of first access (insertion: the lists are short).
    size_t i = pick.size();
    pick.push_back(l);
    for (; i > 0 && s.weight(pick[i - 1]) < s.weight(l); --i) pick[i] = pick[i - 1];
    pick[i] = l;
  }
  uint32_t n[2] = {0, 0};
  size_t kept = 0;
  for (uint32_t l : pick) {
    auto c = size_t(clsOf(local_kinds_[l]));
    if (n[c] == (c == 0 ? kLoopGprs : kLoopXmms)) continue;
    ++n[c];
    pick[kept++] = l;
  }
  pick.resize(kept);
  for (size_t i = cached_.size(); i-- > 0;) {
    uint32_t l = cached_[i];
    if (std::find(pick.begin(), pick.end(), l) == pick.end()) dropCache(l);
  }
  static_assert(kLoopGprs + kLoopXmms <= CacheState::kMax, "the head's state holds every binding it makes");
  // The head's epoch and fuel checks use rax and rcx.
  uint32_t avoid = ms_.options.epoch_interruption || ms_.options.consume_fuel ? 0x3u : 0;
  for (uint32_t l : pick) {
    if (local_cache_[l] >= 0) continue;
    int r = clsOf(local_kinds_[l]) == Cls::Gpr ? freeGpr(avoid) : freeXmmReg();
    if (r < 0) continue;
    loadHome(l, uint8_t(r));
    setCache(l, r);
  }
}

void FuncCompiler::closeLoop(const Ctrl& c) {
  innermost_loop_ = c.outer_loop;
  for (; dead_saved_.size() > c.dead_saved; dead_saved_.pop_back()) dead_at_[dead_saved_.back().first] = dead_saved_.back().second;
}

// The results to the label's slots, the caches flushed and met into the label's, a jump to it.
void FuncCompiler::leaveArm(Ctrl& c) {
  moveToLabel(c, c.numResults());
  edgeInto(c, false);
  a().jmp(c.label);
  c.targeted = true;
}

void FuncCompiler::visitElse() {
  Ctrl& c = ctrls_.back();
  if (!dead_) leaveArm(c);
  a().bind(c.else_label);
  c.has_else = true;
  for (size_t i = c.base; i < stack_.size(); ++i) release(stack_[i]);
  stack_.resize(c.base);
  // The else arm starts where the if's conditional jump left: with its caches (every entry
  // below the arm's operands is in its slot, so only caches hold registers).
  clearCaches();
  gpr_used_ = xmm_used_ = 0;
  adoptCaches(c.at_else);
  if (c.keep_loop >= 0) markBindingsDirty(c.keep_loop);
  for (size_t k = 0; k < c.numParams() && c.base != c.height; ++k) pushMem(c.param(k), slotDisp(c.height + k));
  dead_ = false;
}

void FuncCompiler::visitEnd() {
  Ctrl& c = ctrls_.back();
  if (c.try_index >= 0) closeTry(c);
  if (c.legacy >= 0) {
    if (legacy_[size_t(c.legacy)].in_catch) endCatchBody(c);
    else --try_depth_;  // a try without catch clauses catches nothing
  }
  if (c.kind == Ctrl::Function) {
    if (!dead_) emitReturn();
    a().bind(c.label);
    ctrls_.pop_back();
    return;
  }
  if (!dead_) moveToLabel(c, c.numResults());
  // spec 3.3.8: the end is reached by the fallthrough, a branch to the label, or an if's
  // missing else arm; otherwise what follows is dead code.
  bool reachable = !dead_ || (c.kind != Ctrl::Loop && c.targeted) || (c.kind == Ctrl::If && !c.has_else);
  // The caches after the end: those every edge into it agrees on. A loop's end is reached by
  // its fallthrough only; a block's or an if's also by the branches to its label (met in
  // at_label as they were emitted) and an if's missing else arm (the state at its jump).
  // Only the fallthrough reaches a loop's end, or a block's nothing branches to: no join, and
  // the caches go on as they are, dirty ones included. Any other end is a label: the
  // fallthrough's edge flushes like a branch's.
  bool join = (c.kind != Ctrl::Loop && c.targeted) || (c.kind == Ctrl::If && !c.has_else);
  if (!dead_ && join) edgeInto(c, false);  // the fallthrough's edge
  CacheState after;
  if (c.kind != Ctrl::Loop) after = c.at_label;
  if (c.kind == Ctrl::If && !c.has_else) meet(after, c.at_else);
  if (c.kind == Ctrl::If && !c.has_else) a().bind(c.else_label);
  if (c.kind != Ctrl::Loop) {
    a().bind(c.label);
    patchTableEntries(c);
  }
  for (size_t i = c.height; i < stack_.size(); ++i) release(stack_[i]);
  stack_.resize(c.height);
  if (!join && !dead_) {
    retakeCaches();  // every entry below a block's height is in its slot
  } else {
    clearCaches();
    gpr_used_ = xmm_used_ = 0;  // every entry below a block's height is in its slot
    if (reachable) adoptCaches(after);
    if (reachable && c.keep_loop >= 0) markBindingsDirty(c.keep_loop);
  }
  for (size_t k = 0; k < c.numResults(); ++k) {
    Val v;
    v.loc = Loc::Mem;
    v.kind = c.result(k);
    v.disp = slotDisp(stack_.size());
    max_height_ = std::max(max_height_, stack_.size() + 1);
    push(v);
  }
  dead_ = !reachable;
  if (c.kind == Ctrl::Loop) closeLoop(c);
  ctrls_.pop_back();
}

// The top n values to the slots where the target label expects them. Ascending order is safe:
// the k-th value sits at or above its destination, so a store never clobbers a value not yet
// moved.
void FuncCompiler::moveToLabel(const Ctrl& target, size_t n) {
  size_t first = stack_.size() - n;
  for (size_t k = 0; k < n; ++k) {
    size_t dst = target.height + k;
    storeTo(stack_[first + k], slotDisp(dst));
    max_height_ = std::max(max_height_, dst + 1);
  }
}

void FuncCompiler::emitBranch(uint32_t depth) {
  Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
  if (t.kind == Ctrl::Function) return emitReturn();
  t.targeted = true;
  moveToLabel(t, t.numLabelValues());
  // The label's code reads locals from their homes (but for the bindings it keeps): this edge
  // writes the dirty ones back. Conditional branches come here too, so the compiler's state
  // keeps them dirty for the code after the branch.
  if (t.kind == Ctrl::Loop) {
    flushFor(t, /*keep_dirty=*/true);
    establishCaches(t.at_label);
  } else {
    edgeInto(t, /*keep_dirty=*/true);
  }
  a().jmp(t.label);
}

// A branch to t needs no code of its own (but a flush): its values are already in the label's
// slots, and a loop's bindings hold.
bool FuncCompiler::edgeInPlace(const Ctrl& t) const {
  if (t.kind == Ctrl::Function || (t.kind == Ctrl::Loop && !cachesHold(t.at_label))) return false;
  if (t.kind != Ctrl::Loop && t.keep_loop >= 0 && !cachesHold(ctrls_[size_t(t.keep_loop)].at_label)) return false;
  size_t n = t.numLabelValues();
  for (size_t k = 0; k < n; ++k) {
    const Val& v = stack_[stack_.size() - n + k];
    if (v.loc != Loc::Mem || v.disp != slotDisp(t.height + k)) return false;
  }
  return true;
}

void FuncCompiler::branchIf(x86::CondCode cc, uint32_t depth) {
  Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
  // A conditional return must not move values on one path only: make them canonical first.
  if (t.kind == Ctrl::Function) spillAll();
  if (edgeInPlace(t)) {
    t.targeted = true;
    // Stores only (the bindings hold): the flags of the condition survive them.
    if (t.kind == Ctrl::Loop) flushFor(t, false);
    else edgeInto(t, false);
    a().j(cc, t.label);
    return;
  }
  Label skip = a().newLocal();
  a().j(x86::CondCode(uint8_t(cc) ^ 1), skip);
  emitBranch(depth);
  a().bind(skip);
}

void FuncCompiler::emitReturn() {
  size_t n = type_->results.size();
  size_t first = stack_.size() - n;
  // Results go to the argument area, where parameters live, in order: a value still reading
  // the home of a parameter that an earlier result overwrites moves to its own slot first (even
  // when a register caches it: the first result's register may evict that cache). One that
  // reads its own result slot or a later one needs no copy (storeTo writes a dirty cache over
  // its stale home).
  for (size_t k = 1; k < n; ++k) {
    const Val& v = stack_[first + k];
    if (v.loc == Loc::Mem && v.disp > 0 && v.disp < 16 + 16 * int32_t(k)) spillEntry(first + k);
  }
  // The first result in a register (it leaves in rax/xmm0 too): no reload after its store.
  if (n > 0 && stack_[first].loc == Loc::Mem && cacheOf(stack_[first]) < 0) {
    if (clsOf(stack_[first].kind) == Cls::Gpr) toGpr(stack_[first]);
    else toXmm(stack_[first]);
  }
  for (size_t k = 0; k < n; ++k) storeTo(stack_[first + k], 16 + 16 * int32_t(k));
  // The first result also leaves in rax or xmm0 (docs/jit.md "Calling convention"): a native
  // caller takes it from there without waiting for the store above.
  if (n > 0) {
    const Val& v = stack_[first];
    int c = cacheOf(v);
    if (clsOf(v.kind) == Cls::Gpr) {
      // An i32 leaves zero-extended, like every i32 in a register.
      if (v.loc == Loc::Reg) a().mov(rax, gpq(v.reg));
      else if (c >= 0) a().mov(rax, gpq(uint8_t(c)));
      else if (v.loc == Loc::Const) a().mov(rax, asmjit::imm(int64_t(is64(v.kind) ? v.imm : uint32_t(v.imm))));
      else if (is64(v.kind)) a().mov(rax, qword_ptr(rbp, 16));
      else a().mov(eax, dword_ptr(rbp, 16));
    } else {
      if (v.loc == Loc::Reg) a().movaps(xmm0, xmm(v.reg));
      else if (c >= 0) a().movaps(xmm0, xmm(uint8_t(c)));
      else a().movups(xmm0, xmmword_ptr(rbp, 16));
    }
  }
  emitEpilogue();
}

void FuncCompiler::emitEpilogue() {
  a().leave();
  a().ret();
}

x86::CondCode FuncCompiler::popCond() {
  Val v = pop();
  switch (v.loc) {
    case Loc::Flags: return v.cc;
    case Loc::Mem:
      if (int c = cacheOf(v); c >= 0) a().test(gpd(c), gpd(c));
      else a().cmp(dword_ptr(rbp, v.disp), 0);
      return CondCode::kNE;
    case Loc::Const:
      a().mov(r11d, asmjit::imm(uint32_t(v.imm)));
      a().test(r11d, r11d);
      return CondCode::kNE;
    case Loc::Reg: a().test(gpd(v.reg), gpd(v.reg)); return CondCode::kNE;
  }
  return CondCode::kNE;
}

void FuncCompiler::visitBrTable(const decode::Instr& in, const validate::InstrContext& c) {
  (void)in;
  const std::vector<uint32_t>& targets = c.reader->brTargets();  // the last one is the default
  uint32_t n = uint32_t(targets.size() - 1);
  if (n <= kBrTableChain) return brTableChain(targets);
  Gp r = toGpr(top());
  pop();  // r keeps the index: what follows allocates no register
  spillAll();
  flushCaches();  // once for every target (the landings' edges then find nothing dirty)
  // An index past the table takes the default, entry n: clamped rather than compared and
  // branched, so that nothing jumps forward to a landing. The landings are then all behind the
  // table's code when it is written, and each entry is a known delta rather than an asmjit label
  // (a label and its links were a third of what compiling a switch-heavy module allocated, and
  // the page faults of that memory a fifth of its compile time). cmov writes r32 whatever the
  // condition, so r's upper half is zero for the indexed load.
  a().mov(r11d, n);
  a().cmp(r.r32(), n);
  a().cmova(r.r32(), r11d);
  Label table = a().newLabel();
  a().lea(r11, x86::ptr(table));
  a().movsxd(r, dword_ptr(r11, r, 2));
  a().add(r, r11);
  a().jmp(r);
  // One landing per distinct depth, in the order of first use. In a table of more than
  // kDirectTargets distinct targets, a target whose edge needs no code (edgeInPlace: no values
  // to move, a loop's bindings holding) has none: its entries jump to the label itself, a
  // loop's head (bound) or a block's end (written when the end is bound, patchTableEntries).
  // shootout-switch dispatches 4,096 ways every iteration: its landings' jumps doubled the taken
  // branches the branch target buffer must hold, and it runs 6% faster without them. A small
  // table keeps its landings: bench/programs/bytecode's interpreter loop (18 targets) ran 20%
  // slower without them, with its code otherwise identical.
  constexpr uint32_t kDirect = UINT32_MAX, kDirectTargets = 256;
  std::vector<uint32_t>& landing_at = scratch_.landing_at;  // by depth: code offset + 1, 0 none
  landing_at.assign(ctrls_.size(), 0);
  uint32_t distinct = 0;
  for (uint32_t i = 0; i <= n && distinct <= kDirectTargets; ++i) distinct += !landing_at[targets[i]]++;
  landing_at.assign(ctrls_.size(), 0);
  for (uint32_t i = 0; i <= n; ++i) {
    uint32_t d = targets[i];
    if (landing_at[d]) continue;
    Ctrl& t = ctrls_[ctrls_.size() - 1 - d];
    if (distinct > kDirectTargets && edgeInPlace(t)) {
      landing_at[d] = kDirect;
      t.targeted = true;
      if (t.kind != Ctrl::Loop) meetInPlace(t);
      continue;
    }
    landing_at[d] = uint32_t(a().offset()) + 1;
    emitBranch(d);
  }
  a().align(asmjit::AlignMode::kData, 4);
  a().bind(table);
  auto table_at = uint32_t(a().offset());
  // The entries are written in one piece: one assembler call each was 1.8% of the instructions
  // of shootout-switch's compile (callgrind, 25.5 -> 25.0 M) and 0.7% of large's.
  std::vector<int32_t>& words = scratch_.table_words;
  words.resize(size_t(n) + 1);
  for (uint32_t i = 0; i <= n; ++i) {
    uint32_t d = targets[i];
    int64_t to = landing_at[d] - 1;
    if (landing_at[d] == kDirect) {
      Ctrl& t = ctrls_[ctrls_.size() - 1 - d];
      if (t.kind == Ctrl::Loop) {
        to = t.head_at;
      } else {
        table_entries_.push_back({table_at + 4 * i, table_at, t.table_entries});
        t.table_entries = int32_t(table_entries_.size() - 1);
        to = table_at;  // 0 until the end is bound
      }
    }
    words[i] = int32_t(to - int64_t(table_at));
  }
  a().embed(words.data(), words.size() * sizeof(int32_t));
  enterDead();
}

void FuncCompiler::patchTableEntries(const Ctrl& c) {
  if (c.table_entries < 0) return;
  uint8_t* buf = a().code()->textSection()->buffer().data();
  auto here = uint32_t(a().offset());
  for (int32_t k = c.table_entries; k >= 0; k = table_entries_[size_t(k)].next) {
    const TableEntry& e = table_entries_[size_t(k)];
    auto delta = int32_t(int64_t(here) - int64_t(e.table_at));
    std::memcpy(buf + e.at, &delta, 4);
  }
}

// A br_table of at most kBrTableChain entries besides the default is a chain of compares, as a
// C compiler does for a small switch: the index compared in place (a local's cache is not
// copied), each entry a conditional jump straight to its label when the edge needs no code
// (edgeInPlace), else to a landing after the default's branch. The jump table's clamp, load,
// add and indirect jump, then a landing's jump, cost shootout-minicsv's parser (a four-way
// br_table on its state per input byte) about ten instructions a byte.
void FuncCompiler::brTableChain(const std::vector<uint32_t>& targets) {
  uint32_t n = uint32_t(targets.size() - 1);
  int c = cacheOf(top());
  Gp r = c >= 0 ? gpq(uint8_t(c)) : toGpr(top());
  pop();  // r keeps the index: what follows allocates no register
  spillAll();
  flushCaches();
  // One landing per distinct depth, the default's first (it follows the chain): a return's
  // code may be emitted only once (emitReturn moves its value into a register).
  std::array<uint32_t, kBrTableChain + 1> depth{};
  std::array<Label, kBrTableChain + 1> landing{};
  uint32_t landings = 1;
  depth[0] = targets[n];
  landing[0] = a().newLocal();
  for (uint32_t i = 0; i < n; ++i) {
    Ctrl& t = ctrls_[ctrls_.size() - 1 - targets[i]];
    if (i == 0) a().test(r.r32(), r.r32());
    else a().cmp(r.r32(), i);
    if (edgeInPlace(t)) {
      t.targeted = true;
      if (t.kind != Ctrl::Loop) meetInPlace(t);
      a().je(t.label);
      continue;
    }
    uint32_t k = 0;
    while (k < landings && depth[k] != targets[i]) ++k;
    if (k == landings) {
      depth[k] = targets[i];
      landing[k] = a().newLocal();
      ++landings;
    }
    a().je(landing[k]);
  }
  for (uint32_t k = 0; k < landings; ++k) {
    a().bind(landing[k]);
    emitBranch(depth[k]);
  }
  enterDead();
}

}  // namespace strata::jit
