// Runtime types of struct and array types: field layout, trace map and supertype display
// (docs/gc.md "Object layout").
#include <mutex>

#include "runtime/type_registry.h"

namespace strata::runtime {

vm::GcType::Field TypeRegistry::fieldOf(const ir::FieldType& f) const {
  vm::GcType::Field out;
  out.bytes = vm::storageBytes(f.storage);
  out.is_ref = vm::isRefStorage(f.storage);
  if (out.is_ref) {
    ir::HeapType h = f.storage.type.heap;
    if (h.isIndex()) {
      out.heap_only = entries_[h.typeIndex()].type.kind != ir::CompKind::Func;
    } else {
      switch (h.absKind()) {
        case ir::AbsHeap::Eq:
        case ir::AbsHeap::Struct:
        case ir::AbsHeap::Array:
        case ir::AbsHeap::I31:
        case ir::AbsHeap::None: out.heap_only = true; break;
        default: break;
      }
    }
  }
  return out;
}

const vm::GcType* TypeRegistry::gcType(uint32_t id) {
  std::unique_lock lock(mutex_);
  if (auto it = gc_types_.find(id); it != gc_types_.end()) return it->second.get();
  const ir::SubType& st = entries_[id].type;
  if (st.kind == ir::CompKind::Func) return nullptr;
  auto t = std::make_unique<vm::GcType>();
  t->type_id = id;
  if (st.kind == ir::CompKind::Struct) {
    t->kind = vm::GcType::Kind::Struct;
    uint32_t off = 0;
    for (const ir::FieldType& f : st.strct.fields) {
      vm::GcType::Field fd = fieldOf(f);
      fd.offset = vm::nextFieldOffset(off, fd.bytes);
      off = fd.offset + fd.bytes;
      t->fields.push_back(fd);
    }
    t->payload_bytes = off;
  } else {
    t->kind = vm::GcType::Kind::Array;
    t->fields.push_back(fieldOf(st.array.field));
  }
  for (std::optional<uint32_t> s = id; s; s = entries_[*s].super) t->display.insert(t->display.begin(), *s);
  return (gc_types_[id] = std::move(t)).get();
}

}  // namespace strata::runtime
