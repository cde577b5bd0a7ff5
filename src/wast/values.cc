// Converting script constants to runtime values and matching results against expected patterns.
#include "wast/values.h"

#include <fmt/core.h>

#include <cstring>

namespace strata::wast {

using text::Value;
using VK = Value::Kind;

bool isCanonicalNan32(uint32_t bits) { return (bits & 0x7fffffffu) == 0x7fc00000u; }
bool isArithmeticNan32(uint32_t bits) { return (bits & 0x7fc00000u) == 0x7fc00000u; }
bool isCanonicalNan64(uint64_t bits) { return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull; }
bool isArithmeticNan64(uint64_t bits) { return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull; }

namespace {

// The reference kind (hierarchy) an abstract heap type belongs to (spec 3.1.3: func, extern,
// exn and any are the four hierarchies); type indices may name function or GC types.
bool heapFitsKind(ir::HeapType h, Val::Kind k) {
  if (h.isIndex()) return k == Val::Kind::FuncRef || k == Val::Kind::AnyRef;
  return Val::kindOf(ValType::ref(h, true)) == k;
}

bool floatMatches(bool is64, uint64_t expected_bits, Value::Nan nan, uint64_t actual) {
  switch (nan) {
    case Value::Nan::Canonical: return is64 ? isCanonicalNan64(actual) : isCanonicalNan32(uint32_t(actual));
    case Value::Nan::Arithmetic: return is64 ? isArithmeticNan64(actual) : isArithmeticNan32(uint32_t(actual));
    case Value::Nan::None: return expected_bits == actual;
  }
  return false;
}

uint64_t laneBits(const std::array<uint8_t, 16>& bytes, unsigned lane, unsigned width) {
  uint64_t bits = 0;
  std::memcpy(&bits, bytes.data() + lane * width, width);  // little-endian lanes (spec 4.2.1)
  return bits;
}

bool v128Matches(const Value& expected, const std::array<uint8_t, 16>& actual) {
  if (expected.shape != Value::Shape::F32 && expected.shape != Value::Shape::F64) return expected.v128 == actual;
  bool is64 = expected.shape == Value::Shape::F64;
  unsigned width = is64 ? 8 : 4;
  for (unsigned lane = 0; lane < 16 / width; ++lane) {
    uint64_t want = laneBits(expected.v128, lane, width), got = laneBits(actual, lane, width);
    if (!floatMatches(is64, want, expected.lane_nan[lane], got)) return false;
  }
  return true;
}

// GC references are opaque through the API: i31 values are tagged with the low bit (see
// ExternRef), so only i31 can be told apart from struct and array references here.
bool isI31(const Val& v) { return (reinterpret_cast<uintptr_t>(v.refRaw()) & 1) != 0; }

bool refMatches(const Value& e, const Val& a) {
  if (!a.isRef()) return false;
  switch (e.kind) {
    case VK::RefNull: return a.isNull() && heapFitsKind(e.heap, a.kind());
    case VK::RefNullAny: return a.isNull();
    case VK::RefFunc: return a.kind() == Val::Kind::FuncRef && !a.isNull();
    case VK::RefExtern: {
      // An externalized host integer may come back internalized (any.convert_extern): same bits.
      if (a.isNull() || (a.kind() != Val::Kind::ExternRef && a.kind() != Val::Kind::AnyRef)) return false;
      ExternRef r = ExternRef::fromRaw(a.refRaw());
      if (!e.has_index) return a.kind() == Val::Kind::ExternRef;
      return r.isInt() && r.toInt() == e.bits;
    }
    case VK::RefI31: return a.kind() == Val::Kind::AnyRef && !a.isNull() && isI31(a);
    case VK::RefStruct:
    case VK::RefArray: return a.kind() == Val::Kind::AnyRef && !a.isNull() && !isI31(a);
    case VK::RefEq:
    case VK::RefAny: return a.kind() == Val::Kind::AnyRef && !a.isNull();
    case VK::RefExn: return a.kind() == Val::Kind::ExnRef && !a.isNull();
    default: return false;
  }
}

}  // namespace

Result<Val> toArgument(const Value& v, ValType param) {
  switch (v.kind) {
    case VK::I32: return Val::i32(int32_t(uint32_t(v.bits)));
    case VK::I64: return Val::i64(int64_t(v.bits));
    case VK::F32:
    case VK::F64:
      if (v.nan != Value::Nan::None) break;
      return v.kind == VK::F32 ? Val::f32Bits(uint32_t(v.bits)) : Val::f64Bits(v.bits);
    case VK::V128: return Val::v128(v.v128);
    case VK::RefNull:
    case VK::RefNullAny:
      // The parameter's type picks the hierarchy: `(ref.null extern)` for an externref.
      return Val::nullRef(param.isRef() ? Val::kindOf(param) : Val::Kind::FuncRef);
    case VK::RefExtern: {
      if (!v.has_index) break;
      ExternRef r = ExternRef::fromInt(v.bits);
      // `ref.host N` passed where an anyref is due keeps the host integer's representation.
      Val::Kind k = param.isRef() && Val::kindOf(param) == Val::Kind::AnyRef ? Val::Kind::AnyRef : Val::Kind::ExternRef;
      return Val::ref(k, r.raw());
    }
    default: break;
  }
  return makeError(ErrorKind::Usage, kNoOffset, fmt::format("{} is not a constant argument", describe(v)));
}

bool matches(const Value& e, const Val& a) {
  switch (e.kind) {
    case VK::I32: return a.kind() == Val::Kind::I32 && uint32_t(a.i32()) == uint32_t(e.bits);
    case VK::I64: return a.kind() == Val::Kind::I64 && uint64_t(a.i64()) == e.bits;
    case VK::F32: return a.kind() == Val::Kind::F32 && floatMatches(false, e.bits, e.nan, a.f32Bits());
    case VK::F64: return a.kind() == Val::Kind::F64 && floatMatches(true, e.bits, e.nan, a.f64Bits());
    case VK::V128: return a.kind() == Val::Kind::V128 && v128Matches(e, a.v128());
    case VK::Either:
      for (const Value& alt : e.alternatives)
        if (matches(alt, a)) return true;
      return false;
    default: return refMatches(e, a);
  }
}

bool matchesAll(std::span<const Value> expected, std::span<const Val> actual) {
  if (expected.size() != actual.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i)
    if (!matches(expected[i], actual[i])) return false;
  return true;
}

namespace {

const char* refKindName(Val::Kind k) {
  switch (k) {
    case Val::Kind::FuncRef: return "func";
    case Val::Kind::ExternRef: return "extern";
    case Val::Kind::AnyRef: return "any";
    case Val::Kind::ExnRef: return "exn";
    default: return "?";
  }
}

std::string floatText(bool is64, uint64_t bits, Value::Nan nan) {
  if (nan == Value::Nan::Canonical) return "nan:canonical";
  if (nan == Value::Nan::Arithmetic) return "nan:arithmetic";
  if (is64) return fmt::format("{} (0x{:016x})", std::bit_cast<double>(bits), bits);
  return fmt::format("{} (0x{:08x})", std::bit_cast<float>(uint32_t(bits)), uint32_t(bits));
}

std::string lanesText(const std::array<uint8_t, 16>& bytes) {
  return fmt::format("0x{:08x} 0x{:08x} 0x{:08x} 0x{:08x}", laneBits(bytes, 0, 4), laneBits(bytes, 1, 4),
                     laneBits(bytes, 2, 4), laneBits(bytes, 3, 4));
}

std::string shapedText(const Value& v) {
  static constexpr const char* kShapes[] = {"i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"};
  static constexpr unsigned kWidth[] = {1, 2, 4, 8, 4, 8};
  unsigned s = unsigned(v.shape), width = kWidth[s];
  std::string out = fmt::format("v128:{}", kShapes[s]);
  for (unsigned lane = 0; lane < 16 / width; ++lane) {
    uint64_t bits = laneBits(v.v128, lane, width);
    if (v.shape == Value::Shape::F32 || v.shape == Value::Shape::F64) out += " " + floatText(width == 8, bits, v.lane_nan[lane]);
    else out += fmt::format(" 0x{:x}", bits);
  }
  return out;
}

template <class T>
std::string listText(std::span<const T> vals) {
  std::string out = "[";
  for (size_t i = 0; i < vals.size(); ++i) out += (i ? ", " : "") + describe(vals[i]);
  return out + "]";
}

}  // namespace

std::string describe(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::I32: return fmt::format("i32:{} (0x{:x})", v.i32(), uint32_t(v.i32()));
    case Val::Kind::I64: return fmt::format("i64:{} (0x{:x})", v.i64(), uint64_t(v.i64()));
    case Val::Kind::F32: return "f32:" + floatText(false, v.f32Bits(), Value::Nan::None);
    case Val::Kind::F64: return "f64:" + floatText(true, v.f64Bits(), Value::Nan::None);
    case Val::Kind::V128: return "v128:i32x4 " + lanesText(v.v128());
    default: break;
  }
  if (v.isNull()) return fmt::format("ref.null {}", refKindName(v.kind()));
  ExternRef r = ExternRef::fromRaw(v.refRaw());
  if (v.kind() == Val::Kind::ExternRef && r.isInt()) return fmt::format("ref.extern {}", r.toInt());
  return fmt::format("ref.{}", refKindName(v.kind()));
}

