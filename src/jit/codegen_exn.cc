// Exception handling (spec 4.4.x throw, throw_ref, try_table, and the legacy try, catch,
// catch_all, delegate, rethrow; docs/exceptions.md "Machine code").
//
// No code runs on the path that throws nothing. A try_table leaves its body's code range and a
// landing pad per catch clause in the function's handler table (stubs.h HandlerRow, emitted
// after the code). A throw puts the exception in flight in the trap record and calls the trap
// stub from inside the body, so raiseTrap (stubs.cc) finds the clause at that pc, or at the
// call of each outer frame, resets rsp to the catching frame and jumps to the pad.
#include <algorithm>

#include "jit/codegen.h"
#include "jit/thunks.h"
#include "vm/exception.h"

namespace strata::jit {

using decode::CatchClause;
using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

// The pads come first, jumped over, then the body (as the interpreter lays its clause stubs
// out): each starts from the try_table's own state, which is known here and simple on purpose:
// every operand in its own slot, every local in its home, no register holding anything. A pad
// is entered from the unwinder, which knows none of what this function cached in registers at
// the throw; every call and throw in the body has stored its registers and dirty locals anyway
// (spillRegs), and nothing below the try_table's operands changes inside it.
void FuncCompiler::enterTry() {
  spillRegs();
  spillAll();
  gpr_used_ = xmm_used_ = 0;
  max_out_ = std::max<uint32_t>(max_out_, 1);  // [rsp]: the exception, [rsp + 8]: rbp
}

void FuncCompiler::visitTryTable(const decode::Instr& in, const validate::InstrContext& ctx) {
  const validate::BlockSig& sig = ctx.frames.back().sig;
  enterTry();
  const std::vector<Val> saved(stack_.begin(), stack_.end());
  const size_t height = stack_.size() - sig.num_params;  // where the label's values go
  Try t;
  asmjit::Label body = a().newLocal();
  a().jmp(body);
  for (const CatchClause& c : ctx.reader->catches()) {
    HandlerRow row{};
    row.pad = uint32_t(a().offset()) - code_start_;
    row.tag = c.tag;
    row.kind = uint32_t(c.kind);
    row.depth = uint32_t(ctrls_.size());  // the try_table's, once open
    t.pads.push_back(row);
    enterPad();
    stack_.resize(height);
    bool with_tag = c.kind == CatchClause::Kind::Catch || c.kind == CatchClause::Kind::CatchRef;
    if (with_tag) {
      copyPayload(c.tag, height);
      for (const ir::ValType& p : module_.tagFuncType(c.tag).params) pushOwnSlot(p.kind);
    }
    if (c.kind == CatchClause::Kind::CatchRef || c.kind == CatchClause::Kind::CatchAllRef) {
      a().mov(qword_ptr(rbp, slotDisp(stack_.size())), rax);
      pushOwnSlot(ValKind::Ref);
    } else {
      // No reference to it survives this clause: freed unless an exnref of it exists.
      a().mov(rdi, rax);
      a().mov(rsi, r15);
      callExtern(kExternCaught);
    }
    // The clause's label counts from outside the try_table (spec 3.3.8.x), which is not open
    // yet: an ordinary branch.
    emitBranch(c.label);
    stack_.clear();
    for (const Val& v : saved) push(v);
    dead_ = false;
    clearCaches();
    gpr_used_ = xmm_used_ = 0;
  }
  a().bind(body);
  t.start = uint32_t(a().offset()) - code_start_;
  visitBlock(in, ctx);
  ctrls_.back().try_index = int32_t(tries_.size());
  ctrls_.back().keep_loop = -1;  // handlers land with every cache dropped: the labels stay clean
  tries_.push_back(std::move(t));
  ++try_depth_;
}

// The body's code ends here: its clauses' rows, after those of every try_table nested in it
// (closed before), so that the first row containing a pc is the innermost.
void FuncCompiler::closeTry(const Ctrl& c) {
  Try& t = tries_[size_t(c.try_index)];
  auto end = uint32_t(a().offset()) - code_start_;
  for (HandlerRow r : t.pads) {
    r.start = t.start;
    r.end = end;
    handler_rows_.push_back(r);
  }
  --try_depth_;
}

void FuncCompiler::visitThrow(const decode::Instr& in) {
  spillRegs();
  if (in.op == Opcode::ThrowRef) {
    Val v = pop();
    loadArg(v, rdi, true);
    a().test(rdi, rdi);
    trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullExceptionReference));
    a().mov(rsi, r15);
    callExtern(kExternThrowRef);
  } else {
    const ir::FuncType& ft = module_.tagFuncType(in.idx);
    size_t n = ft.params.size(), first = stack_.size() - n;
    for (size_t i = 0; i < n; ++i) storeOut(stack_[first + i], int32_t(16 * i));
    max_out_ = std::max<uint32_t>(max_out_, uint32_t(std::max<size_t>(n, 1)));
    for (size_t i = 0; i < n; ++i) pop();
    a().mov(rdi, rsp);
    a().mov(rsi, r15);
    a().mov(rdx, asmjit::imm(int64_t(uint64_t(in.idx) | uint64_t(n) << 32)));
    callExtern(kExternThrow);
  }
  propagateInline();
  enterDead();
}

