// The dispatch loop: one function whose labels are the handlers, threaded by computed goto
// (each instruction starts with its handler's address; NEXT() is one indirect jump). Handlers of
// numeric rows are generated from opcodes.def (rows.h); the rest are written here, each short.
//
// Hot state lives in locals the compiler keeps in registers: ip, fp (frame base), vmctx and
// mem (memory 0's base, which never moves). The call-frame stack pointer lives in StoreStack
// so the fault path (frames.h) can read it. Wasm-to-wasm calls never recurse on the native
// stack; calls to other tiers and host functions go through VMFuncRef::array_call.
#include "interp/dispatch.h"

#include <algorithm>
#include <cstring>

#include <fmt/core.h>

#include "interp/atomics.h"
#include "vm/gc_ops.h"
#include "interp/mem_ops.h"
#include "interp/pairs.h"
#include "interp/profile.h"
#include "interp/rows.h"
#include "vm/builtins.h"
#include "vm/gc.h"

namespace strata::interp {

namespace {

HandlerTables g_tables;
uint8_t g_exit_code[8];  // a lone Exit instruction: the return address of an activation

inline uint64_t operand(const uint8_t* fp, Slot s, bool is64) {
  return is64 ? rd<uint64_t>(fp + s) : rd<uint32_t>(fp + s);
}
inline void put64(uint8_t* fp, Slot s, uint64_t v) { wr(fp + s, v); }

// Declared locals start at zero (spec 4.4.10). Most functions have a few: a loop of 8-byte
// stores beats a call to memset.
inline void zeroLocals(uint8_t* p, uint32_t bytes) {
  for (uint32_t i = 0; i < bytes; i += 8) wr<uint64_t>(p + i, 0);
}

// spec 4.4.7 memory.fill/copy: the whole range must be in bounds, else trap before writing.
inline bool inBounds(const vm::VMMemory* m, uint64_t at, uint64_t n) { return at <= m->length && n <= m->length - at; }

// A ref.test/ref.cast target in canonical terms (concrete types through the instance).
inline bool castMatches(vm::VMContext* vmctx, uintptr_t w, const OpCast& o) {
  return vm::refMatchesHeap(vmctx, w, o.heap, o.nullable != 0);
}

}  // namespace

const HandlerTables& handlerTables() {
  static const bool init = [] {
    execute(nullptr, nullptr, nullptr, nullptr, nullptr);
    wr(g_exit_code, g_tables.hand[unsigned(H::Exit)]);
    return true;
  }();
  (void)init;
  return g_tables;
}

#ifdef STRATA_INTERP_PROFILE
#define NEXT()                                \
  do {                                        \
    profile::hit(rd<const void*>(ip));        \
    goto* rd<const void*>(ip);                \
  } while (0)
#else
#define NEXT()                                 \
  do {                                         \
    asm("" : "+r"(mem), "+r"(st));             \
    goto* rd<const void*>(ip);                 \
  } while (0)
#endif
// Operands and size of handler `name` (its operand struct is listed in bytecode.h).
// The struct is read in place (it is packed, bytecode.h): copying it into a local made GCC
// spill and reload it through the stack in every handler.
#define OPS(name) const OpOf<H::name>& o = *reinterpret_cast<const OpOf<H::name>*>(ip + 8)
#define SIZE(name) (8 + kOpBytes<OpOf<H::name>>)
#define TRAP(kind)             \
  do {                         \
    tk = vm::TrapKind::kind;   \
    goto trap;                 \
  } while (0)

bool execute(StoreStack* st_in, Activation* act, vm::VMContext* vmctx, uint8_t* fp, const uint8_t* ip) {
  static const void* const kHand[] = {
#define STRATA_X(name, op) &&H_##name,
      STRATA_INTERP_HANDLERS(STRATA_X)
#undef STRATA_X
  };
  static const void* const kGen[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) \
  &&G_##name##_Plain, &&G_##name##_Imm, &&G_##name##_BrIf, &&G_##name##_BrIfImm, &&G_##name##_BrUnless, \
      &&G_##name##_BrUnlessImm,
#include "ir/opcodes.def"
#undef OP
  };
  static const void* const kPair[] = {
#define STRATA_X(o1, f1, o2, f2, p) &&P_##o1##_##f1##_##o2##_##f2##_##p,
      STRATA_INTERP_PAIRS(STRATA_X)
#undef STRATA_X
  };
  static const void* const kAtomic[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) &&A_##name,
#include "ir/opcodes.def"
#undef OP
  };
  static const void* const kIncr[] = {
#define STRATA_X(op) &&I_##op##_BrIf, &&I_##op##_BrIfImm, &&I_##op##_BrUnless, &&I_##op##_BrUnlessImm,
      STRATA_INTERP_INCR_BRANCHES(STRATA_X)
#undef STRATA_X
#define STRATA_X(op) &&J_##op##_BrIf, &&J_##op##_BrIfImm, &&J_##op##_BrUnless, &&J_##op##_BrUnlessImm,
      STRATA_INTERP_INCR_BRANCHES(STRATA_X)
#undef STRATA_X
  };
  if (!st_in) {
    g_tables = {kHand, kGen, kPair, kAtomic, kIncr};
    return true;
  }

  // The store stack and memory 0's base stay in callee-saved registers: GCC's allocator cannot
  // tell that every handler is equally hot and spilled both to the native stack (one more load
  // per memory access and per call). The empty asm in NEXT() keeps them there at every dispatch.
  register StoreStack* st asm("r13") = st_in;
  register uint8_t* mem asm("r14") = vmctx->memory0_base;
  vm::TrapKind tk = vm::TrapKind::Unreachable;
  // Call setup, shared by the call handlers.
  const FuncCode* callee = nullptr;
  vm::VMContext* newctx = nullptr;
  const vm::VMFuncRef* ref = nullptr;
  const SigInfo* sig = nullptr;
  uint8_t* newfp = nullptr;
  const uint8_t* ret = nullptr;
  bool tail = false;
  vm::VMException* exn = nullptr;  // the exception being thrown (do_throw)
  Landing landing{};                 // where a caught exception resumes (do_land)

  NEXT();

  // ---- generated numeric handlers (rows.h) ----
