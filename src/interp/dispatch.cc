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

#include "interp/mem_ops.h"
#include "interp/rows.h"
#include "vm/builtins.h"

namespace strata::interp {

namespace {

HandlerTables g_tables;
uint8_t g_exit_code[8];  // a lone Exit instruction: the return address of an activation

inline uint64_t operand(const uint8_t* fp, Slot s, bool is64) {
  return is64 ? rd<uint64_t>(fp + s) : rd<uint32_t>(fp + s);
}
inline void put64(uint8_t* fp, Slot s, uint64_t v) { wr(fp + s, v); }

// spec 4.4.7 memory.fill/copy: the whole range must be in bounds, else trap before writing.
inline bool inBounds(const vm::VMMemory* m, uint64_t at, uint64_t n) { return at <= m->length && n <= m->length - at; }

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

#define NEXT() goto* rd<const void*>(ip)
#define OPS(T) const T o = rd<T>(ip + 8)
#define SIZE(T) (8 + sizeof(T))
#define TRAP(kind)             \
  do {                         \
    tk = vm::TrapKind::kind;   \
    goto trap;                 \
  } while (0)

bool execute(StoreStack* st, Activation* act, vm::VMContext* vmctx, uint8_t* fp, const uint8_t* ip) {
  static const void* const kHand[] = {
#define STRATA_X(name) &&H_##name,
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
  if (!st) {
    g_tables = {kHand, kGen};
    return true;
  }

  uint8_t* mem = vmctx->memory0_base;
  vm::TrapKind tk = vm::TrapKind::Unreachable;
  // Call setup, shared by the call handlers.
  const FuncCode* callee = nullptr;
  vm::VMContext* newctx = nullptr;
  const vm::VMFuncRef* ref = nullptr;
  const SigInfo* sig = nullptr;
  uint8_t* newfp = nullptr;
  const uint8_t* ret = nullptr;
  bool tail = false;

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

  // ---- control ----
H_Exit:
  return true;
H_Unreachable:
  TRAP(Unreachable);
H_Br:
  ip += rd<Rel>(ip + 8);
  NEXT();
H_BrIf : {
  OPS(OpCond);
  ip += rd<uint32_t>(fp + o.cond) != 0 ? o.rel : Rel(SIZE(OpCond));
  NEXT();
}
H_BrUnless : {
  OPS(OpCond);
  ip += rd<uint32_t>(fp + o.cond) == 0 ? o.rel : Rel(SIZE(OpCond));
  NEXT();
}
H_BrTable : {
  OPS(OpBrTable);
  uint32_t i = std::min(rd<uint32_t>(fp + o.index), o.count);
  ip += rd<Rel>(ip + SIZE(OpBrTable) + 4 * i);
  NEXT();
}
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
H_Copy64 : {
  OPS(OpMove);
  wr(fp + o.dst, rd<uint64_t>(fp + o.src));
  ip += SIZE(OpMove);
  NEXT();
}
H_Copy128 : {
  OPS(OpMove);
  uint8_t v[16];
  std::memcpy(v, fp + o.src, 16);
  std::memcpy(fp + o.dst, v, 16);
  ip += SIZE(OpMove);
  NEXT();
}
H_Const64 : {
  OPS(OpConst64);
  std::memcpy(fp + o.dst, &o.lo, 8);
  ip += SIZE(OpConst64);
  NEXT();
}
H_Const128 : {
  OPS(OpConst128);
  std::memcpy(fp + o.dst, o.bytes, 16);
  ip += SIZE(OpConst128);
  NEXT();
}
H_Select64 : {
  OPS(OpSelect);
  wr(fp + o.dst, rd<uint64_t>(fp + (rd<uint32_t>(fp + o.cond) ? o.a : o.b)));
  ip += SIZE(OpSelect);
  NEXT();
}
H_Select128 : {
  OPS(OpSelect);
  uint8_t v[16];
  std::memcpy(v, fp + (rd<uint32_t>(fp + o.cond) ? o.a : o.b), 16);
  std::memcpy(fp + o.dst, v, 16);
  ip += SIZE(OpSelect);
  NEXT();
}

  // ---- calls ----
H_Call : {
  OPS(OpCall);
  callee = o.callee;
  newctx = vmctx;
  newfp = fp + o.args;
  ret = ip + SIZE(OpCall);
  goto do_call;
}
H_CallImport : {
  OPS(OpCallImport);
  ref = vmctx->funcs[o.func];
  sig = o.sig;
  newfp = fp + o.args;
  ret = ip + SIZE(OpCallImport);
  tail = false;
  goto do_ref_call;
}
H_CallIndirect : {
  OPS(OpCallIndirect);
  tail = false;
  ret = ip + SIZE(OpCallIndirect);
  goto do_indirect;
}
H_CallRef : {
  OPS(OpCallRef);
  ref = rd<const vm::VMFuncRef*>(fp + o.ref);
  if (!ref) TRAP(NullFunctionReference);
  sig = o.sig;
  newfp = fp + o.args;
  ret = ip + SIZE(OpCallRef);
  tail = false;
  goto do_ref_call;
}
H_ReturnCall : {
  OPS(OpCall);
  callee = o.callee;
  newctx = vmctx;
  goto do_tail;
}
H_ReturnCallImport : {
  OPS(OpCallImport);
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
  OPS(OpCallRef);
  ref = rd<const vm::VMFuncRef*>(fp + o.ref);
  if (!ref) TRAP(NullFunctionReference);
  sig = o.sig;
  newfp = fp + o.args;
  tail = true;
  goto do_ref_call;
}
do_indirect : {
  // spec 4.4.8 call_indirect: bounds, then null, then the type (canonical ids, spec 3.3.5).
  OPS(OpCallIndirect);
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
  if (ref->type_id != vmctx->type_ids[o.type]) TRAP(IndirectCallTypeMismatch);
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
  std::memset(newfp + callee->param_bytes, 0, callee->local_bytes);
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
  std::memset(fp + callee->param_bytes, 0, callee->local_bytes);
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
  act->ip = ip;
  st->sp = std::max(fp + st->fsp[-1].func->frame_bytes, newfp + 16 * n);
  st->sp += (16 - uintptr_t(st->sp) % 16) % 16;
  if (!ref->array_call(ref, vmctx, reinterpret_cast<vm::RawVal*>(newfp), n)) goto propagate;
  rawToSlots(sig->results, newfp, newfp);
  if (tail) goto do_return;
  ip = ret;
  NEXT();
}

  // ---- interruption ----
H_CheckEpoch : {
  const vm::VMStoreLimits& l = vmctx->store_ctx->limits;
  if (*l.epoch_counter >= l.epoch_deadline) TRAP(Interrupt);
  ip += 8;
  NEXT();
}
H_CheckFuel : {
  OPS(OpFuel);
  vm::VMStoreLimits& l = vmctx->store_ctx->limits;
  l.fuel_remaining -= o.cost;
  if (l.fuel_remaining < 0) TRAP(OutOfFuel);
  ip += SIZE(OpFuel);
  NEXT();
}

  // ---- globals ----
H_GlobalGet64 : {
  OPS(OpGlobal);
  std::memcpy(fp + o.slot, &vmctx->globals[o.global]->value, 8);
  ip += SIZE(OpGlobal);
  NEXT();
}
H_GlobalGet128 : {
  OPS(OpGlobal);
  std::memcpy(fp + o.slot, &vmctx->globals[o.global]->value, 16);
  ip += SIZE(OpGlobal);
  NEXT();
}
H_GlobalSet64 : {
  OPS(OpGlobal);
  std::memcpy(&vmctx->globals[o.global]->value, fp + o.slot, 8);
  ip += SIZE(OpGlobal);
  NEXT();
}
H_GlobalSet128 : {
  OPS(OpGlobal);
  std::memcpy(&vmctx->globals[o.global]->value, fp + o.slot, 16);
  ip += SIZE(OpGlobal);
  NEXT();
}

  // ---- loads and stores (mem_ops.h) ----
  // G: guard pages catch every out-of-bounds access (a 32-bit address plus a 32-bit offset
  // stays inside the 8 GiB reservation); the ip is saved first so the fault path knows where.
#define STRATA_MEM(X, K)                                                                       \
  H_##K##_G : {                                                                                \
    using O = MemOpFor<MemKind::K, MemMode::G>;                                                \
    OPS(O);                                                                                    \
    act->ip = ip;                                                                              \
    access<MemKind::K>(fp, o, mem + uint64_t(rd<uint32_t>(fp + o.addr)) + o.offset);           \
    ip += SIZE(O);                                                                             \
    NEXT();                                                                                    \
  }                                                                                            \
  H_##K##_E : {                                                                                \
    using O = MemOpFor<MemKind::K, MemMode::E>;                                                \
    OPS(O);                                                                                    \
    uint8_t* p = checkedAddr32<accessBytes(MemKind::K)>(vmctx->memories[o.mem],                \
                                                        rd<uint32_t>(fp + o.addr), o.offset); \
    if (!p) TRAP(MemoryOutOfBounds);                                                           \
    access<MemKind::K>(fp, o, p);                                                              \
    ip += SIZE(O);                                                                             \
    NEXT();                                                                                    \
  }                                                                                            \
  H_##K##_W : {                                                                                \
    using O = MemOpFor<MemKind::K, MemMode::E>;                                                \
    OPS(O);                                                                                    \
    uint8_t* p = checkedAddr64<accessBytes(MemKind::K)>(vmctx->memories[o.mem],                \
                                                        rd<uint64_t>(fp + o.addr), o.offset); \
    if (!p) TRAP(MemoryOutOfBounds);                                                           \
    access<MemKind::K>(fp, o, p);                                                              \
    ip += SIZE(O);                                                                             \
    NEXT();                                                                                    \
  }
  STRATA_INTERP_MEM_KINDS(STRATA_MEM, _)
#undef STRATA_MEM

