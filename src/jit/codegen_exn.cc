// Exception handling, the 3.0 form (spec 4.4.x throw, throw_ref, try_table; docs/exceptions.md
// "Machine code"). The legacy form (try, catch, delegate, rethrow) is not compiled here: a
// module using it goes to the interpreter.
//
// No code runs on the path that throws nothing. A try_table leaves its body's code range and a
// landing pad per catch clause in the function's handler table (stubs.h HandlerRow, emitted
// after the code). A throw puts the exception in flight in the trap record and calls the trap
// stub from inside the body, so raiseTrap (stubs.cc) finds the clause at that pc, or at the
// call of each outer frame, resets rsp to the catching frame and jumps to the pad.
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
void FuncCompiler::visitTryTable(const decode::Instr& in, const validate::InstrContext& ctx) {
  const validate::BlockSig& sig = ctx.frames.back().sig;
  spillRegs();
  spillAll();
  gpr_used_ = xmm_used_ = 0;
  max_out_ = std::max<uint32_t>(max_out_, 1);  // [rsp]: the exception, [rsp + 8]: rbp
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
    t.pads.push_back(row);
    a().mov(rbp, qword_ptr(rsp, 8));
    reloadContext();
    a().mov(rax, qword_ptr(rsp));
    stack_.resize(height);
    auto pushSlot = [&](ValKind k) {
      Val v;
      v.loc = Loc::Mem;
      v.kind = k;
      v.disp = slotDisp(stack_.size());
      max_height_ = std::max(max_height_, stack_.size() + 1);
      push(v);
    };
    bool with_tag = c.kind == CatchClause::Kind::Catch || c.kind == CatchClause::Kind::CatchRef;
    if (with_tag) {
      const ir::FuncType& ft = module_.types[module_.tags[c.tag].type.type_index].func;
      for (size_t j = 0; j < ft.params.size(); ++j) {
        // The payload is in the array-call form: value j in the low bytes of 16-byte slot j.
        ValKind k = ft.params[j].kind;
        auto from = int32_t(offsetof(vm::VMException, vals) + 16 * j);
        int32_t to = slotDisp(stack_.size());
        a().mov(r11, qword_ptr(rax, from));
        a().mov(qword_ptr(rbp, to), r11);
        if (k == ValKind::V128) {
          a().mov(r11, qword_ptr(rax, from + 8));
          a().mov(qword_ptr(rbp, to + 8), r11);
        }
        pushSlot(k);
      }
    }
    if (c.kind == CatchClause::Kind::CatchRef || c.kind == CatchClause::Kind::CatchAllRef) {
      a().mov(qword_ptr(rbp, slotDisp(stack_.size())), rax);
      pushSlot(ValKind::Ref);
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
    const ir::FuncType& ft = module_.types[module_.tags[in.idx].type.type_index].func;
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
  while ((a().offset() - code_start_) % 4 != 0) a().int3();
  auto at = uint32_t(a().offset()) - code_start_;
  HandlerTableHeader h{0, uint32_t(handler_rows_.size())};  // the frame size is patched in onEnd
  a().embed(&h, sizeof h);
  a().embed(handler_rows_.data(), handler_rows_.size() * sizeof(HandlerRow));
  handler_table_at_ = at;
  ms_.sites->push_back({at, 0, vm::SiteKind::Handlers, {}});
}

}  // namespace strata::jit