#define STRATA_GEN(name, form)                                                    \
  G_##name##_##form : {                                                           \
    if constexpr (hasForm(ir::Opcode::name, Form::form)) {                        \
      const uint8_t* next = genExec<ir::Opcode::name, Form::form>(ip, fp, tk);    \
      if constexpr (genMayTrap<ir::Opcode::name>()) {                             \
        if (!next) [[unlikely]] goto trap;                                        \
      }                                                                           \
      ip = next;                                                                  \
      NEXT();                                                                     \
    } else {                                                                      \
      __builtin_unreachable();                                                    \
    }                                                                             \
  }
#define OP(name, prefix, code, text, imm, params, results, feature)                              \
  STRATA_GEN(name, Plain) STRATA_GEN(name, Imm) STRATA_GEN(name, BrIf) STRATA_GEN(name, BrIfImm) \
  STRATA_GEN(name, BrUnless) STRATA_GEN(name, BrUnlessImm)
#include "ir/opcodes.def"
#undef OP
#undef STRATA_GEN

  // ---- superinstructions (pairs.h) ----
#define STRATA_X(o1, f1, o2, f2, p)                                                                         \
  P_##o1##_##f1##_##o2##_##f2##_##p : ip = pairExec<unsigned(findPair(ir::Opcode::o1, Form::f1, ir::Opcode::o2, \
                                                                      Form::f2, p))>(ip, fp);               \
  NEXT();
  STRATA_INTERP_PAIRS(STRATA_X)
#undef STRATA_X

  // ---- increment and branch (pairs.h) ----
#define STRATA_INCR(op, form)                                                                     \
  I_##op##_##form : ip = incrExec<unsigned(findIncr(ir::Opcode::op, Form::form, false))>(ip, fp); \
  NEXT();                                                                                         \
  J_##op##_##form : ip = incrExec<unsigned(findIncr(ir::Opcode::op, Form::form, true))>(ip, fp);  \
  NEXT();
#define STRATA_X(op) \
  STRATA_INCR(op, BrIf) STRATA_INCR(op, BrIfImm) STRATA_INCR(op, BrUnless) STRATA_INCR(op, BrUnlessImm)
  STRATA_INTERP_INCR_BRANCHES(STRATA_X)
#undef STRATA_X
#undef STRATA_INCR

  // ---- atomics (atomics.h; a label per row, used by the threads rows only) ----
#define OP(name, prefix, code, text, imm, params, results, feature)                 \
  A_##name : {                                                                      \
    if constexpr (atomicInfo(ir::Opcode::name).op != AtomicOp::None) {              \
      const uint8_t* next = atomicExec<ir::Opcode::name>(ip, fp, vmctx, tk);        \
      if (!next) goto atomic_trap;                                                  \
      ip = next;                                                                    \
      NEXT();                                                                       \
    } else {                                                                        \
      __builtin_unreachable();                                                      \
    }                                                                               \
  }
#include "ir/opcodes.def"
#undef OP
atomic_trap:
  if (tk != vm::TrapKind::Host) goto trap;
  // threads proposal: memory.atomic.wait on an unshared memory.
  raiseTrap(st, act, ip, vmctx, tk);
  vmctx->store_ctx->trap->message = "expected shared memory";
  return false;

  // ---- control ----
H_Exit:
  return true;
H_Unreachable:
  TRAP(Unreachable);
H_Br:
  ip += rd<Rel>(ip + 8);
  NEXT();