  // ---- bulk memory (spec 4.4.7) ----
H_MemorySize : {
  OPS(OpBulk);
  put64(fp, o.dst, vmctx->memories[o.idx]->length >> o.idx2);
  ip += SIZE(OpBulk);
  NEXT();
}
H_MemoryGrow : {
  OPS(OpBulk);
  int64_t r = vmctx->builtins->memory_grow(vmctx, o.idx, operand(fp, o.a, o.flags & 1));
  put64(fp, o.dst, o.flags & 1 ? uint64_t(r) : uint64_t(uint32_t(r)));
  ip += SIZE(OpBulk);
  NEXT();
}
H_MemoryFill : {
  OPS(OpBulk);
  vm::VMMemory* m = vmctx->memories[o.idx];
  uint64_t d = operand(fp, o.a, o.flags & 1), n = operand(fp, o.c, o.flags & 1);
  if (!inBounds(m, d, n)) TRAP(MemoryOutOfBounds);
  std::memset(m->base + d, int(rd<uint32_t>(fp + o.b) & 0xff), n);
  ip += SIZE(OpBulk);
  NEXT();
}
H_MemoryCopy : {
  OPS(OpBulk);
  vm::VMMemory* dm = vmctx->memories[o.idx];
  vm::VMMemory* sm = vmctx->memories[o.idx2];
  uint64_t d = operand(fp, o.a, o.flags & 1), s = operand(fp, o.b, o.flags & 2),
           n = operand(fp, o.c, o.flags & 4);
  if (!inBounds(dm, d, n) || !inBounds(sm, s, n)) TRAP(MemoryOutOfBounds);
  std::memmove(dm->base + d, sm->base + s, n);
  ip += SIZE(OpBulk);
  NEXT();
}
H_MemoryInit : {
  OPS(OpBulk);
  if (!vmctx->builtins->memory_init(vmctx, o.idx2, o.idx, operand(fp, o.a, o.flags & 1), rd<uint32_t>(fp + o.b),
                                    rd<uint32_t>(fp + o.c)))
    goto propagate;
  ip += SIZE(OpBulk);
  NEXT();
}
H_DataDrop : {
  OPS(OpBulk);
  vmctx->builtins->data_drop(vmctx, o.idx);
  ip += SIZE(OpBulk);
  NEXT();
}

