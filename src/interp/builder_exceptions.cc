// The bytecode builder's exception handling: throw, throw_ref, try_table, and the legacy
// try/catch/catch_all/delegate/rethrow (docs/exceptions.md has the design).
//
// A protected body costs nothing while nothing is thrown: the builder records the bytecode
// range of each try_table body (and each legacy `do` part) with its catch clauses in a side
// table (FuncCode::handlers), and the dispatch loop consults it only when an exception is
// thrown (exceptions.cc). A clause says where the handler's code starts and into which frame
// slots the exception's payload and exnref go:
//
// * try_table: each clause gets a stub, emitted before the body (which jumps over them), that
//   branches to the clause's label like `br` would: the stub starts with the label's values
//   as a virtual stack at the try_table's own height, so the ordinary branch code moves them
//   into the label's home (or returns them, for the function's label).
// * legacy try: a catch body is the handler code itself. Its first stack slot holds the caught
//   exception (an entry the validator does not know of, so `rethrow` can throw it again; stored
//   only when the body has a rethrow), the tag's payload comes above it; at the end of the
//   catch body the results move down over it. The slot dies with the catch body, so it does
//   not count as an exposed reference unless a handler inside the same body may catch the
//   rethrown exception while the slot still holds it.
#include "interp/builder.h"

