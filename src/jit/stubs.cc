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
#include "vm/code_image.h"

namespace strata::jit {

namespace {

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
