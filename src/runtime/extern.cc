// Tables, and the Memory, Table, Global and Tag API objects.
#include "strata/extern.h"

#include <fmt/core.h>

#include <new>

#include "runtime/store_impl.h"
#include "runtime/values.h"
#include "strata/store.h"

namespace strata {

namespace runtime {

uint64_t TableObj::maxSize() const {
  // spec 2.3.x: table sizes are bounded by the address type (u32 for table32).
  uint64_t limit = type.limits.is64 ? ~uint64_t{0} : 0xffffffffu;
  if (type.limits.max) limit = std::min(limit, *type.limits.max);
  return limits ? std::min(limit, limits->max_table_elements) : limit;
}

int64_t TableObj::grow(uint64_t delta, void* init) {
  uint64_t old = elems.size();
  if (delta > maxSize() - std::min(old, maxSize())) return -1;
  try {
    elems.resize(old + delta, init);
  } catch (const std::bad_alloc&) {
    return -1;
  }
  vm.elements = elems.data();
  vm.length = elems.size();
  return int64_t(old);
}

}  // namespace runtime

namespace {

std::unexpected<Error> usage(std::string message) { return makeError(ErrorKind::Usage, kNoOffset, std::move(message)); }

const runtime::TypeRegistry& typesOf(const Store& store) { return store.impl().engineImpl().types(); }

}  // namespace

Result<Memory> Memory::create(Store& store, MemoryType type) {
  return Memory(STRATA_TRY(store.impl().newMemory(type)));
}

uint8_t* Memory::data() const { return obj_->vm.base; }
uint64_t Memory::dataSize() const { return obj_->vm.length; }
uint64_t Memory::size() const { return obj_->pages(); }
uint64_t Memory::pageSize() const { return obj_->pageSize(); }

Result<uint64_t> Memory::grow(Store&, uint64_t delta_pages) const {
  int64_t old = obj_->grow(delta_pages);
  if (old < 0) return usage(fmt::format("failed to grow memory by {} pages", delta_pages));
  return uint64_t(old);
}

MemoryType Memory::type() const {
  MemoryType t = obj_->type;
  t.limits.min = obj_->pages();
  return t;
}

Result<Table> Table::create(Store& store, TableType type, Val init) {
  if (!runtime::valMatches(typesOf(store), init, type.elem)) return usage("type mismatch: table initial value");
  return Table(STRATA_TRY(store.impl().newTable(type, init.refRaw())));
}

uint64_t Table::size() const { return obj_->vm.length; }

std::optional<Val> Table::get(Store& store, uint64_t index) const {
  if (index >= obj_->vm.length) return std::nullopt;
  vm::RawVal raw{};
  raw.ref = obj_->vm.elements[index];
  return runtime::toVal(typesOf(store), obj_->type.elem, raw);
}

Result<void> Table::set(Store& store, uint64_t index, Val value) const {
  if (!runtime::valMatches(typesOf(store), value, obj_->type.elem)) return usage("type mismatch: table element");
  if (index >= obj_->vm.length) return usage("out of bounds table access");
  obj_->vm.elements[index] = value.refRaw();
  return {};
}

Result<uint64_t> Table::grow(Store& store, uint64_t delta, Val init) const {
  if (!runtime::valMatches(typesOf(store), init, obj_->type.elem)) return usage("type mismatch: table element");
  int64_t old = obj_->grow(delta, init.refRaw());
  if (old < 0) return usage(fmt::format("failed to grow table by {} elements", delta));
  return uint64_t(old);
}

TableType Table::type() const {
  TableType t = obj_->type;
  t.limits.min = obj_->vm.length;
  return t;
}

Result<Global> Global::create(Store& store, GlobalType type, Val init) {
  if (!runtime::valMatches(typesOf(store), init, type.type)) return usage("type mismatch: global initial value");
  return Global(store.impl().newGlobal(type, init.raw()));
}

Val Global::get(Store& store) const { return runtime::toVal(typesOf(store), obj_->type.type, obj_->vm.value); }

Result<void> Global::set(Store& store, Val value) const {
  if (!obj_->type.mut) return usage("global is immutable");
  if (!runtime::valMatches(typesOf(store), value, obj_->type.type)) return usage("type mismatch: global value");
  obj_->vm.value = value.raw();
  return {};
}

GlobalType Global::type() const { return obj_->type; }

Result<Tag> Tag::create(Store& store, FuncType params) {
  uint32_t id = store.impl().engineImpl().types().internFunc(params);
  return Tag(store.impl().newTag(id, "<host tag>"));
}

FuncType Tag::type(const Store& store) const { return typesOf(store).funcType(obj_->type_id); }

}  // namespace strata
