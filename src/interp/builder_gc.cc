// The bytecode builder's GC instructions (docs/gc.md): aggregates become one vm/gc_ops.h handler
// each, casts a RefTest/RefCast, br_on_cast a test and a conditional branch. And the frames'
// GC roots: the slot map of every safepoint (bytecode.h GcSite).
//
// Roots. The virtual operand stack knows where each value is (builder.h's essay), and each
// entry carries whether its type is a reference (typePushed: from the validator's record of
// what every instruction pushed). At a safepoint, a reference is live in the frame as one of:
// a parameter or declared local (FuncCode::ref_locals, listed once: live everywhere, the
// declared ones zeroed on entry); a Home entry (its home slot, listed per site); a Local entry
// (the local's slot, listed already); or a Const (ref.null, nothing to keep). A home slot of
// an entry that is not Home holds whatever was last stored there, possibly a dead object's
// address: that is what the conservative scan of every word kept alive, and what the slot map
// leaves out. The hidden exnref slot of a legacy catch (builder_exceptions.cc) is not typed as
// a reference: exceptions are not heap objects, and the collector traces their payloads from
// the store's list (vm/gc.cc). Caught payloads are ordinary typed entries (the validator
// pushes them at `catch`, and try_table's label values at the label).
#include "interp/builder.h"

