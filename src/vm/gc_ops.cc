// The struct and array instructions (spec 4.4.x aggregate instructions; docs/gc.md has the
// object layout and the heap). Each returns kOk or what to trap with.
#include "vm/gc_ops.h"

#include <cstring>

#include "support/unaligned.h"
#include "vm/builtins.h"
#include "vm/gc.h"
#include "vm/trap.h"

namespace strata::vm::gcops {

namespace {

using Slot = uint32_t;

// Bytes a value of a field's storage takes in a frame slot (spec 4.4.x: packed values are
// i32 on the stack).
inline uint32_t slotBytes(const GcType::Field& f) { return f.bytes == 16 ? 16 : 8; }

// Writes a field's stored value to a slot, extending packed values (spec 4.4.x unpack:
// `sign` 0 for a plain get, 1 for _s, 2 for _u).
inline void load(uint8_t* slot, const uint8_t* p, const GcType::Field& f, int sign) {
  if (f.bytes == 1) {
    uint32_t v = sign == 1 ? uint32_t(int32_t(int8_t(*p))) : *p;
    wr<uint64_t>(slot, v);
  } else if (f.bytes == 2) {
    uint16_t h = rd<uint16_t>(p);
    uint32_t v = sign == 1 ? uint32_t(int32_t(int16_t(h))) : h;
    wr<uint64_t>(slot, v);
  } else if (f.bytes == 4) {
    wr<uint64_t>(slot, rd<uint32_t>(p));
  } else {
    std::memcpy(slot, p, f.bytes);
  }
}

// Stores a slot's value into a field: packed fields keep the low bits (spec 4.4.x pack: wrap).
inline void store(uint8_t* p, const uint8_t* slot, const GcType::Field& f) { std::memcpy(p, slot, f.bytes); }

// A new object, with the frames of the interpreter already reported (the handler set the value
// stack's top); null when the heap refuses.
inline GcObject* allocate(VMContext* vmctx, const GcType* rtt, uint32_t length) {
  return heapOf(vmctx->store_ctx)->allocate(rtt, length);
}

inline GcObject* ref(const uint8_t* fp, Slot s) { return rd<GcObject*>(fp + s); }

// Before references are stored into `obj` (docs/gc.md "Generations").
inline void barrier(VMContext* vmctx, GcObject* obj, const GcType::Field& f) {
  if (f.is_ref) gcWriteBarrier(vmctx->store_ctx->gc_alloc, obj);
}

unsigned structGet(uint8_t* fp, const Operands& o, int sign) {
  GcObject* obj = ref(fp, o.a);
  if (!obj) return unsigned(TrapKind::NullStructReference);
  const GcType::Field& f = obj->rtt->fields[o.idx];
  load(fp + o.dst, obj->payload() + f.offset, f, sign);
  return kOk;
}

// The element at index `i` (checked by the caller).
inline uint8_t* elem(GcObject* a, uint64_t i) { return a->payload() + i * a->rtt->fields[0].bytes; }

unsigned arrayGet(uint8_t* fp, const Operands& o, int sign) {
  GcObject* a = ref(fp, o.a);
  if (!a) return unsigned(TrapKind::NullArrayReference);
  uint32_t i = rd<uint32_t>(fp + o.b);
  if (i >= a->length) return unsigned(TrapKind::ArrayOutOfBounds);
  load(fp + o.dst, elem(a, i), a->rtt->fields[0], sign);
  return kOk;
}

// [start, start + n) within [0, size), without overflow.
inline bool inBounds(uint64_t start, uint64_t n, uint64_t size) { return start <= size && n <= size - start; }

// Fills `n` elements from `at` with the value in `slot`.
void fill(GcObject* a, uint64_t at, uint64_t n, const uint8_t* slot) {
  const GcType::Field& f = a->rtt->fields[0];
  for (uint64_t i = 0; i < n; ++i) store(elem(a, at + i), slot, f);
}

// Copies `n` elements of the data segment from byte `s` into the array from element `d`;
// the caller checked the array's bounds. Traps as memory accesses do (spec 4.4.x).
unsigned fromData(VMContext* vmctx, GcObject* a, uint64_t d, uint32_t data, uint64_t s, uint64_t n) {
  uint64_t size = 0;
  const uint8_t* bytes = vmctx->builtins->data_segment(vmctx, data, &size);
  uint64_t z = a->rtt->fields[0].bytes;
  if (!inBounds(s, n * z, size)) return unsigned(TrapKind::MemoryOutOfBounds);
  if (n) std::memcpy(elem(a, d), bytes + s, n * z);
  return kOk;
}

unsigned fromElem(VMContext* vmctx, GcObject* a, uint64_t d, uint32_t seg, uint64_t s, uint64_t n) {
  uint64_t size = 0;
  void* const* refs = vmctx->builtins->elem_segment(vmctx, seg, &size);
  if (!inBounds(s, n, size)) return unsigned(TrapKind::TableOutOfBounds);
  gcWriteBarrier(vmctx->store_ctx->gc_alloc, a);
  if (n) std::memcpy(elem(a, d), refs + s, n * sizeof(void*));
  return kOk;
}

// The heap refuses arrays whose size does not fit its limit; lengths are u32, so the byte size
// (at most 16 * 2^32) never overflows. The caller writes the result last: dst is the home of
// the first operand.
GcObject* newArray(VMContext* vmctx, const Operands& o, uint32_t n) {
  return allocate(vmctx, vmctx->gc_types[o.type], n);
}

unsigned done(uint8_t* fp, const Operands& o, GcObject* a, unsigned r = kOk) {
  wr(fp + o.dst, a);
  return r;
}

}  // namespace

unsigned StructNew(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  const GcType* rtt = vmctx->gc_types[o.type];
  GcObject* obj = allocate(vmctx, rtt, 0);
  if (!obj) return kOom;
  Slot s = o.a;
  for (const GcType::Field& f : rtt->fields) {
    store(obj->payload() + f.offset, fp + s, f);
    s += slotBytes(f);
  }
  wr(fp + o.dst, obj);
  return kOk;
}

unsigned StructNewDefault(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* obj = allocate(vmctx, vmctx->gc_types[o.type], 0);
  if (!obj) return kOom;
  wr(fp + o.dst, obj);
  return kOk;
}

// The plain, _s and _u reads of fields and elements.
#define STRATA_GETS(X) \
  X(StructGet, structGet, 0) X(StructGetS, structGet, 1) X(StructGetU, structGet, 2) \
  X(ArrayGet, arrayGet, 0) X(ArrayGetS, arrayGet, 1) X(ArrayGetU, arrayGet, 2)
#define STRATA_X(name, impl, sign) \
  unsigned name(uint8_t* fp, VMContext*, const Operands& o) { return impl(fp, o, sign); }
STRATA_GETS(STRATA_X)
#undef STRATA_X
#undef STRATA_GETS

unsigned StructSet(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* obj = ref(fp, o.a);
  if (!obj) return unsigned(TrapKind::NullStructReference);
  const GcType::Field& f = obj->rtt->fields[o.idx];
  barrier(vmctx, obj, f);
  store(obj->payload() + f.offset, fp + o.b, f);
  return kOk;
}

unsigned ArrayNew(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* a = newArray(vmctx, o, rd<uint32_t>(fp + o.b));
  if (!a) return kOom;
  fill(a, 0, a->length, fp + o.a);
  return done(fp, o, a);
}

unsigned ArrayNewDefault(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* a = newArray(vmctx, o, rd<uint32_t>(fp + o.b));
  return a ? done(fp, o, a) : kOom;
}

unsigned ArrayNewFixed(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* a = newArray(vmctx, o, o.idx);
  if (!a) return kOom;
  const GcType::Field& f = a->rtt->fields[0];
  for (uint32_t i = 0; i < o.idx; ++i) store(elem(a, i), fp + o.a + i * slotBytes(f), f);
  return done(fp, o, a);
}

// spec 4.4.x array.new_data: the segment range is checked before allocating.
unsigned ArrayNewData(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  uint32_t s = rd<uint32_t>(fp + o.a), n = rd<uint32_t>(fp + o.b);
  uint64_t size = 0;
  vmctx->builtins->data_segment(vmctx, o.idx, &size);
  if (!inBounds(s, uint64_t(n) * vmctx->gc_types[o.type]->fields[0].bytes, size))
    return unsigned(TrapKind::MemoryOutOfBounds);
  GcObject* a = newArray(vmctx, o, n);
  if (!a) return kOom;
  return done(fp, o, a, fromData(vmctx, a, 0, o.idx, s, n));
}

unsigned ArrayNewElem(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  uint32_t s = rd<uint32_t>(fp + o.a), n = rd<uint32_t>(fp + o.b);
  uint64_t size = 0;
  vmctx->builtins->elem_segment(vmctx, o.idx, &size);
  if (!inBounds(s, n, size)) return unsigned(TrapKind::TableOutOfBounds);
  GcObject* a = newArray(vmctx, o, n);
  if (!a) return kOom;
  return done(fp, o, a, fromElem(vmctx, a, 0, o.idx, s, n));
}

unsigned ArraySet(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* a = ref(fp, o.a);
  if (!a) return unsigned(TrapKind::NullArrayReference);
  uint32_t i = rd<uint32_t>(fp + o.b);
  if (i >= a->length) return unsigned(TrapKind::ArrayOutOfBounds);
  barrier(vmctx, a, a->rtt->fields[0]);
  store(elem(a, i), fp + o.c, a->rtt->fields[0]);
  return kOk;
}

unsigned ArrayLen(uint8_t* fp, VMContext*, const Operands& o) {
  GcObject* a = ref(fp, o.a);
  if (!a) return unsigned(TrapKind::NullArrayReference);
  wr<uint64_t>(fp + o.dst, a->length);
  return kOk;
}

unsigned ArrayFill(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* a = ref(fp, o.a);
  if (!a) return unsigned(TrapKind::NullArrayReference);
  uint32_t d = rd<uint32_t>(fp + o.b), n = rd<uint32_t>(fp + o.d);
  if (!inBounds(d, n, a->length)) return unsigned(TrapKind::ArrayOutOfBounds);
  barrier(vmctx, a, a->rtt->fields[0]);
  fill(a, d, n, fp + o.c);
  return kOk;
}

// spec 4.4.x array.copy: both null checks, then both ranges, then an overlapping-safe copy.
unsigned ArrayCopy(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* d = ref(fp, o.a);
  GcObject* s = ref(fp, o.c);
  if (!d || !s) return unsigned(TrapKind::NullArrayReference);
  uint32_t di = rd<uint32_t>(fp + o.b), si = rd<uint32_t>(fp + o.d), n = rd<uint32_t>(fp + o.e);
  if (!inBounds(di, n, d->length) || !inBounds(si, n, s->length)) return unsigned(TrapKind::ArrayOutOfBounds);
  barrier(vmctx, d, d->rtt->fields[0]);
  if (n) std::memmove(elem(d, di), elem(s, si), uint64_t(n) * d->rtt->fields[0].bytes);
  return kOk;
}

// spec 4.4.x array.init_data / init_elem: null, then the array's range, then the segment's.
template <auto from>
unsigned arrayInit(uint8_t* fp, VMContext* vmctx, const Operands& o) {
  GcObject* a = ref(fp, o.a);
  if (!a) return unsigned(TrapKind::NullArrayReference);
  uint32_t d = rd<uint32_t>(fp + o.b), s = rd<uint32_t>(fp + o.c), n = rd<uint32_t>(fp + o.d);
  if (!inBounds(d, n, a->length)) return unsigned(TrapKind::ArrayOutOfBounds);
  return from(vmctx, a, d, o.idx, s, n);
}

unsigned ArrayInitData(uint8_t* fp, VMContext* vmctx, const Operands& o) { return arrayInit<fromData>(fp, vmctx, o); }
unsigned ArrayInitElem(uint8_t* fp, VMContext* vmctx, const Operands& o) { return arrayInit<fromElem>(fp, vmctx, o); }

}  // namespace strata::vm::gcops
