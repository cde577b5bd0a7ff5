// The module's defined types after validation of the type section: iso-recursive canonical
// identities (spec 3.1.3/3.2.x "rolling"), the subtype relation on heap, value and storage types
// (spec 3.3.x "Matching"), and defaultability.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/module.h"
#include "ir/types.h"
#include "support/error.h"

namespace strata::validate {

// The validator's bottom heap type (spec 3.3: `bot`, written ⊥), produced when a reference is
// popped from the polymorphic stack of unreachable code. It matches every heap type. It never
// appears in a module; consumers see it only in dead code (InstrContext::reachable == false).
inline constexpr ir::HeapType kBotHeap{ir::HeapType::kAbsBase | 0xffu};

class TypeContext {
 public:
  // Validates the type section (spec 3.2.10-3.2.12: references stay within the rec group or
  // earlier, sub types match their declared supertype, no supertype is final) and computes the
  // canonical identity of every type so that equivalent types of different rec groups compare
  // equal (spec 3.1.3: two types are equal when their rolled-up rec groups are).
  Result<void> init(const ir::Module& m);

  uint32_t size() const { return uint32_t(types_->size()); }
  const ir::SubType& type(uint32_t i) const { return (*types_)[i]; }
  bool isFunc(uint32_t i) const { return i < size() && type(i).kind == ir::CompKind::Func; }
  bool isStruct(uint32_t i) const { return i < size() && type(i).kind == ir::CompKind::Struct; }
  bool isArray(uint32_t i) const { return i < size() && type(i).kind == ir::CompKind::Array; }

  // Well-formedness (spec 3.2.3-3.2.4): concrete heap types name a defined type.
  bool valid(ir::HeapType h) const { return h.isAbstract() || h.typeIndex() < size(); }
  bool valid(ir::ValType t) const { return !t.isRef() || valid(t.heap); }

  // Canonical identity: the smallest type index equivalent to i.
  uint32_t canonical(uint32_t i) const { return canon_[i]; }

  bool equal(ir::HeapType a, ir::HeapType b) const;
  bool equal(ir::ValType a, ir::ValType b) const;
  bool isSubtype(ir::HeapType a, ir::HeapType b) const;
  bool isSubtype(ir::ValType a, ir::ValType b) const;
  bool isSubtype(const ir::StorageType& a, const ir::StorageType& b) const;
  // Field subtyping (spec 3.3.x): mutable fields are invariant, immutable ones covariant.
  bool isSubtype(const ir::FieldType& a, const ir::FieldType& b) const;
  // [a*] <: [b*] pointwise with equal lengths.
  bool isSubtype(std::span<const ir::ValType> a, std::span<const ir::ValType> b) const;

  // The top (any, func, extern, exn) and bottom (none, nofunc, noextern, noexn) of the
  // hierarchy a heap type belongs to (spec 3.3.x). kBotHeap's top is itself.
  ir::HeapType top(ir::HeapType h) const;
  ir::HeapType bottom(ir::HeapType h) const;

  // spec 3.2.x: numeric, vector and nullable reference types have a default value.
  static bool defaultable(ir::ValType t) { return !t.isRef() || t.nullable; }
  // Packed i8/i16 fields read as i32 (spec 2.3.8 unpack).
  static ir::ValType unpacked(const ir::StorageType& s) {
    return s.packed == ir::Packed::None ? s.type : ir::ValType::i32();
  }

 private:
  bool compositeMatches(const ir::SubType& sub, const ir::SubType& super) const;
  Result<void> checkGroup(const ir::RecGroup& g) const;
  void canonicalizeGroup(const ir::RecGroup& g, std::vector<std::vector<uint64_t>>& keys,
                         std::vector<uint32_t>& firsts);

  const std::vector<ir::SubType>* types_ = nullptr;
  std::vector<uint32_t> canon_;
};

}  // namespace strata::validate
