// Value, heap, reference and composite types of WebAssembly 3.0 (spec 2.3), shared by every stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata::ir {

// Abstract heap types (spec 2.3.3). Concrete heap types are type indices; both fit in HeapType.
// The numeric values of the abstract ones are their binary encodings (spec 5.3.3), negated as s33.
enum class AbsHeap : uint8_t {
  Exn = 0x69,
  Array = 0x6a,
  Struct = 0x6b,
  I31 = 0x6c,
  Eq = 0x6d,
  Any = 0x6e,
  Extern = 0x6f,
  Func = 0x70,
  None = 0x71,
  NoExtern = 0x72,
  NoFunc = 0x73,
  NoExn = 0x74,
};

// A heap type: an abstract heap type or a type index. Packed in 32 bits: indices below
// kAbsBase are type indices (the spec limits type indices far below that).
struct HeapType {
  static constexpr uint32_t kAbsBase = 0xffffff00u;
  uint32_t bits = kAbsBase | uint32_t(AbsHeap::Func);

  static constexpr HeapType abs(AbsHeap h) { return HeapType{kAbsBase | uint32_t(h)}; }
  static constexpr HeapType index(uint32_t i) { return HeapType{i}; }
  constexpr bool isAbstract() const { return bits >= kAbsBase; }
  constexpr bool isIndex() const { return bits < kAbsBase; }
  constexpr AbsHeap absKind() const { return AbsHeap(bits & 0xff); }
  constexpr uint32_t typeIndex() const { return bits; }
  friend constexpr bool operator==(HeapType, HeapType) = default;
};

enum class ValKind : uint8_t { I32, I64, F32, F64, V128, Ref, Bot /* validator's unknown type */ };

// A value type (spec 2.3.4): numeric, vector or reference (nullable flag + heap type).
struct ValType {
  ValKind kind = ValKind::I32;
  bool nullable = false;  // only meaningful for Ref
  HeapType heap{};        // only meaningful for Ref

  static constexpr ValType i32() { return {ValKind::I32, false, {}}; }
  static constexpr ValType i64() { return {ValKind::I64, false, {}}; }
  static constexpr ValType f32() { return {ValKind::F32, false, {}}; }
  static constexpr ValType f64() { return {ValKind::F64, false, {}}; }
  static constexpr ValType v128() { return {ValKind::V128, false, {}}; }
  static constexpr ValType bot() { return {ValKind::Bot, false, {}}; }
  static constexpr ValType ref(HeapType h, bool nullable) { return {ValKind::Ref, nullable, h}; }
  static constexpr ValType funcref() { return ref(HeapType::abs(AbsHeap::Func), true); }
  static constexpr ValType externref() { return ref(HeapType::abs(AbsHeap::Extern), true); }
  static constexpr ValType exnref() { return ref(HeapType::abs(AbsHeap::Exn), true); }

  constexpr bool isRef() const { return kind == ValKind::Ref; }
  constexpr bool isNum() const { return kind <= ValKind::F64; }
  friend constexpr bool operator==(const ValType& a, const ValType& b) {
    if (a.kind != b.kind) return false;
    if (a.kind != ValKind::Ref) return true;
    return a.nullable == b.nullable && a.heap == b.heap;
  }
};

// Packed storage types for struct/array fields (spec 2.3.8).
enum class Packed : uint8_t { None, I8, I16 };

struct StorageType {
  ValType type{};           // used when packed == None
  Packed packed = Packed::None;
  friend bool operator==(const StorageType&, const StorageType&) = default;
};

struct FieldType {
  StorageType storage;
  bool mut = false;
  friend bool operator==(const FieldType&, const FieldType&) = default;
};

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  friend bool operator==(const FuncType&, const FuncType&) = default;
};
struct StructType {
  std::vector<FieldType> fields;
  friend bool operator==(const StructType&, const StructType&) = default;
};
struct ArrayType {
  FieldType field;
  friend bool operator==(const ArrayType&, const ArrayType&) = default;
};

enum class CompKind : uint8_t { Func, Struct, Array };

// A composite type with its subtyping header (spec 2.3.9/2.3.10). For plain function types
// (the MVP form) final_ is true and there is no supertype.
struct SubType {
  CompKind kind = CompKind::Func;
  bool final_ = true;
  std::optional<uint32_t> super;  // supertype index, at most one (spec 3.2.12)
  FuncType func;                  // valid when kind == Func
  StructType strct;               // valid when kind == Struct
  ArrayType array;                // valid when kind == Array
  uint32_t pos = 0;               // where the type starts in the source, for messages
};

// A recursion group covers types [first, first+count) of the type section (spec 2.3.11).
// Every type belongs to exactly one group; a type outside any `rec` is a group of one.
struct RecGroup {
  uint32_t first = 0;
  uint32_t count = 0;
  bool explicit_rec = false;  // written with 0x4e / `(rec ...)`, kept for byte-exact re-encoding
};

// Limits (spec 2.3.12): 64-bit bounds so memory64 and table64 fit.
struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool is64 = false;    // address type i64 (memory64 / table64)
  bool shared = false;  // threads proposal
};

struct MemoryType {
  Limits limits;
  uint32_t page_size_log2 = 16;  // custom-page-sizes proposal; 64 KiB by default
};

struct TableType {
  ValType elem = ValType::funcref();
  Limits limits;
};

struct GlobalType {
  ValType type{};
  bool mut = false;
};

struct TagType {
  uint32_t type_index = 0;  // a function type with no results (spec 2.3.14)
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };

std::string toString(ValType t);
std::string toString(HeapType h);
const char* externKindName(ExternKind k);

}  // namespace strata::ir