namespace strata::interp {

using ir::Opcode;

namespace {

bool wideStorage(const ir::FieldType& f) {
  return f.storage.packed == ir::Packed::None && f.storage.type.kind == ir::ValKind::V128;
}

}  // namespace

// struct.new and array.new_fixed read their operands like call arguments: consecutive slots
// from the first one's home, which is also where the result goes.
Slot Builder::takeConsecutive(size_t n) {
  materializeTop(n);
  Slot args = n ? stack_[stack_.size() - n].home : homeAt(stack_.size());
  stack_.resize(stack_.size() - n);
  return args;
}

void Builder::typePushed(std::span<const ir::ValType> pushed) {
  if (pushed.size() > stack_.size()) return;  // unreachable code the builder does not track
  Entry* e = stack_.data() + (stack_.size() - pushed.size());
  for (const ir::ValType& t : pushed) (e++)->ref = t.kind == ir::ValKind::Ref;
}

void Builder::liveRefs(size_t skip) {
  site_slots_.clear();
  for (size_t i = 0; i + skip < stack_.size(); ++i)
    if (stack_[i].ref && stack_[i].kind == Kind::Home) site_slots_.push_back(stack_[i].home);
}

void Builder::addSite(uint32_t at, const SigInfo* sig, Slot args) {
  GcSite g{at, pos(), uint32_t(out_.gc_slots.size()), uint32_t(site_slots_.size()), sig, args};
  // Consecutive sites often see the same stack: they share its list.
  if (!out_.gc_sites.empty()) {
    const GcSite& p = out_.gc_sites.back();
    auto prev = out_.gc_slots.begin() + p.first;
    if (p.count == g.count && std::equal(site_slots_.begin(), site_slots_.end(), prev)) g.first = p.first;
  }
  if (g.first == out_.gc_slots.size())
    out_.gc_slots.insert(out_.gc_slots.end(), site_slots_.begin(), site_slots_.end());
  out_.gc_sites.push_back(g);
}

void Builder::visitGc(const decode::Instr& in) {
  // Every vm/gc_ops.h handler is a safepoint (the allocating ones collect; the others cost
  // only their entry), its operands still on the stack.
  liveRefs(0);
  auto emitSite = [&](H h, const OpGc& op) { addSite(emit(h, op)); };
  OpGc o{};
  o.type = in.idx;
  o.idx = in.idx2;
  const ir::SubType* t = in.idx < module_.types.size() ? &module_.types[in.idx] : nullptr;
  Entry e[5];
  auto popN = [&](size_t n) {
    for (size_t i = n; i-- > 0;) e[i] = pop();
    Slot* s[5] = {&o.a, &o.b, &o.c, &o.d, &o.e};
    for (size_t i = 0; i < n; ++i) *s[i] = use(e[i]);
  };
  auto result = [&](H h, bool wide = false) {
    o.dst = pushHome(wide).home;
    emitSite(h, o);
  };
  switch (in.op) {
    // The VM represents host references the same way in both hierarchies (docs/gc.md).
    case Opcode::AnyConvertExtern:
    case Opcode::ExternConvertAny: return;
    case Opcode::RefI31:
    case Opcode::I31GetS:
    case Opcode::I31GetU: {
      Entry v = pop();
      Slot src = use(v);
      Slot dst = pushHome(false).home;
      emit(in.op == Opcode::RefI31 ? H::RefI31 : in.op == Opcode::I31GetS ? H::I31GetS : H::I31GetU,
           OpIndex{dst, src, 0});
      return;
    }
    case Opcode::RefEq: popN(2); return result(H::RefEq);
    case Opcode::StructNew:
      o.a = takeConsecutive(t->strct.fields.size());
      return result(H::StructNew);
    case Opcode::StructNewDefault: return result(H::StructNewDefault);
    case Opcode::StructGet:
    case Opcode::StructGetS:
    case Opcode::StructGetU: {
      popN(1);
      H h = in.op == Opcode::StructGet ? H::StructGet : in.op == Opcode::StructGetS ? H::StructGetS : H::StructGetU;
      return result(h, wideStorage(t->strct.fields[in.idx2]));
    }
    case Opcode::StructSet: popN(2); emitSite(H::StructSet, o); return;
    case Opcode::ArrayNew: popN(2); return result(H::ArrayNew);
    case Opcode::ArrayNewDefault: popN(1); o.b = o.a; return result(H::ArrayNewDefault);
    case Opcode::ArrayNewFixed:
      o.a = takeConsecutive(in.idx2);
      return result(H::ArrayNewFixed);
    case Opcode::ArrayNewData: popN(2); return result(H::ArrayNewData);
    case Opcode::ArrayNewElem: popN(2); return result(H::ArrayNewElem);
    case Opcode::ArrayGet:
    case Opcode::ArrayGetS:
    case Opcode::ArrayGetU: {
      popN(2);
      H h = in.op == Opcode::ArrayGet ? H::ArrayGet : in.op == Opcode::ArrayGetS ? H::ArrayGetS : H::ArrayGetU;
      return result(h, wideStorage(t->array.field));
    }
    case Opcode::ArraySet: popN(3); emitSite(H::ArraySet, o); return;
    case Opcode::ArrayLen: popN(1); return result(H::ArrayLen);
    case Opcode::ArrayFill: popN(4); emitSite(H::ArrayFill, o); return;
    case Opcode::ArrayCopy: popN(5); emitSite(H::ArrayCopy, o); return;
    case Opcode::ArrayInitData: popN(4); emitSite(H::ArrayInitData, o); return;
    case Opcode::ArrayInitElem: popN(4); emitSite(H::ArrayInitElem, o); return;
    case Opcode::RefTest:
    case Opcode::RefTestNull: {
      Entry v = pop();
      Slot src = use(v);
      Slot dst = pushHome(false).home;
      emit(H::RefTest, OpCast{dst, src, in.heap.bits, in.op == Opcode::RefTestNull});
      return;
    }
    case Opcode::RefCast:
    case Opcode::RefCastNull:
      emit(H::RefCast, OpCast{0, use(top()), in.heap.bits, in.op == Opcode::RefCastNull});
      return;
    default: return visitBrOnCast(in);
  }
}

// br_on_cast(_fail) l rt1 rt2 (spec 4.4.x): the reference stays on the stack on both paths
// (only its static type differs); the test result goes to a slot above it and the branch is
// the ordinary conditional one.
void Builder::visitBrOnCast(const decode::Instr& in) {
  Slot src = use(top());
  Slot cond = pushHome(false).home;
  emit(H::RefTest, OpCast{cond, src, in.heap2.bits, in.null2});
  pop();
  Cond c;
  c.slot = cond;
  branchIf(c, in.op == Opcode::BrOnCastFail, in.idx);
}

}  // namespace strata::interp
