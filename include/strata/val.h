// Values crossing the API: numbers, vectors and references (funcref, externref, GC and exception refs).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "ir/types.h"
#include "vm/abi.h"

namespace strata {

class Func;

// An externref (spec 4.2.x "host address"): null, an opaque host pointer, or a host integer
// (the spec scripts' `ref.extern N`). The VM sees a void*: pointers as they are (at least
// 4-byte aligned), integers as (N << 2) | 2, so equal integers are equal references and no
// integer collides with a pointer or with an i31 reference (low bit 1, GC proposal).
class ExternRef {
 public:
  ExternRef() = default;  // null
  static ExternRef fromPointer(void* p) { return ExternRef(p); }
  static ExternRef fromInt(uint64_t n) { return ExternRef(reinterpret_cast<void*>(uintptr_t(n << 2) | 2)); }
  static ExternRef fromRaw(void* raw) { return ExternRef(raw); }

  bool isNull() const { return raw_ == nullptr; }
  bool isInt() const { return (uintptr_t(raw_) & 3) == 2; }
  uint64_t toInt() const { return uintptr_t(raw_) >> 2; }
  void* toPointer() const { return raw_; }
  void* raw() const { return raw_; }
  friend bool operator==(ExternRef, ExternRef) = default;

 private:
  explicit ExternRef(void* raw) : raw_(raw) {}
  void* raw_ = nullptr;
};

class Val {
 public:
  enum class Kind : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef, AnyRef, ExnRef };

  Val() { std::memset(&raw_, 0, sizeof raw_); }
  static Val i32(int32_t v) { Val r(Kind::I32); r.raw_.i32 = uint32_t(v); return r; }
  static Val i64(int64_t v) { Val r(Kind::I64); r.raw_.i64 = uint64_t(v); return r; }
  static Val f32(float v) { return f32Bits(std::bit_cast<uint32_t>(v)); }
  static Val f64(double v) { return f64Bits(std::bit_cast<uint64_t>(v)); }
  static Val f32Bits(uint32_t bits) { Val r(Kind::F32); r.raw_.i32 = bits; return r; }
  static Val f64Bits(uint64_t bits) { Val r(Kind::F64); r.raw_.i64 = bits; return r; }
  static Val v128(const std::array<uint8_t, 16>& bytes) {
    Val r(Kind::V128);
    std::memcpy(r.raw_.v128, bytes.data(), 16);
    return r;
  }
  static Val funcref(const Func& f);
  static Val externref(ExternRef r) { return ref(Kind::ExternRef, r.raw()); }
  // A reference of the given kind from its VM representation (null = nullptr).
  static Val ref(Kind kind, void* raw) { Val r(kind); r.raw_.ref = raw; return r; }
  static Val nullRef(Kind kind) { return ref(kind, nullptr); }
  // The zero or null value of a type (spec 4.2.x default values).
  static Val defaultFor(ir::ValType t);
  // Reads a value of type t from the VM representation.
  static Val fromRaw(ir::ValType t, vm::RawVal raw);

  Kind kind() const { return kind_; }
  bool isRef() const { return kind_ >= Kind::FuncRef; }
  bool isNull() const { return isRef() && raw_.ref == nullptr; }
  int32_t i32() const { return int32_t(raw_.i32); }
  int64_t i64() const { return int64_t(raw_.i64); }
  float f32() const { return std::bit_cast<float>(raw_.i32); }
  double f64() const { return std::bit_cast<double>(raw_.i64); }
  uint32_t f32Bits() const { return raw_.i32; }
  uint64_t f64Bits() const { return raw_.i64; }
  std::array<uint8_t, 16> v128() const {
    std::array<uint8_t, 16> out;
    std::memcpy(out.data(), raw_.v128, 16);
    return out;
  }
  Func funcref() const;
  ExternRef externref() const { return ExternRef::fromRaw(raw_.ref); }
  void* refRaw() const { return raw_.ref; }
  vm::RawVal raw() const { return raw_; }

  // Whether the value's kind fits type t (references: same hierarchy; nullability and
  // concrete function types are checked by the runtime, which knows the canonical types).
  bool fitsKind(ir::ValType t) const { return kind_ == kindOf(t); }
  static Kind kindOf(ir::ValType t);

 private:
  explicit Val(Kind k) : kind_(k) { std::memset(&raw_, 0, sizeof raw_); }
  Kind kind_ = Kind::I32;
  vm::RawVal raw_;
};

}  // namespace strata
