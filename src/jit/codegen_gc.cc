// GC instructions (spec 4.4.x reference and aggregate instructions; docs/gc.md). i31 and
// ref.eq are inline; casts call castThunk; structs and arrays call the thunks of
// vm/gc_ops.h (gc_thunks.cc), the interpreter's functions over this tier's outgoing area.
//
// Every allocating call here is a safepoint: spillRegs() stores every value of the stack and
// every dirty local to the frame first (reference locals are written through anyway), and the
// call's stack map (siteCall) names the slots holding references; recordExit() tells the
// collector where this frame is (vm::GcHeap::traceMachineFrames).
#include "jit/codegen.h"
#include "jit/externs.h"
#include "jit/stubs.h"
#include "jit/thunks.h"
#include "vm/gc.h"

namespace strata::jit {

using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

namespace {

uint32_t scaleOf(uint32_t bytes) { return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3; }

// Field i of an object of struct type st whose address is in r, sized as its storage.
Mem fieldMem(const ir::StructType& st, uint32_t i, const Gp& r) {
  return ptr(r, int32_t(sizeof(vm::GcObject) + vm::fieldOffset(st, i)), vm::storageBytes(st.fields[i].storage));
}

// The type a field's value has on the stack (spec 4.4.x unpack: packed fields are i32).
ValKind unpacked(const ir::FieldType& f) {
  return f.storage.packed == ir::Packed::None ? f.storage.type.kind : ValKind::I32;
}

}  // namespace

bool FuncCompiler::visitGc(const decode::Instr& in) {
  const ir::SubType* t = in.idx < module_.types.size() ? &module_.types[in.idx] : nullptr;
  auto result = [&](ValKind k) { pushAreaResult(k); };  // the thunk wrote slot 0
  switch (in.op) {
    // Host references have the same bits in both hierarchies (docs/gc.md).
    case Opcode::AnyConvertExtern:
    case Opcode::ExternConvertAny: return true;
    case Opcode::RefI31: {
      // (x << 1) | 1 on 32 bits: bit 31 of x drops out (the wrap to 31 bits), and the 32-bit
      // result is zero-extended into the 64-bit reference.
      Gp r = toGpr(top());
      a().add(r.r32(), r.r32());
      a().or_(r.r32(), 1);
      top().kind = ValKind::Ref;
      return true;
    }
    case Opcode::I31GetS:
    case Opcode::I31GetU: {
      Gp r = toGpr(top());
      a().test(r, r);
      trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullI31Reference));
      // The reference is (x << 1) | 1 below 2^32: a 32-bit shift right by one gives x, an
      // arithmetic one x sign-extended from bit 30.
      if (in.op == Opcode::I31GetS) a().sar(r.r32(), 1);
      else a().shr(r.r32(), 1);
      top().kind = ValKind::I32;
      return true;
    }
    case Opcode::RefEq: {
      // spec 4.4.x ref.eq: identity of objects, equality of i31 payloads: both are the word.
      stack_[stack_.size() - 1].kind = ValKind::I64;
      stack_[stack_.size() - 2].kind = ValKind::I64;
      decode::Instr eq = in;
      eq.op = Opcode::I64Eq;
      return visitCompare(eq);
    }
    case Opcode::RefTest:
    case Opcode::RefTestNull:
      castCall(in.heap.bits, in.op == Opcode::RefTestNull);
      pop();
      pushReg(ValKind::I32, Gp::kIdAx);
      return true;
    case Opcode::RefCast:
    case Opcode::RefCastNull:
      castCall(in.heap.bits, in.op == Opcode::RefCastNull);
      a().test(eax, eax);
      trapIf(CondCode::kZ, uint32_t(vm::TrapKind::CastFailure));
      return true;
    case Opcode::BrOnCast:
    case Opcode::BrOnCastFail:
      // The reference stays on the stack on both paths (only its static type differs).
      castCall(in.heap2.bits, in.null2);
      a().test(eax, eax);
      branchIf(in.op == Opcode::BrOnCast ? CondCode::kNZ : CondCode::kZ, in.idx);
      return true;
    case Opcode::StructNew: {
      uint32_t cls = 0, cell = 0;
      if (vm::gcCellClass(vm::structBytes(t->strct), cls, cell)) {
        structNewInline(in, t->strct, cls, cell);
      } else {
        gcCall(in, t->strct.fields.size(), true);
        result(ValKind::Ref);
      }
      return true;
    }
    case Opcode::StructNewDefault:
      gcCall(in, 0, false);
      result(ValKind::Ref);
      return true;
    case Opcode::StructGet:
    case Opcode::StructGetS:
    case Opcode::StructGetU: {
      const ir::FieldType& f = t->strct.fields[in.idx2];
      Gp r = toGpr(top());
      a().test(r, r);
      trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullStructReference));
      loadField(f, in.op == Opcode::StructGetS, fieldMem(t->strct, in.idx2, r));
      return true;
    }
    case Opcode::StructSet: {
      const ir::FieldType& f = t->strct.fields[in.idx2];
      Val& v = top();
      uint32_t avoid = 0;
      if (clsOf(v.kind) == Cls::Gpr) avoid = 1u << toGpr(v).id();
      else toXmm(v);
      Gp r = toGpr(stack_[stack_.size() - 2], avoid);
      a().test(r, r);
      trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullStructReference));
      storeField(f, fieldMem(t->strct, in.idx2, r));
      if (vm::isRefStorage(f.storage)) writeBarrier(r);
      pop();
      pop();
      return true;
    }
    case Opcode::ArrayNew:
    case Opcode::ArrayNewData:
    case Opcode::ArrayNewElem:
      gcCall(in, 2, false);
      result(ValKind::Ref);
      return true;
    case Opcode::ArrayNewDefault:
      gcCall(in, 1, false);
      result(ValKind::Ref);
      return true;
    case Opcode::ArrayNewFixed:
      gcCall(in, in.idx2, true);
      result(ValKind::Ref);
      return true;
    case Opcode::ArrayGet:
    case Opcode::ArrayGetS:
    case Opcode::ArrayGetU: {
      const ir::FieldType& f = t->array.field;
      uint32_t bytes = vm::storageBytes(f.storage);
      if (bytes == 16) {  // v128 elements: no such scale
        gcCall(in, 2, false);
        result(unpacked(f));
        return true;
      }
      Gp i = toGpr(top());
      Gp r = toGpr(stack_[stack_.size() - 2], 1u << i.id());
      checkElement(r, i);
      pop();  // the index; the load replaces the reference
      loadField(f, in.op == Opcode::ArrayGetS, ptr(r, i, scaleOf(bytes), int32_t(sizeof(vm::GcObject)), bytes));
      return true;
    }
    case Opcode::ArrayLen: {
      Gp r = toGpr(top());
      a().test(r, r);
      trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullArrayReference));
      a().mov(r.r32(), dword_ptr(r, offsetof(vm::GcObject, length)));
      top().kind = ValKind::I32;
      return true;
    }
    case Opcode::ArraySet: {
      const ir::FieldType& f = t->array.field;
      uint32_t bytes = vm::storageBytes(f.storage);
      if (bytes == 16) {
        gcCall(in, 3, false);
        return true;
      }
      Val& v = top();
      uint32_t avoid = 0;
      if (clsOf(v.kind) == Cls::Gpr) avoid = 1u << toGpr(v).id();
      else toXmm(v);
      Gp i = toGpr(stack_[stack_.size() - 2], avoid);
      Gp r = toGpr(stack_[stack_.size() - 3], avoid | 1u << i.id());
      checkElement(r, i);
      storeField(f, ptr(r, i, scaleOf(bytes), int32_t(sizeof(vm::GcObject)), bytes));
      if (vm::isRefStorage(f.storage)) writeBarrier(r);
      pop();
      pop();
      pop();
      return true;
    }
    case Opcode::ArrayFill:
    case Opcode::ArrayInitData:
    case Opcode::ArrayInitElem: gcCall(in, 4, false); return true;
    case Opcode::ArrayCopy: gcCall(in, 5, false); return true;
    default: return false;
  }
}