// ---- the legacy form ----

// `try` is a block whose do part is covered like a try_table's body; `catch x` / `catch_all`
// ends the do part (or the previous catch body) like `else` ends an if's first arm and starts
// a body that the unwinder enters through a landing pad; `delegate l` ends the try with a row
// that sends the do part's exceptions to the handlers around label l; `rethrow l` throws the
// exception of the catch body l again, kept in a slot of that body that the validator does not
// know of (below the payload), as the interpreter does.
void FuncCompiler::visitLegacy(const decode::Instr& in, const validate::InstrContext& ctx) {
  switch (in.op) {
    case Opcode::Try: {
      enterTry();
      visitBlock(in, ctx);
      Legacy l;
      l.start = uint32_t(a().offset()) - code_start_;
      l.height = ctrls_.back().height;
      ctrls_.back().legacy = int32_t(legacy_.size());
      ctrls_.back().keep_loop = -1;  // its catch bodies start with every cache dropped
      legacy_.push_back(l);
      ++try_depth_;
      return;
    }
    case Opcode::Catch:
    case Opcode::CatchAll: {
      Ctrl& t = ctrls_.back();
      Legacy& l = legacy_[size_t(t.legacy)];
      if (l.in_catch) {
        endCatchBody(t);
      } else {
        l.end = uint32_t(a().offset()) - code_start_;
        --try_depth_;
      }
      if (!dead_) leaveArm(t);  // to the try's end, as an if's first arm goes to its end
      for (size_t i = t.height; i < stack_.size(); ++i) release(stack_[i]);
      stack_.resize(t.height);
      clearCaches();
      gpr_used_ = xmm_used_ = 0;
      // The body's state, which its landing pad makes hold: the hidden slot, the payload.
      l.exn_disp = slotDisp(stack_.size());
      pushOwnSlot(ValKind::Ref);
      l.clause = HandlerRow{};
      l.clause.kind = uint32_t(in.op == Opcode::Catch ? CatchClause::Kind::Catch : CatchClause::Kind::CatchAll);
      l.clause.tag = in.idx;
      l.clause.depth = uint32_t(ctrls_.size() - 1);
      if (in.op == Opcode::Catch)
        for (const ir::ValType& p : module_.tagFuncType(in.idx).params) pushOwnSlot(p.kind);
      l.rethrown = l.nested = false;
      l.body = a().newLocal();
      a().bind(l.body);
      l.in_catch = true;
      dead_ = false;
      return;
    }
    case Opcode::Delegate: {
      Ctrl& t = ctrls_.back();
      Legacy& l = legacy_[size_t(t.legacy)];
      HandlerRow r{};
      r.start = l.start;
      r.end = uint32_t(a().offset()) - code_start_;
      r.kind = kDelegateRow;
      r.depth = uint32_t(ctrls_.size() - 1);
      r.delegate = r.depth - 1 - in.idx;  // label l counts from outside the try
      handler_rows_.push_back(r);
      --try_depth_;
      t.legacy = -1;  // ends like a block
      visitEnd();
      return;
    }
    default: {  // rethrow l
      Ctrl& target = ctrls_[ctrls_.size() - 1 - in.idx];
      Legacy& l = legacy_[size_t(target.legacy)];
      l.rethrown = true;
      // A handler between here and the catch body may catch what this throws while the hidden
      // slot still holds it (and rethrow it again): then it must never be freed.
      for (size_t i = size_t(&target - ctrls_.data()) + 1; i < ctrls_.size(); ++i)
        if (ctrls_[i].try_index >= 0 || (ctrls_[i].legacy >= 0 && !legacy_[size_t(ctrls_[i].legacy)].in_catch))
          l.nested = true;
      spillRegs();
      a().mov(rdi, qword_ptr(rbp, l.exn_disp));
      a().mov(rsi, r15);
      callExtern(kExternThrowRef);
      propagateInline();
      enterDead();
      return;
    }
  }
}