H_BrIf : {
  OPS(BrIf);
  ip += rd<uint32_t>(fp + o.cond) != 0 ? o.rel : Rel(SIZE(BrIf));
  NEXT();
}
H_BrUnless : {
  OPS(BrUnless);
  ip += rd<uint32_t>(fp + o.cond) == 0 ? o.rel : Rel(SIZE(BrUnless));
  NEXT();
}
H_BrTableG : {
  OPS(BrTableG);
  st->ip = ip;
  uint32_t i = std::min(rd<uint32_t>(mem + uint64_t(rd<uint32_t>(fp + o.addr)) + o.offset), o.count);
  ip += rd<Rel>(ip + SIZE(BrTableG) + 4 * i);
  NEXT();
}
H_BrTable : {
  OPS(BrTable);
  uint32_t i = std::min(rd<uint32_t>(fp + o.index), o.count);
  ip += rd<Rel>(ip + SIZE(BrTable) + 4 * i);
  NEXT();
}
H_Return64:
  wr(fp, rd<uint64_t>(fp + rd<Slot>(ip + 8)));
  goto do_return;
H_Return:
do_return : {
  CallFrame* f = --st->fsp;
  ip = f->ret_ip;
  fp = f->ret_fp;
  if (f->ret_vmctx != vmctx) {
    vmctx = f->ret_vmctx;
    mem = vmctx->memory0_base;
  }
  NEXT();
}

  // ---- moves ----
H_InitPool : {
  OPS(InitPool);
  std::memcpy(fp + o.dst, ip + SIZE(InitPool), 8 * size_t(o.count));
  ip += SIZE(InitPool) + 8 * o.count;
  NEXT();
}
H_Copy64 : {
  OPS(Copy64);
  wr(fp + o.dst, rd<uint64_t>(fp + o.src));
  ip += SIZE(Copy64);
  NEXT();
}
H_Copy2 : {
  OPS(Copy2);
  wr(fp + o.dst1, rd<uint64_t>(fp + o.src1));  // before the second read: dst1 may be src2
  wr(fp + o.dst2, rd<uint64_t>(fp + o.src2));
  ip += SIZE(Copy2);
  NEXT();
}
H_Copy128 : {
  OPS(Copy128);
  uint8_t v[16];
  std::memcpy(v, fp + o.src, 16);
  std::memcpy(fp + o.dst, v, 16);
  ip += SIZE(Copy128);
  NEXT();
}
H_Const64 : {
  // The value is read straight from the code: through the struct, its two halves would be
  // stored separately and reloaded as one (a store-forwarding stall).
  wr(fp + rd<Slot>(ip + 8), rd<uint64_t>(ip + 8 + offsetof(OpConst64, lo)));
  ip += SIZE(Const64);
  NEXT();
}
H_ConstBr:
  wr(fp + rd<Slot>(ip + 8), rd<uint64_t>(ip + 8 + offsetof(OpConstBr, lo)));
  ip += rd<Rel>(ip + 8 + offsetof(OpConstBr, rel));
  NEXT();
H_Const128 : {
  OPS(Const128);
  std::memcpy(fp + o.dst, o.bytes, 16);
  ip += SIZE(Const128);
  NEXT();
}
H_Select64 : {
  OPS(Select64);
  wr(fp + o.dst, rd<uint64_t>(fp + (rd<uint32_t>(fp + o.cond) ? o.a : o.b)));
  ip += SIZE(Select64);
  NEXT();
}
H_Select128 : {
  OPS(Select128);
  uint8_t v[16];
  std::memcpy(v, fp + (rd<uint32_t>(fp + o.cond) ? o.a : o.b), 16);
  std::memcpy(fp + o.dst, v, 16);
  ip += SIZE(Select128);
  NEXT();
}

  // ---- calls ----
H_Call:
  ret = ip + SIZE(Call);