// The generational write barrier, as vm::gcWriteBarrier: an old object (mark kGcOld) not yet
// remembered goes out of line, where two scratch registers are pushed and popped around the
// append, so that the barrier leaves every register as it found it. The flags are clobbered
// (no Flags entry lies below a stored value).
void FuncCompiler::writeBarrier(const Gp& obj) {
  a().cmp(dword_ptr(obj, offsetof(vm::GcObject, mark)), vm::kGcOld);
  BarrierStub s{a().newLocal(), a().newLocal(), obj.id()};
  a().j(CondCode::kE, s.label);
  a().bind(s.back);
  barriers_.push_back(s);
}

void FuncCompiler::emitBarrierStubs() {
  for (const BarrierStub& s : barriers_) {
    Gp obj = gpq(s.reg);
    uint32_t t[2], n = 0;
    for (uint32_t r : {uint32_t(Gp::kIdAx), uint32_t(Gp::kIdCx), uint32_t(Gp::kIdDx)})
      if (r != s.reg && n < 2) t[n++] = r;
    Gp state = gpq(t[0]), cur = gpq(t[1]);
    asmjit::Label full = a().newLocal();
    a().bind(s.label);
    a().push(state);
    a().push(cur);
    a().mov(state, qword_ptr(r15, offsetof(vm::VMContext, store_ctx)));
    a().mov(state, qword_ptr(state, offsetof(vm::VMStoreContext, gc_alloc)));
    a().mov(cur, qword_ptr(state, offsetof(vm::GcAllocState, remembered)));
    a().cmp(cur, qword_ptr(state, offsetof(vm::GcAllocState, remembered_end)));
    a().j(CondCode::kE, full);  // full: the next collection is a full one
    a().mov(qword_ptr(cur), obj);
    a().add(cur, 8);
    a().mov(qword_ptr(state, offsetof(vm::GcAllocState, remembered)), cur);
    a().mov(dword_ptr(obj, offsetof(vm::GcObject, mark)), vm::kGcRemembered);
    a().bind(full);
    a().pop(cur);
    a().pop(state);
    a().jmp(s.back);
  }
}