// The landing pad of the catch body just completed (jumped over): the payload to its slots,
// the exception to the hidden slot if a rethrow reads it, else freed unless exposed; then the
// body. Its row covers the do part.
void FuncCompiler::endCatchBody(Ctrl& c) {
  Legacy& l = legacy_[size_t(c.legacy)];
  asmjit::Label over = a().newLocal();
  if (!dead_) a().jmp(over);
  HandlerRow r = l.clause;
  r.start = l.start;
  r.end = l.end;
  r.pad = uint32_t(a().offset()) - code_start_;
  enterPad();
  if (r.kind == uint32_t(CatchClause::Kind::Catch)) copyPayload(r.tag, l.height + 1);
  if (l.rethrown) {
    a().mov(qword_ptr(rbp, l.exn_disp), rax);
    if (l.nested) a().mov(dword_ptr(rax, offsetof(vm::VMException, exposed)), 1);
  } else {
    // Cleared: the body's stack maps list the hidden slot (a reference entry), which would
    // otherwise show whatever an earlier frame left at its address.
    a().mov(qword_ptr(rbp, l.exn_disp), 0);
    a().mov(rdi, rax);
    a().mov(rsi, r15);
    callExtern(kExternCaught);
  }
  a().jmp(l.body);
  a().bind(over);
  if (r.start != r.end) handler_rows_.push_back(r);  // an empty do part throws nothing
  l.in_catch = false;
}

// A landing pad's start: the frame's rbp (the unwinder left it at [rsp + 8]), its instance and
// memory base; rax = the exception.
void FuncCompiler::enterPad() {
  a().mov(rbp, qword_ptr(rsp, 8));
  reloadContext();
  a().mov(rax, qword_ptr(rsp));
}

// The payload of `tag` from the exception in rax to the slots from `height` on. It is in the
// array-call form: value j in the low bytes of 16-byte slot j.
void FuncCompiler::copyPayload(uint32_t tag, size_t height) {
  const ir::FuncType& ft = module_.tagFuncType(tag);
  for (size_t j = 0; j < ft.params.size(); ++j) {
    auto from = int32_t(offsetof(vm::VMException, vals) + 16 * j);
    int32_t to = slotDisp(height + j);
    a().mov(r11, qword_ptr(rax, from));
    a().mov(qword_ptr(rbp, to), r11);
    if (ft.params[j].kind == ValKind::V128) {
      a().mov(r11, qword_ptr(rax, from + 8));
      a().mov(qword_ptr(rbp, to + 8), r11);
    }
  }
}

void FuncCompiler::pushOwnSlot(ValKind k) {
  max_height_ = std::max(max_height_, stack_.size() + 1);
  pushMem(k, slotDisp(stack_.size()));
}

// The trap stub, called from here: its return address lies in this instruction's code, inside
// every try_table around it, where raiseTrap looks for a clause.
void FuncCompiler::propagateInline() {
  a().mov(edi, kPropagate);
  a().mov(esi, uint32_t(wasm_offset_));
  a().call(ms_.trap_tramp);
}

void FuncCompiler::propagateIfFalse() {
  if (try_depth_ == 0) {
    a().jz(trapLabel(kPropagate));
    return;
  }
  asmjit::Label ok = a().newLocal();
  a().jne(ok);
  propagateInline();
  a().bind(ok);
}

void FuncCompiler::emitHandlerTable() {
  if (handler_rows_.empty()) return;
  // Ranges that hold one pc are nested: the deepest is the innermost.
  std::stable_sort(handler_rows_.begin(), handler_rows_.end(),
                   [](const HandlerRow& x, const HandlerRow& y) { return x.depth > y.depth; });
  // One embed for the padding, not a loop of int3: when the chunk's buffer is full every emit
  // fails without advancing (compileModule then retries with a larger reservation), and the
  // loop never ended (fuzz_eh seed 9251 hung the compiler).
  static const uint8_t kInt3s[3] = {0xcc, 0xcc, 0xcc};
  if (size_t pad = (4 - (a().offset() - code_start_) % 4) % 4) a().embed(kInt3s, pad);
  auto at = uint32_t(a().offset()) - code_start_;
  HandlerTableHeader h{0, uint32_t(handler_rows_.size())};  // the frame size is patched in onEnd
  a().embed(&h, sizeof h);
  a().embed(handler_rows_.data(), handler_rows_.size() * sizeof(HandlerRow));
  handler_table_at_ = at;
  ms_.sites->push_back({at, 0, vm::SiteKind::Handlers, {}});
}

}  // namespace strata::jit
