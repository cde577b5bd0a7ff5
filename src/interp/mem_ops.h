// What each memory access kind of the interpreter does once its effective address is known
// (spec 4.4.7 load/store, 4.4.x v128 loads and stores): the handlers of dispatch.cc compute and
// check the address per mode, then call access<Kind>.
//
// Slots hold values little-endian like memory, so integer loads widen into the full 8-byte
// slot (an i32 reads the low 4 bytes of a sign- or zero-extended 64-bit value correctly) and
// stores write the low bytes of the slot.
#pragma once

#include <cstdint>
#include <cstring>

#include "interp/sem.h"
#include "interp/bytecode.h"

namespace strata::interp {

// Bytes of memory the kind touches (for bounds checks).
constexpr uint32_t accessBytes(MemKind k) {
  switch (k) {
    case MemKind::I8S:
    case MemKind::I8U:
    case MemKind::Splat8:
    case MemKind::S8:
    case MemKind::SI8:
    case MemKind::LoadLane8:
    case MemKind::StoreLane8: return 1;
    case MemKind::I16S:
    case MemKind::I16U:
    case MemKind::Splat16:
    case MemKind::S16:
    case MemKind::SI16:
    case MemKind::LoadLane16:
    case MemKind::StoreLane16: return 2;
    case MemKind::I32S:
    case MemKind::I32U:
    case MemKind::Splat32:
    case MemKind::Zero32:
    case MemKind::S32:
    case MemKind::SI32:
    case MemKind::LoadLane32:
    case MemKind::StoreLane32: return 4;
    case MemKind::I64:
    case MemKind::V8x8S:
    case MemKind::V8x8U:
    case MemKind::V16x4S:
    case MemKind::V16x4U:
    case MemKind::V32x2S:
    case MemKind::V32x2U:
    case MemKind::Splat64:
    case MemKind::Zero64:
    case MemKind::S64:
    case MemKind::SI64:
    case MemKind::LoadLane64:
    case MemKind::StoreLane64: return 8;
    case MemKind::V128:
    case MemKind::S128: return 16;
  }
  return 16;
}

constexpr bool isLaneKind(MemKind k) { return k >= MemKind::LoadLane8; }

namespace memdetail {

template <class T>
inline T loadMem(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void put64(uint8_t* fp, Slot s, uint64_t v) { std::memcpy(fp + s, &v, 8); }
inline void putV(uint8_t* fp, Slot s, simd::V128 v) { v.store(fp + s); }

}  // namespace memdetail

// Performs the access of kind k at p for the instruction's operands o.
template <MemKind k, class Op>
inline void access(uint8_t* fp, const Op& o, uint8_t* p) {
  using namespace memdetail;  // NOLINT(google-build-using-namespace)
  using simd::V128;
  if constexpr (k == MemKind::I8S) put64(fp, o.val, uint64_t(int64_t(loadMem<int8_t>(p))));
  else if constexpr (k == MemKind::I8U) put64(fp, o.val, loadMem<uint8_t>(p));
  else if constexpr (k == MemKind::I16S) put64(fp, o.val, uint64_t(int64_t(loadMem<int16_t>(p))));
  else if constexpr (k == MemKind::I16U) put64(fp, o.val, loadMem<uint16_t>(p));
  else if constexpr (k == MemKind::I32S) put64(fp, o.val, uint64_t(int64_t(loadMem<int32_t>(p))));
  else if constexpr (k == MemKind::I32U) put64(fp, o.val, loadMem<uint32_t>(p));
  else if constexpr (k == MemKind::I64) put64(fp, o.val, loadMem<uint64_t>(p));
  else if constexpr (k == MemKind::V128) putV(fp, o.val, V128::load(p));
  else if constexpr (k == MemKind::V8x8S) putV(fp, o.val, simd::V128Load8x8S(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::V8x8U) putV(fp, o.val, simd::V128Load8x8U(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::V16x4S) putV(fp, o.val, simd::V128Load16x4S(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::V16x4U) putV(fp, o.val, simd::V128Load16x4U(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::V32x2S) putV(fp, o.val, simd::V128Load32x2S(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::V32x2U) putV(fp, o.val, simd::V128Load32x2U(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::Splat8) putV(fp, o.val, simd::I8x16Splat(loadMem<uint8_t>(p)));
  else if constexpr (k == MemKind::Splat16) putV(fp, o.val, simd::I16x8Splat(loadMem<uint16_t>(p)));
  else if constexpr (k == MemKind::Splat32) putV(fp, o.val, simd::I32x4Splat(loadMem<uint32_t>(p)));
  else if constexpr (k == MemKind::Splat64) putV(fp, o.val, simd::I64x2Splat(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::Zero32) putV(fp, o.val, simd::V128Load32Zero(loadMem<uint32_t>(p)));
  else if constexpr (k == MemKind::Zero64) putV(fp, o.val, simd::V128Load64Zero(loadMem<uint64_t>(p)));
  else if constexpr (k == MemKind::S8) std::memcpy(p, fp + o.val, 1);
  else if constexpr (k == MemKind::S16) std::memcpy(p, fp + o.val, 2);
  else if constexpr (k == MemKind::S32) std::memcpy(p, fp + o.val, 4);
  else if constexpr (k == MemKind::S64) std::memcpy(p, fp + o.val, 8);
  else if constexpr (k == MemKind::S128) std::memcpy(p, fp + o.val, 16);
  else if constexpr (k >= MemKind::SI8 && k <= MemKind::SI64) std::memcpy(p, &o.value, accessBytes(k));
  else {
    // Lane n of a little-endian vector is bytes [n*size, (n+1)*size) of its image (spec 4.3.1).
    constexpr uint32_t size = accessBytes(k);
    if constexpr (k <= MemKind::LoadLane64) {
      uint8_t v[16];
      std::memcpy(v, fp + o.vec, 16);
      std::memcpy(v + o.lane * size, p, size);
      std::memcpy(fp + o.val, v, 16);
    } else {
      std::memcpy(p, fp + o.vec + o.lane * size, size);
    }
  }
}

// Explicit bounds check (spec 4.4.7: ea + N > |mem.data| traps). Returns null when out of bounds.
template <uint32_t N>
inline uint8_t* checkedAddr32(const vm::VMMemory* m, uint32_t addr, uint64_t offset) {
  uint64_t ea = uint64_t(addr) + offset;  // both below 2^32: no overflow
  if (ea + N > m->length) [[unlikely]] return nullptr;
  return m->base + ea;
}
template <uint32_t N>
inline uint8_t* checkedAddr64(const vm::VMMemory* m, uint64_t addr, uint64_t offset) {
  uint64_t ea;
  if (__builtin_add_overflow(addr, offset, &ea) || ea > m->length || m->length - ea < N) [[unlikely]]
    return nullptr;
  return m->base + ea;
}

}  // namespace strata::interp
