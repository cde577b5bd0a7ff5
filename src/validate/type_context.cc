// Type section validation, iso-recursive canonicalisation and the subtype relation (spec 3.2, 3.3).
#include "validate/type_context.h"

#include <fmt/core.h>

#include <map>

namespace strata::validate {

using ir::AbsHeap;
using ir::CompKind;
using ir::HeapType;
using ir::ValType;

namespace {

// Calls f(heap_type) for every heap type a composite type mentions.
template <class F>
void forEachHeap(const ir::SubType& t, F&& f) {
  auto val = [&](const ValType& v) {
    if (v.isRef()) f(v.heap);
  };
  auto field = [&](const ir::FieldType& ft) {
    if (ft.storage.packed == ir::Packed::None) val(ft.storage.type);
  };
  switch (t.kind) {
    case CompKind::Func:
      for (const ValType& v : t.func.params) val(v);
      for (const ValType& v : t.func.results) val(v);
      break;
    case CompKind::Struct:
      for (const ir::FieldType& ft : t.strct.fields) field(ft);
      break;
    case CompKind::Array: field(t.array.field); break;
  }
}

// The rec groups to use: the module's, or one group per type when a builder left them out.
std::vector<ir::RecGroup> effectiveGroups(const ir::Module& m) {
  if (!m.rec_groups.empty()) return m.rec_groups;
  std::vector<ir::RecGroup> groups;
  for (uint32_t i = 0; i < m.types.size(); ++i) groups.push_back({i, 1, false});
  return groups;
}

}  // namespace

Result<void> TypeContext::init(const ir::Module& m) {
  types_ = &m.types;
  canon_.assign(m.types.size(), 0);
  // Key of a rolled-up rec group -> index of the first type of its first occurrence.
  std::map<std::vector<uint64_t>, uint32_t> seen;
  uint32_t next = 0;  // the groups must tile the type section in order
  for (const ir::RecGroup& g : effectiveGroups(m)) {
    if (g.first != next || uint64_t(g.first) + g.count > m.types.size())
      return invalid(kNoOffset, "rec groups do not cover the type section");
    next += g.count;
    STRATA_CHECK(checkGroup(g));
    // Rolling (spec 3.1.3): references into the group become relative, references to earlier
    // groups use those groups' canonical identities, so equal keys mean equivalent groups.
    std::vector<uint64_t> key{g.count};
    auto heap = [&](HeapType h) {
      if (h.isAbstract()) key.push_back((uint64_t{3} << 32) | h.bits);
      else if (h.typeIndex() >= g.first) key.push_back((uint64_t{1} << 32) | (h.typeIndex() - g.first));
      else key.push_back((uint64_t{2} << 32) | canon_[h.typeIndex()]);
    };
    auto val = [&](const ValType& v) {
      key.push_back(uint64_t(v.kind) | (uint64_t(v.nullable) << 8));
      if (v.isRef()) heap(v.heap);
    };
    auto field = [&](const ir::FieldType& f) {
      key.push_back(uint64_t(f.storage.packed) | (uint64_t(f.mut) << 8));
      if (f.storage.packed == ir::Packed::None) val(f.storage.type);
    };
    for (uint32_t i = g.first; i < g.first + g.count; ++i) {
      const ir::SubType& t = type(i);
      key.push_back(uint64_t(t.kind) | (uint64_t(t.final_) << 8) | (uint64_t(t.super.has_value()) << 9));
      if (t.super) heap(HeapType::index(*t.super));
      switch (t.kind) {
        case CompKind::Func:
          key.push_back(t.func.params.size());
          for (const ValType& v : t.func.params) val(v);
          key.push_back(t.func.results.size());
          for (const ValType& v : t.func.results) val(v);
          break;
        case CompKind::Struct:
          key.push_back(t.strct.fields.size());
          for (const ir::FieldType& f : t.strct.fields) field(f);
          break;
        case CompKind::Array: field(t.array.field); break;
      }
    }
    uint32_t rep = seen.emplace(std::move(key), g.first).first->second;
    for (uint32_t i = 0; i < g.count; ++i) canon_[g.first + i] = rep + i;
    // spec 3.2.12: each declared supertype must be non-final and matched by the sub type.
    for (uint32_t i = g.first; i < g.first + g.count; ++i) {
      const ir::SubType& t = type(i);
      if (!t.super) continue;
      const ir::SubType& s = type(*t.super);
      if (s.final_ || !compositeMatches(t, s))
        return invalid(t.pos, fmt::format("sub type {} does not match super type {}", i, *t.super));
    }
  }
  if (next != m.types.size()) return invalid(kNoOffset, "rec groups do not cover the type section");
  return {};
}

// spec 3.2.11: types may refer to their own rec group and earlier ones; a supertype must precede.
Result<void> TypeContext::checkGroup(const ir::RecGroup& g) const {
  uint32_t end = g.first + g.count;
  for (uint32_t i = g.first; i < end; ++i) {
    bool ok = true;
    forEachHeap(type(i), [&](HeapType h) {
      if (h.isIndex() && h.typeIndex() >= end) ok = false;
    });
    if (!ok) return invalid(type(i).pos, "unknown type");
    if (type(i).super && *type(i).super >= i) return invalid(type(i).pos, "unknown type");
  }
  return {};
}

bool TypeContext::compositeMatches(const ir::SubType& sub, const ir::SubType& super) const {
  if (sub.kind != super.kind) return false;
  switch (sub.kind) {
    case CompKind::Func:
      // Parameters are contravariant, results covariant (spec 3.3.x function subtyping).
      return isSubtype(std::span(super.func.params), std::span(sub.func.params)) &&
             isSubtype(std::span(sub.func.results), std::span(super.func.results));
    case CompKind::Struct: {
      // Width and depth subtyping: the sub type extends a prefix-compatible field list.
      if (sub.strct.fields.size() < super.strct.fields.size()) return false;
      for (size_t i = 0; i < super.strct.fields.size(); ++i)
        if (!isSubtype(sub.strct.fields[i], super.strct.fields[i])) return false;
      return true;
    }
    case CompKind::Array: return isSubtype(sub.array.field, super.array.field);
  }
  return false;
}

bool TypeContext::equal(HeapType a, HeapType b) const {
  if (a.isIndex() && b.isIndex()) return canon_[a.typeIndex()] == canon_[b.typeIndex()];
  return a == b;
}

bool TypeContext::equal(ValType a, ValType b) const {
  if (a.kind != b.kind) return false;
  if (!a.isRef()) return true;
  return a.nullable == b.nullable && equal(a.heap, b.heap);
}

HeapType TypeContext::top(HeapType h) const {
  if (h == kBotHeap) return h;
  if (h.isIndex()) return HeapType::abs(type(h.typeIndex()).kind == CompKind::Func ? AbsHeap::Func : AbsHeap::Any);
  switch (h.absKind()) {
    case AbsHeap::Func:
    case AbsHeap::NoFunc: return HeapType::abs(AbsHeap::Func);
    case AbsHeap::Extern:
    case AbsHeap::NoExtern: return HeapType::abs(AbsHeap::Extern);
    case AbsHeap::Exn:
    case AbsHeap::NoExn: return HeapType::abs(AbsHeap::Exn);
    case AbsHeap::Any:
    case AbsHeap::Eq:
    case AbsHeap::I31:
    case AbsHeap::Struct:
    case AbsHeap::Array:
    case AbsHeap::None: break;
  }
  return HeapType::abs(AbsHeap::Any);
}

HeapType TypeContext::bottom(HeapType h) const {
  HeapType t = top(h);
  if (t == kBotHeap) return t;
  switch (t.absKind()) {
    case AbsHeap::Func: return HeapType::abs(AbsHeap::NoFunc);
    case AbsHeap::Extern: return HeapType::abs(AbsHeap::NoExtern);
    case AbsHeap::Exn: return HeapType::abs(AbsHeap::NoExn);
    default: return HeapType::abs(AbsHeap::None);
  }
}

bool TypeContext::isSubtype(HeapType a, HeapType b) const {
  if (a == kBotHeap || equal(a, b)) return true;
  if (b == kBotHeap) return false;
  if (b.isIndex()) {
    // An abstract type matches a concrete one only as the bottom of its hierarchy.
    if (a.isAbstract()) return a == bottom(b);
    for (uint32_t t = a.typeIndex();;) {
      if (canon_[t] == canon_[b.typeIndex()]) return true;
      if (!type(t).super) return false;
      t = *type(t).super;
    }
  }
  AbsHeap bk = b.absKind();
  if (a.isIndex()) {
    CompKind k = type(a.typeIndex()).kind;
    switch (bk) {
      case AbsHeap::Any:
      case AbsHeap::Eq: return k != CompKind::Func;
      case AbsHeap::Struct: return k == CompKind::Struct;
      case AbsHeap::Array: return k == CompKind::Array;
      case AbsHeap::Func: return k == CompKind::Func;
      default: return false;
    }
  }
  if (a == bottom(b)) return true;
  AbsHeap ak = a.absKind();
  bool eq_family = ak == AbsHeap::I31 || ak == AbsHeap::Struct || ak == AbsHeap::Array;
  if (bk == AbsHeap::Any) return eq_family || ak == AbsHeap::Eq;
  if (bk == AbsHeap::Eq) return eq_family;
  return false;
}

bool TypeContext::isSubtype(ValType a, ValType b) const {
  if (a.kind == ir::ValKind::Bot) return true;
  if (a.kind != b.kind) return false;
  if (!a.isRef()) return true;
  if (a.nullable && !b.nullable) return false;
  return isSubtype(a.heap, b.heap);
}

bool TypeContext::isSubtype(const ir::StorageType& a, const ir::StorageType& b) const {
  if (a.packed != b.packed) return false;
  return a.packed != ir::Packed::None || isSubtype(a.type, b.type);
}

bool TypeContext::isSubtype(const ir::FieldType& a, const ir::FieldType& b) const {
  if (a.mut != b.mut) return false;
  if (!a.mut) return isSubtype(a.storage, b.storage);
  return isSubtype(a.storage, b.storage) && isSubtype(b.storage, a.storage);
}

bool TypeContext::isSubtype(std::span<const ValType> a, std::span<const ValType> b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!isSubtype(a[i], b[i])) return false;
  return true;
}

}  // namespace strata::validate