namespace strata::interp {

using ir::Opcode;

void Builder::visitException(const decode::Instr& in, const validate::InstrContext& c) {
  switch (in.op) {
    case Opcode::TryTable: return visitTryTable(in, c);
    case Opcode::Try: {
      visitBlock(in);
      markLabel();
      Ctrl& t = ctrls_.back();
      t.legacy_try = true;
      t.try_begin = pos();
      return;
    }
    case Opcode::Catch:
    case Opcode::CatchAll: return visitCatch(in);
    case Opcode::Delegate: return visitDelegate(in);
    default: return visitThrow(in);
  }
}

// spec 4.4.x throw / throw_ref, and the legacy rethrow: all end the block's reachable code.
void Builder::visitThrow(const decode::Instr& in) {
  if (in.op == Opcode::Throw) {
    uint32_t type_index = module_.tags[in.idx].type.type_index;
    size_t n = module_.types[type_index].func.params.size();
    // The payload is read like call arguments: consecutive slots from the first one's home.
    materializeTop(n);
    Slot args = n ? stack_[stack_.size() - n].home : homeAt(stack_.size());
    emit(H::Throw, OpThrow{&(*mc_.sigs)[type_index], args, in.idx});
    stack_.resize(stack_.size() - n);
  } else if (in.op == Opcode::ThrowRef) {
    Entry ref = pop();
    emit(H::ThrowRef, OpSlot{use(ref)});
  } else {  // rethrow l: the exception caught by the catch body at label l
    size_t target = ctrls_.size() - 1 - in.idx;
    Ctrl& t = ctrls_[target];
    t.rethrown = true;
    // A handler between here and the catch body may catch what this throws while the hidden
    // slot still holds it (and rethrow it again): then it must never be freed early.
    for (size_t i = target + 1; i < ctrls_.size(); ++i)
      if (ctrls_[i].handler >= 0 || (ctrls_[i].legacy_try && !ctrls_[i].in_catch)) t.rethrown_nested = true;
    emit(H::ThrowRef, OpSlot{t.exn_slot});
  }
  enterDead();
}

void Builder::visitTryTable(const decode::Instr& in, const validate::InstrContext& c) {
  const std::vector<decode::CatchClause>& clauses = c.reader->catches();
  std::vector<ir::ValType> params, results;
  blockSig(in.block, params, results);
  materializeLocals();
  PendingHandler h;
  h.range.depth = uint32_t(ctrls_.size());
  if (!clauses.empty()) {
    // The stubs see the stack without the try_table's parameters (dead once something throws)
    // and with the label's values at their place: the payload, then the exnref.
    size_t height = stack_.size() - params.size();
    std::vector<Entry> saved(stack_.begin() + long(height), stack_.end());
    stack_.resize(height);
    closeWindow();
    uint32_t skip = emit(H::Br, OpBr{0});
    for (const decode::CatchClause& cc : clauses) {
      markLabel();
      CatchEntry e;
      e.target = pos();
      e.payload = homeAt(height);
      bool tagged = cc.kind == decode::CatchClause::Kind::Catch || cc.kind == decode::CatchClause::Kind::CatchRef;
      if (tagged) {
        uint32_t type_index = module_.tags[cc.tag].type.type_index;
        e.tag = cc.tag;
        e.sig = &(*mc_.sigs)[type_index];
        for (const ir::ValType& t : module_.types[type_index].func.params) pushHome(isWide(t));
      }
      if (cc.kind == decode::CatchClause::Kind::CatchRef || cc.kind == decode::CatchClause::Kind::CatchAllRef) {
        e.store_exn = e.expose = true;
        e.exn = pushHome(false).home;
      }
      // The clause's label counts from outside the try_table (spec 3.3.8.x), as here.
      emitBranch(cc.label);
      stack_.resize(height);
      h.clauses.push_back(e);
    }
    patchRel(Fixup{skip, skip + 8}, pos());
    for (const Entry& e : saved) push(e);
  }
  visitBlock(in);
  markLabel();
  h.range.begin = pos();
  if (h.clauses.empty()) return;  // catches nothing: a block
  ctrls_.back().handler = int(handlers_.size());
  handlers_.push_back(std::move(h));
}

// Legacy `catch x` / `catch_all`: ends the `do` part (or the previous catch body) like `else`
// ends an if's first arm, and starts the handler code of one more clause.
void Builder::visitCatch(const decode::Instr& in) {
  Ctrl& t = ctrls_.back();
  size_t depth = ctrls_.size() - 1;
  if (!t.in_catch) {
    PendingHandler h;
    h.range = HandlerRange{t.try_begin, pos(), uint32_t(depth), kNoDelegate, 0, 0};
    t.handler = int(handlers_.size());
    handlers_.push_back(std::move(h));
  } else {
    endCatchBody(t);
  }
  if (!dead_) {
    if (t.in_catch) moveValues(t, t.results.size());
    else materializeTop(t.results.size());
    emitJump(t);
  }
  markLabel();
  stack_.resize(t.height);
  CatchEntry e;
  e.target = pos();
  e.exn = pushHome(false).home;  // stored only if the body rethrows (endCatchBody)
  t.exn_slot = e.exn;
  t.rethrown = t.rethrown_nested = false;
  if (in.op == Opcode::Catch) {
    uint32_t type_index = module_.tags[in.idx].type.type_index;
    e.tag = in.idx;
    e.sig = &(*mc_.sigs)[type_index];
    e.payload = homeAt(stack_.size());
    for (const ir::ValType& p : module_.types[type_index].func.params) pushHome(isWide(p));
  }
  handlers_[size_t(t.handler)].clauses.push_back(e);
  t.in_catch = true;
  dead_ = false;
}

// Legacy `delegate l`: the `do` part's exceptions go on to the handlers around label l, counted
// from outside the try (l = 0: the block around the try); the try then ends like a block.
void Builder::visitDelegate(const decode::Instr& in) {
  Ctrl& t = ctrls_.back();
  uint32_t depth = uint32_t(ctrls_.size() - 1);
  PendingHandler h;
  h.range = HandlerRange{t.try_begin, pos(), depth, depth - 1 - in.idx, 0, 0};
  handlers_.push_back(std::move(h));
  visitEnd();
}

// The catch body's code is complete: its clause keeps the exception only for a rethrow in it.
void Builder::endCatchBody(const Ctrl& c) {
  CatchEntry& e = handlers_[size_t(c.handler)].clauses.back();
  e.store_exn = c.rethrown;
  e.expose = c.rethrown_nested;
}

void Builder::endHandlers(Ctrl& c) {
  if (c.handler >= 0 && !c.legacy_try) handlers_[size_t(c.handler)].range.end = pos();
  if (c.in_catch) endCatchBody(c);
  if (c.in_catch && !dead_) {
    moveValues(c, c.results.size());
    stack_.resize(c.height);
    for (const ir::ValType& t : c.results) pushHome(isWide(t));
  }
}

void Builder::finishHandlers() {
  // Ranges holding one pc are nested, so the deepest is the innermost (exceptions.cc).
  std::stable_sort(handlers_.begin(), handlers_.end(), [](const PendingHandler& a, const PendingHandler& b) {
    return a.range.depth > b.range.depth;
  });
  for (PendingHandler& h : handlers_) {
    if (h.range.begin == h.range.end) continue;  // nothing in it can throw
    h.range.first = uint32_t(out_.catches.size());
    h.range.count = uint32_t(h.clauses.size());
    out_.catches.insert(out_.catches.end(), h.clauses.begin(), h.clauses.end());
    out_.handlers.push_back(h.range);
  }
}

}  // namespace strata::interp