do_direct : {
  OPS(Call);  // also the prefix of CallM
  callee = o.callee;
  newctx = vmctx;
  newfp = fp + o.args;
  goto do_call;
}
H_CallM : {
  OPS(CallM);
  wr(fp + o.d1, rd<uint64_t>(fp + o.s1));
  wr(fp + o.d2, rd<uint64_t>(fp + o.s2));
  ret = ip + SIZE(CallM);
  goto do_direct;
}
H_CallIndirectM : {
  OPS(CallIndirectM);
  wr(fp + o.d1, rd<uint64_t>(fp + o.s1));
  wr(fp + o.d2, rd<uint64_t>(fp + o.s2));
  tail = false;
  ret = ip + SIZE(CallIndirectM);
  goto do_indirect;
}
H_CallImport : {
  OPS(CallImport);
  ref = vmctx->funcs[o.func];
  sig = o.sig;
  newfp = fp + o.args;
  ret = ip + SIZE(CallImport);
  tail = false;
  goto do_ref_call;
}
H_CallIndirect : {
  tail = false;
  ret = ip + SIZE(CallIndirect);
  goto do_indirect;
}
H_CallRef : {
  OPS(CallRef);
  ref = rd<const vm::VMFuncRef*>(fp + o.ref);
  if (!ref) TRAP(NullFunctionReference);
  sig = o.sig;
  newfp = fp + o.args;
  ret = ip + SIZE(CallRef);
  tail = false;
  goto do_ref_call;
}
H_ReturnCall : {
  OPS(ReturnCall);
  callee = o.callee;
  newctx = vmctx;
  goto do_tail;
}
H_ReturnCallImport : {
  OPS(ReturnCallImport);
  ref = vmctx->funcs[o.func];
  sig = o.sig;
  newfp = fp + o.args;
  tail = true;
  goto do_ref_call;
}
H_ReturnCallIndirect : {
  tail = true;
  goto do_indirect;
}
H_ReturnCallRef : {
  OPS(ReturnCallRef);
  ref = rd<const vm::VMFuncRef*>(fp + o.ref);
  if (!ref) TRAP(NullFunctionReference);
  sig = o.sig;
  newfp = fp + o.args;
  tail = true;
  goto do_ref_call;
}
do_indirect : {
  // spec 4.4.8 call_indirect: bounds, then null, then the type (canonical ids, spec 3.3.5).
  OPS(CallIndirect);
  const vm::VMTable* t = vmctx->tables[o.table];
  uint64_t i = operand(fp, o.index, o.is64);
  if (i >= t->length) TRAP(UndefinedElement);
  ref = static_cast<const vm::VMFuncRef*>(t->elements[i]);
  if (!ref) {
    // The reference interpreter names the element ("uninitialized element 2").
    raiseTrap(st, act, ip, vmctx, vm::TrapKind::UninitializedElement);
    vmctx->store_ctx->trap->message = fmt::format("uninitialized element {}", i);
    return false;
  }
  // A subtype's function matches too (spec 4.4.8 since 3.0: the test is matching, not
  // equality); MVP code never pays for the builtin, its ids are equal or unrelated finals.
  if (ref->type_id != vmctx->type_ids[o.type] &&
      !vmctx->builtins->type_is_subtype(vmctx, ref->type_id, vmctx->type_ids[o.type])) [[unlikely]]
    TRAP(IndirectCallTypeMismatch);
  sig = o.sig;
  newfp = fp + o.args;
  goto do_ref_call;
}
do_ref_call:
  if (ref->array_call == &interpEntry) {
    // Our own function, possibly of another instance: stay in this loop.
    callee = static_cast<const FuncCode*>(ref->code);
    newctx = ref->vmctx;
    if (tail) goto do_tail;
    goto do_call;
  }
  goto do_host_call;
do_call : {
  CallFrame* f = st->fsp;
  if (f == st->frames_limit || newfp + callee->frame_bytes > st->limit) [[unlikely]]
    TRAP(CallStackExhausted);
  f->ret_ip = ret;
  f->ret_fp = fp;
  f->ret_vmctx = vmctx;
  f->func = callee;
  st->fsp = f + 1;
  zeroLocals(newfp + callee->param_bytes, callee->local_bytes);
  fp = newfp;
  ip = callee->code.data();
  if (newctx != vmctx) {
    vmctx = newctx;
    mem = vmctx->memory0_base;
  }
  NEXT();
}
do_tail : {
  // return_call*: the arguments are already at the frame base; the callee replaces this frame.
  if (fp + callee->frame_bytes > st->limit) [[unlikely]]
    TRAP(CallStackExhausted);
  st->fsp[-1].func = callee;
  zeroLocals(fp + callee->param_bytes, callee->local_bytes);
  ip = callee->code.data();
  if (newctx != vmctx) {
    vmctx = newctx;
    mem = vmctx->memory0_base;
  }
  NEXT();
}
do_host_call : {
  // Another tier or a host function: array call with the RawVals built in place at the
  // argument slots. A re-entrant call from the host starts its frames above everything live.
  uint32_t n = sig->nvals();
  if (newfp + 16 * n > st->limit) [[unlikely]]
    TRAP(CallStackExhausted);
  slotsToRaw(sig->params, sig->param_bytes, newfp, newfp);
  act->ip = ip;  // where this activation resumes: a backtrace from a nested one starts here
  act->fp = fp;  // and the frame whose safepoint the collector looks up (frames.cc traceHook)
  st->ip = ip;
  st->sp = std::max(fp + st->fsp[-1].func->frame_bytes, newfp + 16 * n);
  st->sp += (16 - uintptr_t(st->sp) % 16) % 16;
  if (!ref->array_call(ref, vmctx, reinterpret_cast<vm::RawVal*>(newfp), n)) {
    if (tail) goto propagate_tail;
    goto propagate;
  }
  rawToSlots(sig->results, newfp, newfp);
  if (tail) goto do_return;
  ip = ret;
  NEXT();
}

  // ---- interruption ----
