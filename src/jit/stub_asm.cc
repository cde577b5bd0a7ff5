// The stubs' machine code (stubs.h), assembled with asmjit. Only strata_stubgen runs this,
// at build time: the process loads the bytes it wrote (stubs.cc).
//
// Entry (host or another tier -> machine code, vm::ArrayCallFn). Machine code clobbers every
// register but rsp and rbp (docs/jit.md "Calling convention"), so the entry saves the SysV
// callee-saved registers, links a record of itself into VMStoreContext::native_entry_sp (the
// trap path's unwind target), copies the RawVals into an argument area (the native convention
// uses the same 16-byte slots, so this is one block copy each way) and calls wasm_call.
//
//   [rbp-8..-40]  rbx r12 r13 r14 r15        [rbp-48] store context
//   [rbp-56]      previous native_entry_sp   <- native_entry_sp points here
//   [rbp-64]      vals                       [rbp-72] nvals
//   [rbp-80]      saved exit_fp              [rbp-88] saved exit_sp (vm::kEntrySavedExit*)
//   [below]       the argument area: max(nvals, kTailSlots) slots, 16-byte aligned (r10d)
//
// Trap: the trap stubs hand the trap to raiseTrap (stubs.cc), then set rsp to the entry's
// record and jump into the entry's epilogue, which returns false; or, when a baseline frame
// catches the wasm exception in flight, set rsp to that frame's and jump to its landing pad.
#include "jit/stub_asm.h"

#include <asmjit/x86.h>

#include <cstddef>

#include "jit/stubs.h"
#include "vm/abi.h"

namespace strata::jit {

namespace {

using namespace asmjit;
using namespace asmjit::x86;

constexpr int32_t kStoreCtx = offsetof(vm::VMContext, store_ctx);
constexpr int32_t kEntryLink = offsetof(vm::VMStoreContext, native_entry_sp);
constexpr int32_t kRecord = 56;  // rbp - native_entry_sp of an entry frame

}  // namespace

StubAssembly assembleStubs() {
  CodeHolder code;
  code.init(Environment::host());
  Assembler a(&code);
  Label entry = a.newLabel(), trap = a.newLabel(), done = a.newLabel(), unwind = a.newLabel();
  Label trap_c = a.newLabel(), trap_store = a.newLabel();

  a.bind(entry);
  a.push(rbp);
  a.mov(rbp, rsp);
  a.push(rbx);
  a.push(r12);
  a.push(r13);
  a.push(r14);
  a.push(r15);
  a.mov(rax, qword_ptr(rdi, offsetof(vm::VMFuncRef, vmctx)));
  a.mov(rax, qword_ptr(rax, kStoreCtx));
  a.push(rax);
  a.push(qword_ptr(rax, kEntryLink));
  a.mov(qword_ptr(rax, kEntryLink), rsp);
  a.push(rdx);
  a.push(rcx);
  // The collector walks this activation's frames from the exit state, the outer activation's
  // from the one saved here (vm::VMStoreContext::exit_fp).
  static_assert(vm::kEntrySavedExitFp == -(80 - kRecord) && vm::kEntrySavedExitSp == -(88 - kRecord));
  a.push(qword_ptr(rax, offsetof(vm::VMStoreContext, exit_fp)));
  a.push(qword_ptr(rax, offsetof(vm::VMStoreContext, exit_sp)));
  a.mov(rbx, rdi);
  // The area takes at least kTailSlots slots (what a tail call may reuse; its size goes to the
  // callee in r10d); nvals are copied.
  a.mov(rcx, qword_ptr(rbp, -72));
  a.mov(eax, kTailSlots);
  a.cmp(rcx, rax);
  a.cmovb(rcx, rax);
  a.mov(r10, rcx);
  a.shl(rcx, 4);
  a.sub(rsp, rcx);
  a.and_(rsp, -16);
  a.mov(rdi, rsp);
  a.mov(rsi, qword_ptr(rbp, -64));
  a.mov(rcx, qword_ptr(rbp, -72));
  a.shl(rcx, 4);
  a.rep().movsb();
  a.mov(rdi, qword_ptr(rbx, offsetof(vm::VMFuncRef, vmctx)));
  a.mov(rsi, rbx);
  a.call(qword_ptr(rbx, offsetof(vm::VMFuncRef, wasm_call)));
  a.mov(rdi, qword_ptr(rbp, -64));
  a.mov(rsi, rsp);
  a.mov(rcx, qword_ptr(rbp, -72));
  a.shl(rcx, 4);
  a.rep().movsb();
  a.mov(eax, 1);
  a.jmp(done);
  a.bind(unwind);
  a.lea(rbp, qword_ptr(rsp, kRecord));
  a.xor_(eax, eax);
  a.bind(done);
  a.mov(rcx, qword_ptr(rbp, -48));
  a.mov(rdx, qword_ptr(rbp, -56));
  a.mov(qword_ptr(rcx, kEntryLink), rdx);
  a.mov(rdx, qword_ptr(rbp, -80));
  a.mov(qword_ptr(rcx, offsetof(vm::VMStoreContext, exit_fp)), rdx);
  a.mov(rdx, qword_ptr(rbp, -88));
  a.mov(qword_ptr(rcx, offsetof(vm::VMStoreContext, exit_sp)), rdx);
  a.mov(r15, qword_ptr(rbp, -40));
  a.mov(r14, qword_ptr(rbp, -32));
  a.mov(r13, qword_ptr(rbp, -24));
  a.mov(r12, qword_ptr(rbp, -16));
  a.mov(rbx, qword_ptr(rbp, -8));
  a.leave();
  a.ret();

  // trap_c: the C-callable form (tiers whose code keeps no vmctx in r15): rdi = kind, rsi =
  // offset, rdx = vmctx, rcx = detail; the return address is the trapping pc.
  a.align(AlignMode::kCode, 16);
  a.bind(trap_c);
  a.mov(r8, qword_ptr(rdx, kStoreCtx));
  a.mov(r9, rcx);
  a.jmp(trap_store);
  a.align(AlignMode::kCode, 16);
  a.bind(trap);
  a.mov(r8, qword_ptr(r15, kStoreCtx));
  a.bind(trap_store);
  a.mov(rdx, qword_ptr(rsp));
  a.mov(rcx, rbp);
  a.and_(rsp, -16);
  // movabs rax, imm64: the loader writes raiseTrap's address over the placeholder, whose high
  // bits keep asmjit from choosing a shorter form.
  a.mov(rax, kRaiseTrapPlaceholder);
  Label after_imm = a.newLabel();
  a.bind(after_imm);
  a.call(rax);
  // raiseTrap returns rax = the stack pointer to take, rdx = a landing pad to jump to (a
  // handler caught a wasm exception) or 0 (unwind to the entry).
  a.mov(rsp, rax);
  a.test(rdx, rdx);
  a.jz(unwind);
  a.jmp(rdx);

  CodeBuffer& buf = code.textSection()->buffer();
  StubAssembly out;
  out.code.assign(buf.data(), buf.data() + buf.size());
  out.entry = uint32_t(code.labelOffset(entry));
  out.trap = uint32_t(code.labelOffset(trap));
  out.trap_store = uint32_t(code.labelOffset(trap_store));
  out.trap_c = uint32_t(code.labelOffset(trap_c));
  out.raise_trap_imm = uint32_t(code.labelOffset(after_imm)) - 8;
  return out;
}

}  // namespace strata::jit