// The value of a field or element at `m` replaces the reference on top of the stack (whose
// register is the address's base): packed ones extended to i32 (`sign`: _s), as struct.get_s/_u
// and array.get_s/_u (spec 4.4.x unpack).
void FuncCompiler::loadField(const ir::FieldType& f, bool sign, const Mem& m) {
  ValKind k = unpacked(f);
  if (clsOf(k) == Cls::Gpr) {
    Gp d = toGpr(top());  // the reference's register: read before written
    switch (vm::storageBytes(f.storage)) {
      case 1: sign ? a().movsx(d.r32(), m) : a().movzx(d.r32(), m); break;
      case 2: sign ? a().movsx(d.r32(), m) : a().movzx(d.r32(), m); break;
      case 4: a().mov(d.r32(), m); break;
      default: a().mov(d, m); break;
    }
    top().kind = k;
    return;
  }
  Xmm x = allocXmm();
  if (k == ValKind::F32) a().movss(x, m);
  else if (k == ValKind::F64) a().movsd(x, m);
  else a().movups(x, m);
  pop();
  xmm_used_ &= ~(1u << x.id());
  pushReg(k, uint8_t(x.id()));
}

// The value on top of the stack (in a register) to the field or element at `m`, packed ones
// wrapped (spec 4.4.x pack).
void FuncCompiler::storeField(const ir::FieldType& f, const Mem& m) {
  const Val& v = top();
  if (clsOf(v.kind) == Cls::Xmm) {
    if (v.kind == ValKind::F32) a().movss(m, xmm(v.reg));
    else if (v.kind == ValKind::F64) a().movsd(m, xmm(v.reg));
    else a().movups(m, xmm(v.reg));
    return;
  }
  switch (vm::storageBytes(f.storage)) {
    case 1: a().mov(m, gpb(v.reg)); break;
    case 2: a().mov(m, gpw(v.reg)); break;
    case 4: a().mov(m, gpd(v.reg)); break;
    default: a().mov(m, gpq(v.reg)); break;
  }
}

// The array in r is not null and the i32 index in i lies below its length (spec 4.4.x: null
// first, then bounds); i is zero-extended for addressing.
void FuncCompiler::checkElement(const Gp& r, const Gp& i) {
  a().test(r, r);
  trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullArrayReference));
  a().mov(i.r32(), i.r32());
  a().cmp(i.r32(), dword_ptr(r, offsetof(vm::GcObject, length)));
  trapIf(CondCode::kAE, uint32_t(vm::TrapKind::ArrayOutOfBounds));
}