H_CheckEpoch : {
  const vm::VMStoreLimits& l = vmctx->store_ctx->limits;
  if (*l.epoch_counter >= l.epoch_deadline) TRAP(Interrupt);
  ip += SIZE(CheckEpoch);
  NEXT();
}
H_CheckFuel : {
  OPS(CheckFuel);
  vm::VMStoreLimits& l = vmctx->store_ctx->limits;
  l.fuel_remaining -= o.cost;
  if (l.fuel_remaining < 0) TRAP(OutOfFuel);
  ip += SIZE(CheckFuel);
  NEXT();
}

  // ---- globals ----
H_GlobalGet64 : {
  OPS(GlobalGet64);
  std::memcpy(fp + o.slot, &vmctx->globals[o.global]->value, 8);
  ip += SIZE(GlobalGet64);
  NEXT();
}
H_GlobalGet128 : {
  OPS(GlobalGet128);
  std::memcpy(fp + o.slot, &vmctx->globals[o.global]->value, 16);
  ip += SIZE(GlobalGet128);
  NEXT();
}
H_GlobalSet64 : {
  OPS(GlobalSet64);
  std::memcpy(&vmctx->globals[o.global]->value, fp + o.slot, 8);
  ip += SIZE(GlobalSet64);
  NEXT();
}
H_GlobalSet128 : {
  OPS(GlobalSet128);
  std::memcpy(&vmctx->globals[o.global]->value, fp + o.slot, 16);
  ip += SIZE(GlobalSet128);
  NEXT();
}

  // ---- loads and stores (mem_ops.h) ----
  // G: guard pages catch every out-of-bounds access (a 32-bit address plus a 32-bit offset
  // stays inside the 8 GiB reservation); the ip is saved first so the fault path knows where.