  // ---- tables (spec 4.4.6) ----
H_TableGet : {
  OPS(OpBulk);
  const vm::VMTable* t = vmctx->tables[o.idx];
  uint64_t i = operand(fp, o.a, o.flags & 1);
  if (i >= t->length) TRAP(TableOutOfBounds);
  wr(fp + o.dst, t->elements[i]);
  ip += SIZE(OpBulk);
  NEXT();
}
H_TableSet : {
  OPS(OpBulk);
  vm::VMTable* t = vmctx->tables[o.idx];
  uint64_t i = operand(fp, o.a, o.flags & 1);
  if (i >= t->length) TRAP(TableOutOfBounds);
  t->elements[i] = rd<void*>(fp + o.b);
  ip += SIZE(OpBulk);
  NEXT();
}
H_TableSize : {
  OPS(OpBulk);
  put64(fp, o.dst, vmctx->tables[o.idx]->length);
  ip += SIZE(OpBulk);
  NEXT();
}
H_TableGrow : {
  OPS(OpBulk);
  int64_t r = vmctx->builtins->table_grow(vmctx, o.idx, rd<void*>(fp + o.a), operand(fp, o.b, o.flags & 1));
  put64(fp, o.dst, o.flags & 1 ? uint64_t(r) : uint64_t(uint32_t(r)));
  ip += SIZE(OpBulk);
  NEXT();
}
H_TableFill : {
  OPS(OpBulk);
  if (!vmctx->builtins->table_fill(vmctx, o.idx, operand(fp, o.a, o.flags & 1), rd<void*>(fp + o.b),
                                   operand(fp, o.c, o.flags & 1)))
    goto propagate;
  ip += SIZE(OpBulk);
  NEXT();
}
H_TableCopy : {
  OPS(OpBulk);
  if (!vmctx->builtins->table_copy(vmctx, o.idx, o.idx2, operand(fp, o.a, o.flags & 1),
                                   operand(fp, o.b, o.flags & 2), operand(fp, o.c, o.flags & 4)))
    goto propagate;
  ip += SIZE(OpBulk);
  NEXT();
}
H_TableInit : {
  OPS(OpBulk);
  if (!vmctx->builtins->table_init(vmctx, o.idx2, o.idx, operand(fp, o.a, o.flags & 1), rd<uint32_t>(fp + o.b),
                                   rd<uint32_t>(fp + o.c)))
    goto propagate;
  ip += SIZE(OpBulk);
  NEXT();
}
H_ElemDrop : {
  OPS(OpBulk);
  vmctx->builtins->elem_drop(vmctx, o.idx);
  ip += SIZE(OpBulk);
  NEXT();
}