// struct.new with the heap's fast path inline (vm::GcAllocState): the head of the class's free
// list when the collection threshold and the heap limit allow it, its header and fields
// written here; otherwise the thunk, which may collect. Operands are spilled first either way
// (the thunk's path is a safepoint).
void FuncCompiler::structNewInline(const decode::Instr& in, const ir::StructType& st, uint32_t cls, uint32_t cell) {
  spillRegs();
  size_t n = st.fields.size(), first = stack_.size() - n;
  asmjit::Label slow = a().newLocal(), done = a().newLocal();
  auto free_at = int32_t(offsetof(vm::GcAllocState, free) + 8 * cls);
  a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, store_ctx)));
  a().mov(rax, qword_ptr(rax, offsetof(vm::VMStoreContext, gc_alloc)));
  a().mov(rcx, qword_ptr(rax, free_at));
  a().test(rcx, rcx);
  a().jz(slow);
  a().mov(rdx, qword_ptr(rax, offsetof(vm::GcAllocState, since_last)));
  a().add(rdx, int32_t(cell));
  a().cmp(rdx, qword_ptr(rax, offsetof(vm::GcAllocState, threshold)));
  a().ja(slow);
  a().mov(r11, qword_ptr(rax, offsetof(vm::GcAllocState, live_bytes)));
  a().add(r11, int32_t(cell));
  a().cmp(r11, qword_ptr(rax, offsetof(vm::GcAllocState, limit)));
  a().ja(slow);
  a().mov(qword_ptr(rax, offsetof(vm::GcAllocState, since_last)), rdx);
  a().mov(qword_ptr(rax, offsetof(vm::GcAllocState, live_bytes)), r11);
  a().add(qword_ptr(rax, offsetof(vm::GcAllocState, count)), 1);
  a().mov(rdx, qword_ptr(rcx, 8));  // the next free cell
  a().mov(qword_ptr(rax, free_at), rdx);
  a().mov(qword_ptr(rcx, 8), 0);     // length and mark: 0
  a().mov(rdx, qword_ptr(r15, offsetof(vm::VMContext, gc_types)));
  a().mov(rdx, qword_ptr(rdx, 8 * int32_t(in.idx)));
  a().mov(qword_ptr(rcx, 0), rdx);   // the rtt
  uint32_t end = 0;  // the fields' offsets, as vm::fieldOffset lays them out
  for (size_t i = 0; i < n; ++i) {
    const Val& v = stack_[first + i];
    uint32_t size = vm::storageBytes(st.fields[i].storage);
    uint32_t at = vm::nextFieldOffset(end, size);
    end = at + size;
    auto off = int32_t(sizeof(vm::GcObject) + at);
    if (size == 16) {
      if (v.loc == Loc::Const) {
        storeImm64(qword_ptr(rcx, off), v.imm);
        storeImm64(qword_ptr(rcx, off + 8), v.imm_hi);
      } else {
        a().movups(xmm15, xmmword_ptr(rbp, v.disp));
        a().movups(xmmword_ptr(rcx, off), xmm15);
      }
      continue;
    }
    if (v.loc == Loc::Const) {  // null references and constants: stored as immediates
      switch (size) {
        case 1: a().mov(byte_ptr(rcx, off), int32_t(int8_t(v.imm))); break;
        case 2: a().mov(word_ptr(rcx, off), int32_t(int16_t(v.imm))); break;
        case 4: a().mov(dword_ptr(rcx, off), int32_t(v.imm)); break;
        default: storeImm64(qword_ptr(rcx, off), v.imm); break;
      }
      continue;
    }
    a().mov(r11, qword_ptr(rbp, v.disp));  // a slot or a home holds at least 8 bytes
    switch (size) {
      case 1: a().mov(byte_ptr(rcx, off), r11b); break;
      case 2: a().mov(word_ptr(rcx, off), r11w); break;
      case 4: a().mov(dword_ptr(rcx, off), r11d); break;
      default: a().mov(qword_ptr(rcx, off), r11); break;
    }
  }
  a().mov(rax, rcx);
  a().jmp(done);
  a().bind(slow);
  callGcThunk(in, first, n, true);
  a().mov(rax, qword_ptr(rsp));
  a().bind(done);
  for (size_t i = 0; i < n; ++i) pop();
  pushReg(ValKind::Ref, Gp::kIdAx);
}

// The top n operands to the outgoing area (16-byte slots, or `consecutive` 8-byte ones, 16 for
// v128, as struct.new and array.new_fixed read them), popped, then the thunk; a trap it
// reports goes to this instruction's stub.
void FuncCompiler::gcCall(const decode::Instr& in, size_t n, bool consecutive) {
  spillRegs();
  callGcThunk(in, stack_.size() - n, n, consecutive);
  for (size_t i = 0; i < n; ++i) pop();
}

// The thunk of `in` on the n spilled operands from stack position `first` (left on the stack).
void FuncCompiler::callGcThunk(const decode::Instr& in, size_t first, size_t n, bool consecutive) {
  int32_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    const Val& v = stack_[first + i];
    storeOut(v, at);
    at += consecutive && v.kind != ValKind::V128 ? 8 : 16;
  }
  max_out_ = std::max<uint32_t>(max_out_, std::max<uint32_t>(1, uint32_t(at + 15) / 16));
  a().mov(rdi, rsp);
  a().mov(rsi, r15);
  a().mov(rdx, asmjit::imm(int64_t(uint64_t(in.idx) | uint64_t(in.idx2) << 32)));
  // The operands stay on the stack (spilled) until the thunk returns: its stack map has them.
  recordExit();
  callExtern(externThunk(in.op));
  siteCall();
  a().test(eax, eax);
  trapIf(CondCode::kNZ, kDynamic);
}

// eax = whether the reference on top of the stack (left there) matches the target.
void FuncCompiler::castCall(uint32_t heap_bits, bool nullable) {
  spillRegs();
  loadArg(top(), rdi, true);
  a().mov(rsi, r15);
  a().mov(rdx, asmjit::imm(int64_t(uint64_t(heap_bits) | uint64_t(nullable) << 32)));
  callExtern(externThunk(Opcode::RefTest));
}

}  // namespace strata::jit