// The guard-page modes differ only in the effective address, an offset into the reservation:
// a 32-bit address (the i32 sums wrap as the wasm adds would) plus the 32-bit offset.
#define STRATA_MEM_GUARDED(KIND, MODE, EA) \
  H_##KIND##_##MODE : {                    \
    OPS(KIND##_##MODE);                    \
    st->ip = ip;                           \
    access<MemKind::KIND>(fp, o, mem + (EA)); \
    ip += SIZE(KIND##_##MODE);             \
    NEXT();                                \
  }
// The explicit modes check the access against the memory's length first.
#define STRATA_MEM_CHECKED(KIND, MODE, ADDR, CHECK)                                                    \
  H_##KIND##_##MODE : {                                                                                \
    OPS(KIND##_##MODE);                                                                                \
    uint8_t* p = CHECK<accessBytes(MemKind::KIND)>(vmctx->memories[o.mem], rd<ADDR>(fp + o.addr), o.offset); \
    if (!p) TRAP(MemoryOutOfBounds);                                                                   \
    access<MemKind::KIND>(fp, o, p);                                                                   \
    ip += SIZE(KIND##_##MODE);                                                                         \
    NEXT();                                                                                            \
  }
#define STRATA_MEM(Z, KIND, F)                                                                              \
  STRATA_MEM_GUARDED(KIND, G, uint64_t(rd<uint32_t>(fp + o.addr)) + o.offset)                               \
  STRATA_MEM_CHECKED(KIND, E, uint32_t, checkedAddr32)                                                      \
  STRATA_MEM_CHECKED(KIND, W, uint64_t, checkedAddr64)                                                      \
  STRATA_MEM_GUARDED(KIND, X,                                                                               \
                     uint64_t(uint32_t(rd<uint32_t>(fp + o.addr) + (rd<uint32_t>(fp + o.index) << o.shift))) + \
                         o.offset)                                                                          \
  STRATA_MEM_GUARDED(KIND, A, o.ea)                                                                         \
  STRATA_MEM_GUARDED(KIND, K, uint64_t(uint32_t(rd<uint32_t>(fp + o.addr) + o.k)) + o.offset)               \
  STRATA_MEM_GUARDED(KIND, S, uint64_t(uint32_t((rd<uint32_t>(fp + o.index) << o.shift) + o.k)) + o.offset)
  STRATA_INTERP_MEM_KINDS(STRATA_MEM, _)
#undef STRATA_MEM
#undef STRATA_MEM_CHECKED
#undef STRATA_MEM_GUARDED

  // ---- bulk memory (spec 4.4.7) ----
H_MemorySize : {
  OPS(MemorySize);
  put64(fp, o.dst, vmctx->memories[o.idx]->length >> o.idx2);
  ip += SIZE(MemorySize);
  NEXT();
}
H_MemoryGrow : {
  OPS(MemoryGrow);
  int64_t r = vmctx->builtins->memory_grow(vmctx, o.idx, operand(fp, o.a, o.flags & 1));
  put64(fp, o.dst, o.flags & 1 ? uint64_t(r) : uint64_t(uint32_t(r)));
  ip += SIZE(MemoryGrow);
  NEXT();
}
H_MemoryFill : {
  OPS(MemoryFill);
  vm::VMMemory* m = vmctx->memories[o.idx];
  uint64_t d = operand(fp, o.a, o.flags & 1), n = operand(fp, o.c, o.flags & 1);
  if (!inBounds(m, d, n)) TRAP(MemoryOutOfBounds);
  std::memset(m->base + d, int(rd<uint32_t>(fp + o.b) & 0xff), n);
  ip += SIZE(MemoryFill);
  NEXT();
}
H_MemoryCopy : {
  OPS(MemoryCopy);
  vm::VMMemory* dm = vmctx->memories[o.idx];
  vm::VMMemory* sm = vmctx->memories[o.idx2];
  uint64_t d = operand(fp, o.a, o.flags & 1), s = operand(fp, o.b, o.flags & 2),
           n = operand(fp, o.c, o.flags & 4);
  if (!inBounds(dm, d, n) || !inBounds(sm, s, n)) TRAP(MemoryOutOfBounds);
  std::memmove(dm->base + d, sm->base + s, n);
  ip += SIZE(MemoryCopy);
  NEXT();
}
H_MemoryInit : {
  OPS(MemoryInit);
  if (!vmctx->builtins->memory_init(vmctx, o.idx2, o.idx, operand(fp, o.a, o.flags & 1), rd<uint32_t>(fp + o.b),
                                    rd<uint32_t>(fp + o.c)))
    goto propagate;
  ip += SIZE(MemoryInit);
  NEXT();
}
H_DataDrop : {
  OPS(DataDrop);
  vmctx->builtins->data_drop(vmctx, o.idx);
  ip += SIZE(DataDrop);
  NEXT();
}

  // ---- tables (spec 4.4.6) ----
H_TableGet : {
  OPS(TableGet);
  const vm::VMTable* t = vmctx->tables[o.idx];
  uint64_t i = operand(fp, o.a, o.flags & 1);
  if (i >= t->length) TRAP(TableOutOfBounds);
  wr(fp + o.dst, t->elements[i]);
  ip += SIZE(TableGet);
  NEXT();
}
H_TableSet : {
  OPS(TableSet);
  vm::VMTable* t = vmctx->tables[o.idx];
  uint64_t i = operand(fp, o.a, o.flags & 1);
  if (i >= t->length) TRAP(TableOutOfBounds);
  t->elements[i] = rd<void*>(fp + o.b);
  ip += SIZE(TableSet);
  NEXT();
}
H_TableSize : {
  OPS(TableSize);
  put64(fp, o.dst, vmctx->tables[o.idx]->length);
  ip += SIZE(TableSize);
  NEXT();
}
H_TableGrow : {
  OPS(TableGrow);
  int64_t r = vmctx->builtins->table_grow(vmctx, o.idx, rd<void*>(fp + o.a), operand(fp, o.b, o.flags & 1));
  put64(fp, o.dst, o.flags & 1 ? uint64_t(r) : uint64_t(uint32_t(r)));
  ip += SIZE(TableGrow);
  NEXT();
}
H_TableFill : {
  OPS(TableFill);
  if (!vmctx->builtins->table_fill(vmctx, o.idx, operand(fp, o.a, o.flags & 1), rd<void*>(fp + o.b),
                                   operand(fp, o.c, o.flags & 1)))
    goto propagate;
  ip += SIZE(TableFill);
  NEXT();
}
H_TableCopy : {
  OPS(TableCopy);
  if (!vmctx->builtins->table_copy(vmctx, o.idx, o.idx2, operand(fp, o.a, o.flags & 1),
                                   operand(fp, o.b, o.flags & 2), operand(fp, o.c, o.flags & 4)))
    goto propagate;
  ip += SIZE(TableCopy);
  NEXT();
}
H_TableInit : {
  OPS(TableInit);
  if (!vmctx->builtins->table_init(vmctx, o.idx2, o.idx, operand(fp, o.a, o.flags & 1), rd<uint32_t>(fp + o.b),
                                   rd<uint32_t>(fp + o.c)))
    goto propagate;
  ip += SIZE(TableInit);
  NEXT();
}
H_ElemDrop : {
  OPS(ElemDrop);
  vmctx->builtins->elem_drop(vmctx, o.idx);
  ip += SIZE(ElemDrop);
  NEXT();
}

  // ---- references ----
H_RefFunc : {
  OPS(RefFunc);
  wr(fp + o.dst, vmctx->funcs[o.index]);
  ip += SIZE(RefFunc);
  NEXT();
}
H_RefIsNull : {
  OPS(RefIsNull);
  wr<uint32_t>(fp + o.dst, rd<void*>(fp + o.src) == nullptr);
  ip += SIZE(RefIsNull);
  NEXT();
}
H_RefAsNonNull : {
  OPS(RefAsNonNull);
  if (!rd<void*>(fp + o.src)) TRAP(NullReference);
  ip += SIZE(RefAsNonNull);
  NEXT();
}

  // ---- GC (docs/gc.md): i31 and ref.eq here, casts through vm::refMatches, the rest vm/gc_ops.cc ----
H_RefI31 : {
  OPS(RefI31);
  wr(fp + o.dst, vm::makeI31(rd<uint32_t>(fp + o.src)));
  ip += SIZE(RefI31);
  NEXT();
}
H_I31GetS : {
  OPS(I31GetS);
  uintptr_t w = rd<uintptr_t>(fp + o.src);
  if (!w) TRAP(NullI31Reference);
  wr<uint64_t>(fp + o.dst, uint32_t(vm::i31S(w)));
  ip += SIZE(I31GetS);
  NEXT();
}
H_I31GetU : {
  OPS(I31GetU);
  uintptr_t w = rd<uintptr_t>(fp + o.src);
  if (!w) TRAP(NullI31Reference);
  wr<uint64_t>(fp + o.dst, vm::i31U(w));
  ip += SIZE(I31GetU);
  NEXT();
}
H_RefEq : {
  // spec 4.4.x ref.eq: identity of objects, equality of i31 payloads: both are the word.
  OPS(RefEq);
  wr<uint64_t>(fp + o.dst, rd<uintptr_t>(fp + o.a) == rd<uintptr_t>(fp + o.b));
  ip += SIZE(RefEq);
  NEXT();
}
H_RefTest : {
  OPS(RefTest);
  wr<uint64_t>(fp + o.dst, castMatches(vmctx, rd<uintptr_t>(fp + o.src), o));
  ip += SIZE(RefTest);
  NEXT();
}
H_RefCast : {
  OPS(RefCast);
  if (!castMatches(vmctx, rd<uintptr_t>(fp + o.src), o)) TRAP(CastFailure);
  ip += SIZE(RefCast);
  NEXT();
}
  // Every handler of vm/gc_ops.h: the activation records where it is, so a collection the
  // allocation may start finds this frame's roots at its safepoint (docs/gc.md "Roots",
  // frames.cc traceHook). StoreStack::sp need not cover the frame: nothing here runs wasm.
#define STRATA_X(name)                                                                      \
  H_##name : {                                                                              \
    act->ip = ip;                                                                           \
    act->fp = fp;                                                                           \
    unsigned r = vm::gcops::name(fp, vmctx, *reinterpret_cast<const OpGc*>(ip + 8));               \
    if (r != vm::gcops::kOk) [[unlikely]] {                                                        \
      if (r != vm::gcops::kOom) {                                                                  \
        tk = vm::TrapKind(r);                                                               \
        goto trap;                                                                          \
      }                                                                                     \
      raiseTrap(st, act, ip, vmctx, vm::TrapKind::Host);                                    \
      vmctx->store_ctx->trap->message = vm::gcops::kOomMessage;                 \
      return false;                                                                         \
    }                                                                                       \
    ip += SIZE(name);                                                                       \
    NEXT();                                                                                 \
  }
  STRATA_VM_GC_OPS(STRATA_X)
#undef STRATA_X

  // ---- exceptions (exceptions.cc, docs/exceptions.md) ----
H_Throw : {
  // spec 4.4.x throw: a fresh exception of the instance's tag, the payload from the operands.
  OPS(Throw);
  exn = vm::newException(vmctx->store_ctx, vmctx->tags[o.tag], uint32_t(o.sig->params.size()));
  if (!exn) [[unlikely]] {
    raiseTrap(st, act, ip, vmctx, vm::TrapKind::Host);
    vmctx->store_ctx->trap->message = vm::kExnOomMessage;
    return false;
  }
  slotsToRaw(o.sig->params, o.sig->param_bytes, fp + o.args, reinterpret_cast<uint8_t*>(exn->vals));
  goto do_throw;
}
H_ThrowRef : {
  OPS(ThrowRef);
  exn = rd<vm::VMException*>(fp + o.slot);
  if (!exn) TRAP(NullExceptionReference);
  goto do_throw;
}
do_throw:
  if (!findHandler(st, act, ip, fp, vmctx, exn, landing)) return throwUncaught(st, act, ip, vmctx, exn);
do_land:
  ip = landing.ip;
  fp = landing.fp;
  if (landing.vmctx != vmctx) {
    vmctx = landing.vmctx;
    mem = vmctx->memory0_base;
  }
  NEXT();

  // ---- NaN canonicalisation (CompileOptions::nan_canonicalization) ----
H_I32DivUConst : {
  OPS(I32DivUConst);
  wr<uint64_t>(fp + o.dst, numeric::divByConst(rd<uint32_t>(fp + o.a), o.m));
  ip += SIZE(I32DivUConst);
  NEXT();
}
H_I32RemUConst : {
  OPS(I32RemUConst);
  wr<uint64_t>(fp + o.dst, numeric::remByConst(rd<uint32_t>(fp + o.a), o.m, o.d));
  ip += SIZE(I32RemUConst);
  NEXT();
}
H_CanonF32 : {
  OPS(CanonF32);
  float f = rd<float>(fp + o.slot);
  if (f != f) wr<uint32_t>(fp + o.slot, 0x7fc00000u);
  ip += SIZE(CanonF32);
  NEXT();
}
H_CanonF64 : {
  OPS(CanonF64);
  double d = rd<double>(fp + o.slot);
  if (d != d) wr<uint64_t>(fp + o.slot, 0x7ff8000000000000ull);
  ip += SIZE(CanonF64);
  NEXT();
}

  // ---- wide arithmetic: 128-bit values as (low, high) i64 pairs ----
H_I64Add128 : {
  OPS(I64Add128);
  unsigned __int128 a = (unsigned __int128)rd<uint64_t>(fp + o.b) << 64 | rd<uint64_t>(fp + o.a);
  unsigned __int128 b = (unsigned __int128)rd<uint64_t>(fp + o.d) << 64 | rd<uint64_t>(fp + o.c);
  unsigned __int128 r = a + b;
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t(r >> 64));
  ip += SIZE(I64Add128);
  NEXT();
}
H_I64Sub128 : {
  OPS(I64Sub128);
  unsigned __int128 a = (unsigned __int128)rd<uint64_t>(fp + o.b) << 64 | rd<uint64_t>(fp + o.a);
  unsigned __int128 b = (unsigned __int128)rd<uint64_t>(fp + o.d) << 64 | rd<uint64_t>(fp + o.c);
  unsigned __int128 r = a - b;
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t(r >> 64));
  ip += SIZE(I64Sub128);
  NEXT();
}
H_I64MulWideS : {
  OPS(I64MulWideS);
  __int128 r = (__int128)int64_t(rd<uint64_t>(fp + o.a)) * int64_t(rd<uint64_t>(fp + o.b));
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t((unsigned __int128)r >> 64));
  ip += SIZE(I64MulWideS);
  NEXT();
}
H_I64MulWideU : {
  OPS(I64MulWideU);
  unsigned __int128 r = (unsigned __int128)rd<uint64_t>(fp + o.a) * rd<uint64_t>(fp + o.b);
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t(r >> 64));
  ip += SIZE(I64MulWideU);
  NEXT();
}