  // ---- references ----
H_RefFunc : {
  OPS(OpIndex);
  wr(fp + o.dst, vmctx->funcs[o.index]);
  ip += SIZE(OpIndex);
  NEXT();
}
H_RefIsNull : {
  OPS(OpIndex);
  wr<uint32_t>(fp + o.dst, rd<void*>(fp + o.src) == nullptr);
  ip += SIZE(OpIndex);
  NEXT();
}
H_RefAsNonNull : {
  OPS(OpIndex);
  if (!rd<void*>(fp + o.src)) TRAP(NullReference);
  ip += SIZE(OpIndex);
  NEXT();
}

  // ---- NaN canonicalisation (CompileOptions::nan_canonicalization) ----
H_CanonF32 : {
  OPS(OpSlot);
  float f = rd<float>(fp + o.slot);
  if (f != f) wr<uint32_t>(fp + o.slot, 0x7fc00000u);
  ip += SIZE(OpSlot);
  NEXT();
}
H_CanonF64 : {
  OPS(OpSlot);
  double d = rd<double>(fp + o.slot);
  if (d != d) wr<uint64_t>(fp + o.slot, 0x7ff8000000000000ull);
  ip += SIZE(OpSlot);
  NEXT();
}

  // ---- wide arithmetic: 128-bit values as (low, high) i64 pairs ----
H_I64Add128 : {
  OPS(OpWide);
  unsigned __int128 a = (unsigned __int128)rd<uint64_t>(fp + o.b) << 64 | rd<uint64_t>(fp + o.a);
  unsigned __int128 b = (unsigned __int128)rd<uint64_t>(fp + o.d) << 64 | rd<uint64_t>(fp + o.c);
  unsigned __int128 r = a + b;
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t(r >> 64));
  ip += SIZE(OpWide);
  NEXT();
}
H_I64Sub128 : {
  OPS(OpWide);
  unsigned __int128 a = (unsigned __int128)rd<uint64_t>(fp + o.b) << 64 | rd<uint64_t>(fp + o.a);
  unsigned __int128 b = (unsigned __int128)rd<uint64_t>(fp + o.d) << 64 | rd<uint64_t>(fp + o.c);
  unsigned __int128 r = a - b;
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t(r >> 64));
  ip += SIZE(OpWide);
  NEXT();
}
H_I64MulWideS : {
  OPS(OpWide);
  __int128 r = (__int128)int64_t(rd<uint64_t>(fp + o.a)) * int64_t(rd<uint64_t>(fp + o.b));
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t((unsigned __int128)r >> 64));
  ip += SIZE(OpWide);
  NEXT();
}
H_I64MulWideU : {
  OPS(OpWide);
  unsigned __int128 r = (unsigned __int128)rd<uint64_t>(fp + o.a) * rd<uint64_t>(fp + o.b);
  put64(fp, o.dst_lo, uint64_t(r));
  put64(fp, o.dst_hi, uint64_t(r >> 64));
  ip += SIZE(OpWide);
  NEXT();
}

trap:
  return raiseTrap(st, act, ip, vmctx, tk);
propagate:
  return propagateTrap(st, act, ip, vmctx);
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
  bool ok = execute(st, &act, vmctx, fp, fc->code.data());
  if (ok) slotsToRaw(sig.results, sig.result_bytes, fp, reinterpret_cast<uint8_t*>(vals));
  st->fsp = act.base;
  st->sp = act.saved_sp;
  st->top = act.prev;
  return ok;
}

}  // namespace strata::interp
