// The engine-wide registry of canonical types: equal rec groups of any module share ids (spec 3.1.3).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "ir/module.h"
#include "ir/types.h"
#include "vm/gc.h"

namespace strata::runtime {

// Types are interned per rec group (spec 2.3.11): a group's key encodes references inside the
// group by relative index and references outside it by their canonical id, so two modules that
// define the same group (iso-recursively equal) get the same ids. Stored types have every
// concrete heap type rewritten to a canonical id, so they can be compared without their module.
// Thread-safe: modules are interned while other threads link and call.
class TypeRegistry {
 public:
  // Canonical id for each type index of `m` (validated).
  std::vector<uint32_t> intern(const ir::Module& m);
  // Canonical id of a single function type given with canonical heap types (host functions).
  uint32_t internFunc(const ir::FuncType& type);

  // Entries are never removed and a deque does not move its elements, so the reference stays
  // valid while other threads intern more types.
  const ir::SubType& type(uint32_t id) const;
  const ir::FuncType& funcType(uint32_t id) const { return type(id).func; }

  // Declared subtyping between canonical ids (spec 3.3.x): the supertype chain of `sub`
  // reaches `super`.
  bool isSubtype(uint32_t sub, uint32_t super) const;
  // Heap and value type matching where concrete heap types are canonical ids.
  bool isSubtype(ir::HeapType a, ir::HeapType b) const;
  bool isSubtype(ir::ValType a, ir::ValType b) const;
  bool equal(ir::ValType a, ir::ValType b) const { return a == b; }
  // Canonical form of a module's value type: concrete indices rewritten with `ids`.
  static ir::ValType canonicalize(ir::ValType t, const std::vector<uint32_t>& ids);
  static ir::FuncType canonicalize(const ir::FuncType& f, const std::vector<uint32_t>& ids);
  // The runtime type of a canonical struct or array type (null for function types), built on
  // first use and kept with the registry (gc_types.cc; docs/gc.md "Object layout").
  const vm::GcType* gcType(uint32_t id);

 private:
  struct Entry {
    ir::SubType type;              // canonical heap types
    std::optional<uint32_t> super; // canonical id
  };
  using Key = std::vector<uint32_t>;

  Key groupKey(const ir::Module& m, const ir::RecGroup& g, const std::vector<uint32_t>& ids) const;
  ir::CompKind kindOf(uint32_t id) const;
  vm::GcType::Field fieldOf(const ir::FieldType& f) const;  // gc_types.cc, under the lock
  bool heapSubLocked(ir::HeapType a, ir::HeapType b) const;
  bool chainLocked(uint32_t sub, uint32_t super) const;

  mutable std::shared_mutex mutex_;
  std::deque<Entry> entries_;
  std::map<Key, uint32_t> groups_;  // group key -> id of its first type
  std::map<uint32_t, std::unique_ptr<vm::GcType>> gc_types_;
};

}  // namespace strata::runtime