trap:
  return raiseTrap(st, act, ip, vmctx, tk);
propagate_tail:
  // return_call* out of the loop: the calling frame is gone (a tail call leaves its try
  // blocks), so an exception the callee threw continues at the call site of the caller's caller.
  if (vmctx->store_ctx->trap->exception) {
    if (st->fsp - 1 == act->base) return propagateTrap(st, act, ip, vmctx);
    CallFrame* f = --st->fsp;
    ip = f->ret_ip - 1;
    fp = f->ret_fp;
    vmctx = f->ret_vmctx;
    mem = vmctx->memory0_base;
  }
  goto propagate;
propagate : {
  // A callee that returned an exception (not a trap) throws it again at its call site.
  vm::TrapRecord* rec = vmctx->store_ctx->trap;
  if (rec->exception && findHandler(st, act, ip, fp, vmctx, rec->exception, landing)) {
    rec->clear();
    goto do_land;
  }
  return propagateTrap(st, act, ip, vmctx);
}
}

bool interpEntry(const vm::VMFuncRef* callee, vm::VMContext* caller, vm::RawVal* vals, size_t nvals) {
  vm::VMContext* vmctx = callee->vmctx;
  const auto* fc = static_cast<const FuncCode*>(callee->code);
  vm::VMStoreContext* sc = vmctx->store_ctx;
  StoreStack* st = StoreStack::of(sc);
  const HandlerTables& tables = handlerTables();
  (void)tables;
  uint8_t* fp = st ? st->sp + (16 - uintptr_t(st->sp) % 16) % 16 : nullptr;
  if (!st || fp + std::max<size_t>(fc->frame_bytes, 16 * nvals) > st->limit || st->fsp == st->frames_limit) {
    sc->trap->raise(vm::TrapKind::CallStackExhausted);
    return false;
  }
  Activation act;
  act.prev = st->top;
  act.base = st->fsp;
  act.saved_sp = st->sp;
  st->top = &act;
  const SigInfo& sig = *fc->sig;
  rawToSlots(sig.params, reinterpret_cast<const uint8_t*>(vals), fp);
  std::memset(fp + fc->param_bytes, 0, fc->local_bytes);
  *st->fsp++ = CallFrame{g_exit_code, nullptr, vmctx, fc};
  // StoreStack::ip belongs to the running activation: start it at this one's code, give it
  // back to the caller's (saved at its call out) when this one ends.
  const uint8_t* outer_ip = st->ip;
  st->ip = fc->code.data();
  bool ok = execute(st, &act, vmctx, fp, fc->code.data());
  if (ok) slotsToRaw(sig.results, sig.result_bytes, fp, reinterpret_cast<uint8_t*>(vals));
  st->ip = outer_ip;
  st->fsp = act.base;
  st->sp = act.saved_sp;
  st->top = act.prev;
  return ok;
}

}  // namespace strata::interp