std::string describe(const Value& v) {
  switch (v.kind) {
    case VK::I32: return fmt::format("i32:{} (0x{:x})", int32_t(uint32_t(v.bits)), uint32_t(v.bits));
    case VK::I64: return fmt::format("i64:{} (0x{:x})", int64_t(v.bits), v.bits);
    case VK::F32: return "f32:" + floatText(false, v.bits, v.nan);
    case VK::F64: return "f64:" + floatText(true, v.bits, v.nan);
    case VK::V128: return shapedText(v);
    case VK::RefNull: return "ref.null " + ir::toString(v.heap);
    case VK::RefNullAny: return "ref.null";
    case VK::RefExtern: return v.has_index ? fmt::format("ref.extern {}", v.bits) : "ref.extern";
    case VK::RefFunc: return v.has_index ? fmt::format("ref.func {}", v.bits) : "ref.func";
    case VK::RefStruct: return "ref.struct";
    case VK::RefArray: return "ref.array";
    case VK::RefI31: return "ref.i31";
    case VK::RefEq: return "ref.eq";
    case VK::RefAny: return "ref.any";
    case VK::RefExn: return "ref.exn";
    case VK::Either: return "either" + listText(std::span<const Value>(v.alternatives));
  }
  return "?";
}

std::string describe(std::span<const Val> vals) { return listText(vals); }
std::string describe(std::span<const Value> vals) { return listText(vals); }

}  // namespace strata::wast
