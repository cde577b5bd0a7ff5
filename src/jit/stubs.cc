// The entry and trap stubs shared by every module compiled by a machine-code tier (baseline,
// llvm).
//
// Their code (the entry's frame layout included) is assembled at build time, stub_asm.cc; this
// file loads it and holds raiseTrap, the C++ half of the trap path:
//
// Trap (machine code -> entry). A trapping function calls (or the signal handler simulates a
// call to) the trap stub, which hands the trap kind, wasm offset, pc, frame pointer, vmctx and
// a detail (r9: the element index of "uninitialized element") to raiseTrap (C++): it records
// the trap and walks the frame-pointer chain from the trapping function outward, one backtrace
// frame per machine-code function, until the return address lies in this stub image (the
// entry). The stub then sets rsp to the entry's record and jumps
// into the entry's epilogue, which returns false: the caller of the entry (the runtime, the
// interpreter or a host function) unwinds as for any trapping callee.
#include "jit/stubs.h"

#include <fmt/core.h>

#include <cstring>
#include <memory>
#include <optional>

#include "jit/stub_code.inc"  // generated: kStubCode and its offsets
#include "decode/instr.h"
#include "vm/code_image.h"
#include "vm/exception.h"

namespace strata::jit {

namespace {

// What the trap stub does next: sp = the innermost entry's record and pc = 0 (unwind to it:
// the entry returns false), or the frame of a landing pad and its address (resume there).
// Returned in rax:rdx (SysV: a 16-byte trivially copyable struct).
struct Unwind {
  uintptr_t sp;
  uintptr_t pc;
};

// The landing pad in function f (of a baseline image) whose frame is fp that catches `exn` at
// pc (a return address, or the address after the trap stub call of a throw: pc - 1 lies in the
// instruction), or {0, 0}. On a match the exception leaves the record (docs/exceptions.md).
Unwind catchIn(const vm::CodeImage* img, const vm::FuncCodeInfo* f, uintptr_t pc, uintptr_t fp, vm::TrapRecord* trap) {
  if (img->kind() != vm::ImageKind::Module || f->sites.empty() || f->sites.back().kind != vm::SiteKind::Handlers)
    return {0, 0};
  const uint8_t* code = img->code(*f);
  const uint8_t* table = code + f->sites.back().pc;
  HandlerTableHeader h;
  std::memcpy(&h, table, sizeof h);
  auto at = uint32_t(pc - 1 - reinterpret_cast<uintptr_t>(code));
  vm::VMException* exn = trap->exception;
  auto* vmctx = *reinterpret_cast<vm::VMContext* const*>(fp - 8);  // the frame's [rbp - 8]
  uint32_t max_depth = UINT32_MAX;
  for (uint32_t i = 0; i < h.rows; ++i) {
    HandlerRow r;
    std::memcpy(&r, table + sizeof h + i * sizeof r, sizeof r);
    if (at < r.start || at >= r.end || r.depth > max_depth) continue;
    if (r.kind == kDelegateRow) {
      max_depth = r.delegate;
      continue;
    }
    auto kind = decode::CatchClause::Kind(r.kind);
    bool all = kind == decode::CatchClause::Kind::CatchAll || kind == decode::CatchClause::Kind::CatchAllRef;
    if (!all && vmctx->tags[r.tag] != exn->tag) continue;
    // An exnref of it may now exist (spec 4.4.x catch_ref): it is no longer freed at a catch.
    if (kind == decode::CatchClause::Kind::CatchRef || kind == decode::CatchClause::Kind::CatchAllRef) exn->exposed = 1;
    trap->clear();
    uintptr_t sp = fp - h.frame;
    reinterpret_cast<uintptr_t*>(sp)[0] = reinterpret_cast<uintptr_t>(exn);
    reinterpret_cast<uintptr_t*>(sp)[1] = fp;
    return {sp, reinterpret_cast<uintptr_t>(code) + r.pad};
  }
  return {0, 0};
}

Unwind raiseTrap(uint32_t kind, uint32_t wasm_offset, uintptr_t pc, uintptr_t fp, vm::VMStoreContext* store_ctx,
                 uint64_t detail) {
  vm::TrapRecord* trap = store_ctx->trap;
  if (kind == kPropagate) trap->pending = true;
  else trap->raise(vm::TrapKind(kind));
  // The reference interpreter names the element ("uninitialized element 2").
  if (kind == uint32_t(vm::TrapKind::UninitializedElement)) trap->message = fmt::format("uninitialized element {}", detail);
  // A wasm exception in flight (kPropagate after a throw, or a callee's) is caught by the
  // first frame with a matching clause: the innermost, at pc, then each outer one at its call.
  bool exn = trap->exception != nullptr;
  const vm::CodeImage* image = vm::findCodeImage(pc);
  // pc is a return address (possibly just past the function's last stub) or a faulting
  // instruction (never a function's first byte): pc - 1 lies in the function either way.
  if (image && image->isModule()) {
    if (const vm::FuncCodeInfo* f = image->funcAt(pc - 1)) {
      if (exn)
        if (Unwind u = catchIn(image, f, pc, fp, trap); u.pc) return u;
      trap->frames.push_back({image->module(), f->func_index, wasm_offset});
    }
  }
  // Outer frames: every machine-code frame starts with push rbp; mov rbp, rsp.
  for (;;) {
    auto ret = *reinterpret_cast<const uintptr_t*>(fp + 8);
    fp = *reinterpret_cast<const uintptr_t*>(fp);
    const vm::CodeImage* img = vm::findCodeImage(ret);
    if (!img || !img->isModule()) break;
    const vm::FuncCodeInfo* f = img->funcAt(ret - 1);
    if (!f) break;
    if (exn)
      if (Unwind u = catchIn(img, f, ret, fp, trap); u.pc) return u;
    std::optional<vm::CodeSite> site = img->siteAt(ret, vm::SiteKind::Call);
    // An image whose sites come from a line table (ImageKind::ModuleLines) has code of its own
    // before each function's first instruction, its entry from the native convention: that
    // frame is the function's own entry, not a wasm frame.
    if (!site && img->kind() == vm::ImageKind::ModuleLines) continue;
    trap->frames.push_back({img->module(), f->func_index, site ? site->wasm : 0});
  }
  return {store_ctx->native_entry_sp, 0};
}

struct StubImage {
  std::unique_ptr<vm::CodeImage> image;
  Stubs stubs;
};

// The stubs' code, written at build time (stub_asm.cc, stubgen.cc), in a page of its own: the
// pool (CodePool) is not created for them, a module loaded from an artifact maps its own code.
StubImage build() {
  StubImage out;
  auto img = vm::CodeImage::reserve(sizeof kStubCode, 0, /*pooled=*/false);
  if (!img) return out;
  uint8_t* w = (*img)->writableBase();
  std::memcpy(w, kStubCode, sizeof kStubCode);
  auto raise = uint64_t(reinterpret_cast<uintptr_t>(&raiseTrap));
  std::memcpy(w + kStubRaiseTrapImm, &raise, sizeof raise);
  uint8_t* base = (*img)->base();
  void* trap_addr = base + kStubTrap;
  if (!(*img)->publishInPlace(sizeof kStubCode, 0, {}, vm::ImageKind::Stubs, nullptr, trap_addr)) return out;
  out.stubs.entry = reinterpret_cast<vm::ArrayCallFn>(base + kStubEntry);
  out.stubs.trap = trap_addr;
  out.stubs.trap_store = base + kStubTrapStore;
  out.stubs.trap_c = base + kStubTrapC;
  out.image = std::move(*img);
  return out;
}

}  // namespace

const Stubs& stubs() {
  static StubImage* image = new StubImage(build());  // lives as long as the process
  return image->stubs;
}

}  // namespace strata::jit
