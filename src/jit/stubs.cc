// The entry and trap stubs shared by every module compiled by a machine-code tier (baseline,
// llvm).
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
//   [below]       the argument area: max(nvals, kTailSlots) slots, 16-byte aligned (r10d)
//
// Trap (machine code -> entry). A trapping function calls (or the signal handler simulates a
// call to) the trap stub, which hands the trap kind, wasm offset, pc, frame pointer, vmctx and
// a detail (r9: the element index of "uninitialized element") to raiseTrap (C++): it records the trap and walks the frame-pointer chain from the trapping
// function outward, one backtrace frame per machine-code function, until the return address
// lies in this stub image (the entry). The stub then sets rsp to the entry's record and jumps
// into the entry's epilogue, which returns false: the caller of the entry (the runtime, the
// interpreter or a host function) unwinds as for any trapping callee.
#include "jit/stubs.h"

#include <asmjit/x86.h>
#include <fmt/core.h>

#include <memory>
#include <mutex>
#include <optional>

#include "vm/code_image.h"

namespace strata::jit {

namespace {

using namespace asmjit;
using namespace asmjit::x86;

constexpr int32_t kStoreCtx = offsetof(vm::VMContext, store_ctx);
constexpr int32_t kEntryLink = offsetof(vm::VMStoreContext, native_entry_sp);
constexpr int32_t kRecord = 56;  // rbp - native_entry_sp of an entry frame

uintptr_t raiseTrap(uint32_t kind, uint32_t wasm_offset, uintptr_t pc, uintptr_t fp, vm::VMStoreContext* store_ctx,
                    uint64_t detail) {
  vm::TrapRecord* trap = store_ctx->trap;
  if (kind == kPropagate) trap->pending = true;
  else trap->raise(vm::TrapKind(kind));
  // The reference interpreter names the element ("uninitialized element 2").
  if (kind == uint32_t(vm::TrapKind::UninitializedElement)) trap->message = fmt::format("uninitialized element {}", detail);
  const vm::CodeImage* image = vm::findCodeImage(pc);
  // pc is a return address (possibly just past the function's last stub) or a faulting
  // instruction (never a function's first byte): pc - 1 lies in the function either way.
  if (image && image->isModule()) {
    if (const vm::FuncCodeInfo* f = image->funcAt(pc - 1)) trap->frames.push_back({image->module(), f->func_index, wasm_offset});
  }
  // Outer frames: every machine-code frame starts with push rbp; mov rbp, rsp.
  for (;;) {
    auto ret = *reinterpret_cast<const uintptr_t*>(fp + 8);
    fp = *reinterpret_cast<const uintptr_t*>(fp);
    const vm::CodeImage* img = vm::findCodeImage(ret);
    if (!img || !img->isModule()) break;
    const vm::FuncCodeInfo* f = img->funcAt(ret - 1);
    if (!f) break;
    std::optional<vm::CodeSite> site = img->siteAt(ret, vm::SiteKind::Call);
    // An image whose sites come from a line table (ImageKind::ModuleLines) has code of its own
    // before each function's first instruction, its entry from the native convention: that
    // frame is the function's own entry, not a wasm frame.
    if (!site && img->kind() == vm::ImageKind::ModuleLines) continue;
    trap->frames.push_back({img->module(), f->func_index, site ? site->wasm : 0});
  }
  return store_ctx->native_entry_sp;
}

struct StubImage {
  std::unique_ptr<vm::CodeImage> image;
  Stubs stubs;
};

StubImage build() {
  StubImage out;
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
  a.mov(rax, reinterpret_cast<uint64_t>(&raiseTrap));
  a.call(rax);
  a.mov(rsp, rax);
  a.jmp(unwind);

  CodeBuffer& buf = code.textSection()->buffer();
  auto img = vm::CodeImage::reserve(buf.size(), 0);
  if (!img) return out;
  uint8_t* base = (*img)->base();
  void* trap_addr = base + code.labelOffset(trap);
  if (!(*img)->publish({buf.data(), buf.size()}, {}, vm::ImageKind::Stubs, nullptr, trap_addr)) return out;
  out.stubs.entry = reinterpret_cast<vm::ArrayCallFn>(base + code.labelOffset(entry));
  out.stubs.trap = trap_addr;
  out.stubs.trap_store = base + code.labelOffset(trap_store);
  out.stubs.trap_c = base + code.labelOffset(trap_c);
  out.image = std::move(*img);
  return out;
}

}  // namespace

const Stubs& stubs() {
  static StubImage* image = new StubImage(build());  // lives as long as the process
  return image->stubs;
}

}  // namespace strata::jit
