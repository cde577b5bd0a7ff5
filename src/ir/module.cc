// Module helpers and feature-flag names.
#include "ir/module.h"

#include "ir/features.h"

#include <algorithm>
#include <iterator>

namespace strata::ir {

ByteSpan Module::append(std::span<const uint8_t> data) {
  ByteSpan s{uint32_t(bytes.size()), uint32_t(data.size())};
  std::vector<uint8_t>& b = bytes.edit();
  b.insert(b.end(), data.begin(), data.end());
  return s;
}

uint64_t Module::textOffset(uint64_t byte_offset) const {
  auto it = std::upper_bound(text_map.begin(), text_map.end(), byte_offset,
                             [](uint64_t off, const std::pair<uint32_t, uint32_t>& e) { return off < e.first; });
  if (it == text_map.begin()) return text_map.empty() ? byte_offset : text_map.front().second;
  return std::prev(it)->second;
}

std::string_view featureName(Feature f) {
  switch (f) {
#define X(e, n, d) \
  case Feature::e: return n;
    STRATA_FOREACH_FEATURE(X)
#undef X
    case Feature::Count: break;
  }
  return "?";
}

Features Features::wasm2() {
  Features f;
  for (unsigned i = 0; i < unsigned(Feature::Count); ++i) f.set(Feature(i), false);
  for (Feature on : {Feature::Mvp, Feature::SignExt, Feature::SatConv, Feature::MultiValue, Feature::BulkMemory,
                     Feature::ReferenceTypes, Feature::Simd})
    f.set(on, true);
  return f;
}

bool Features::setByName(std::string_view name, bool on) {
  if (name == "all") {
    for (unsigned i = 0; i < unsigned(Feature::Count); ++i) set(Feature(i), on);
    set(Feature::Mvp, true);
    return true;
  }
  for (unsigned i = 0; i < unsigned(Feature::Count); ++i) {
    if (featureName(Feature(i)) == name) {
      set(Feature(i), on);
      return true;
    }
  }
  return false;
}

bool holdsGcObjects(const Module& m, ValType t) {
  if (!t.isRef()) return false;
  if (t.heap.isIndex()) return m.types[t.heap.typeIndex()].kind != CompKind::Func;
  switch (t.heap.absKind()) {
    case AbsHeap::Any:
    case AbsHeap::Eq:
    case AbsHeap::I31:
    case AbsHeap::Struct:
    case AbsHeap::Array: return true;
    default: return false;
  }
}

bool usesGcObjects(const Module& m) {
  auto gc = [&](ValType t) { return holdsGcObjects(m, t); };
  for (const SubType& t : m.types) {
    if (t.kind != CompKind::Func) return true;
    if (std::any_of(t.func.params.begin(), t.func.params.end(), gc) ||
        std::any_of(t.func.results.begin(), t.func.results.end(), gc))
      return true;
  }
  for (const Global& g : m.globals)
    if (gc(g.type.type)) return true;
  for (const Table& t : m.tables)
    if (gc(t.type.elem)) return true;
  return false;
}

}  // namespace strata::ir
