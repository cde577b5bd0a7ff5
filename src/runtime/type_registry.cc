// Canonical type interning and matching on canonical ids.
#include "runtime/type_registry.h"

#include <mutex>

namespace strata::runtime {

namespace {

constexpr uint32_t kNone = 0xffffffffu;

struct KeyWriter {
  const std::vector<uint32_t>* ids;  // index -> canonical id; null: indices are canonical already
  uint32_t first, count;
  std::vector<uint32_t>& out;

  void heap(ir::HeapType h) {
    if (h.isAbstract()) {
      out.insert(out.end(), {0, h.bits});
    } else if (h.typeIndex() >= first && h.typeIndex() < first + count) {
      out.insert(out.end(), {1, h.typeIndex() - first});
    } else {
      out.insert(out.end(), {2, ids ? (*ids)[h.typeIndex()] : h.typeIndex()});
    }
  }
  void val(ir::ValType t) {
    out.insert(out.end(), {uint32_t(t.kind), uint32_t(t.nullable)});
    if (t.isRef()) heap(t.heap);
  }
  void field(const ir::FieldType& f) {
    out.insert(out.end(), {uint32_t(f.storage.packed), uint32_t(f.mut)});
    if (f.storage.packed == ir::Packed::None) val(f.storage.type);
  }
  void sub(const ir::SubType& s) {
    out.insert(out.end(), {uint32_t(s.kind), uint32_t(s.final_)});
    if (s.super) heap(ir::HeapType::index(*s.super));
    else out.push_back(kNone);
    switch (s.kind) {
      case ir::CompKind::Func:
        out.push_back(uint32_t(s.func.params.size()));
        for (const auto& p : s.func.params) val(p);
        out.push_back(uint32_t(s.func.results.size()));
        for (const auto& r : s.func.results) val(r);
        break;
      case ir::CompKind::Struct:
        out.push_back(uint32_t(s.strct.fields.size()));
        for (const auto& f : s.strct.fields) field(f);
        break;
      case ir::CompKind::Array: field(s.array.field); break;
    }
  }
};

ir::SubType rewrite(ir::SubType s, const std::vector<uint32_t>& ids) {
  for (auto& p : s.func.params) p = TypeRegistry::canonicalize(p, ids);
  for (auto& r : s.func.results) r = TypeRegistry::canonicalize(r, ids);
  for (auto& f : s.strct.fields) f.storage.type = TypeRegistry::canonicalize(f.storage.type, ids);
  s.array.field.storage.type = TypeRegistry::canonicalize(s.array.field.storage.type, ids);
  if (s.super) s.super = ids[*s.super];
  return s;
}

// The abstract heap type lattice (spec 3.3.x heap type matching).
bool absSub(ir::AbsHeap a, ir::AbsHeap b) {
  using H = ir::AbsHeap;
  if (a == b) return true;
  switch (a) {
    case H::None: return b == H::I31 || b == H::Struct || b == H::Array || b == H::Eq || b == H::Any;
    case H::I31:
    case H::Struct:
    case H::Array: return b == H::Eq || b == H::Any;
    case H::Eq: return b == H::Any;
    case H::NoFunc: return b == H::Func;
    case H::NoExtern: return b == H::Extern;
    case H::NoExn: return b == H::Exn;
    default: return false;
  }
}

}  // namespace

ir::ValType TypeRegistry::canonicalize(ir::ValType t, const std::vector<uint32_t>& ids) {
  if (t.isRef() && t.heap.isIndex() && t.heap.typeIndex() < ids.size()) t.heap = ir::HeapType::index(ids[t.heap.typeIndex()]);
  return t;
}

ir::FuncType TypeRegistry::canonicalize(const ir::FuncType& f, const std::vector<uint32_t>& ids) {
  ir::FuncType out = f;
  for (auto& p : out.params) p = canonicalize(p, ids);
  for (auto& r : out.results) r = canonicalize(r, ids);
  return out;
}

TypeRegistry::Key TypeRegistry::groupKey(const ir::Module& m, const ir::RecGroup& g,
                                         const std::vector<uint32_t>& ids) const {
  Key key{g.count};
  KeyWriter w{&ids, g.first, g.count, key};
  for (uint32_t i = 0; i < g.count; ++i) w.sub(m.types[g.first + i]);
  return key;
}

std::vector<uint32_t> TypeRegistry::intern(const ir::Module& m) {
  std::vector<ir::RecGroup> groups = m.rec_groups;
  if (groups.empty()) {
    for (uint32_t i = 0; i < m.types.size(); ++i) groups.push_back({i, 1, false});
  }
  std::vector<uint32_t> ids(m.types.size(), kNone);
  std::unique_lock lock(mutex_);
  for (const ir::RecGroup& g : groups) {
    Key key = groupKey(m, g, ids);
    auto it = groups_.find(key);
    if (it != groups_.end()) {
      for (uint32_t i = 0; i < g.count; ++i) ids[g.first + i] = it->second + i;
      continue;
    }
    uint32_t base = uint32_t(entries_.size());
    groups_.emplace(std::move(key), base);
    for (uint32_t i = 0; i < g.count; ++i) ids[g.first + i] = base + i;
    for (uint32_t i = 0; i < g.count; ++i) {
      Entry e{rewrite(m.types[g.first + i], ids), std::nullopt};
      e.super = e.type.super;
      entries_.push_back(std::move(e));
    }
  }
  return ids;
}

uint32_t TypeRegistry::internFunc(const ir::FuncType& type) {
  // A group of one whose references are already canonical ids: no index is inside the group,
  // so the key encodes them exactly as a module's group referring to those ids would.
  ir::SubType s;
  s.func = type;
  Key key{1};
  KeyWriter w{nullptr, kNone, 0, key};
  w.sub(s);
  std::unique_lock lock(mutex_);
  auto it = groups_.find(key);
  if (it != groups_.end()) return it->second;
  uint32_t id = uint32_t(entries_.size());
  groups_.emplace(std::move(key), id);
  entries_.push_back(Entry{s, std::nullopt});
  return id;
}

const ir::SubType& TypeRegistry::type(uint32_t id) const {
  std::shared_lock lock(mutex_);
  return entries_[id].type;
}

ir::CompKind TypeRegistry::kindOf(uint32_t id) const { return entries_[id].type.kind; }

bool TypeRegistry::chainLocked(uint32_t sub, uint32_t super) const {
  while (sub != super) {
    const auto& s = entries_[sub].super;
    if (!s) return false;
    sub = *s;
  }
  return true;
}

bool TypeRegistry::isSubtype(uint32_t sub, uint32_t super) const {
  std::shared_lock lock(mutex_);
  return chainLocked(sub, super);
}

bool TypeRegistry::heapSubLocked(ir::HeapType a, ir::HeapType b) const {
  using H = ir::AbsHeap;
  if (a == b) return true;
  if (a.isAbstract() && b.isAbstract()) return absSub(a.absKind(), b.absKind());
  if (a.isIndex() && b.isIndex()) return chainLocked(a.typeIndex(), b.typeIndex());
  if (a.isIndex()) {
    switch (kindOf(a.typeIndex())) {
      case ir::CompKind::Func: return b.absKind() == H::Func;
      case ir::CompKind::Struct: return absSub(H::Struct, b.absKind());
      case ir::CompKind::Array: return absSub(H::Array, b.absKind());
    }
    return false;
  }
  // a abstract, b concrete: only the bottom of b's hierarchy.
  return kindOf(b.typeIndex()) == ir::CompKind::Func ? a.absKind() == H::NoFunc : a.absKind() == H::None;
}

bool TypeRegistry::isSubtype(ir::HeapType a, ir::HeapType b) const {
  std::shared_lock lock(mutex_);
  return heapSubLocked(a, b);
}

bool TypeRegistry::isSubtype(ir::ValType a, ir::ValType b) const {
  if (a.kind != b.kind) return false;
  if (!a.isRef()) return true;
  if (a.nullable && !b.nullable) return false;
  return isSubtype(a.heap, b.heap);
}

}  // namespace strata::runtime
