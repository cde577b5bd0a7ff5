// The runtime's builtins (vm::VMBuiltins): growth, bulk memory and table operations that need
// the store or segment data. A builtin that returns false has raised the trap with no frames;
// the calling tier appends its frames as for its own traps.
#include <algorithm>
#include <cstring>

#include "runtime/store_impl.h"
#include "vm/builtins.h"

namespace strata::runtime {

namespace {

InstanceObj& instanceOf(vm::VMContext* vmctx) { return *static_cast<InstanceObj*>(vmctx->instance); }

bool trap(vm::VMContext* vmctx, vm::TrapKind kind) {
  vmctx->store_ctx->trap->raise(kind);
  return false;
}

// [start, start + n) within [0, size), without overflow.
bool inBounds(uint64_t start, uint64_t n, uint64_t size) { return start <= size && n <= size - start; }

int64_t memoryGrow(vm::VMContext* vmctx, uint32_t mem, uint64_t delta_pages) {
  return instanceOf(vmctx).memories[mem]->grow(delta_pages);
}

// spec 4.4.7 memory.init: trap when either range is out of bounds (checked before copying).
bool memoryInit(vm::VMContext* vmctx, uint32_t mem, uint32_t data, uint64_t dst, uint32_t src, uint32_t n) {
  InstanceObj& inst = instanceOf(vmctx);
  std::span<const uint8_t> seg = inst.dataSegment(data);
  vm::VMMemory& m = *inst.vm_memories[mem];
  if (!inBounds(src, n, seg.size()) || !inBounds(dst, n, m.length)) return trap(vmctx, vm::TrapKind::MemoryOutOfBounds);
  if (n) std::memcpy(m.base + dst, seg.data() + src, n);
  return true;
}

bool memoryFill(vm::VMContext* vmctx, uint32_t mem, uint64_t dst, uint32_t value, uint64_t n) {
  vm::VMMemory& m = *vmctx->memories[mem];
  if (!inBounds(dst, n, m.length)) return trap(vmctx, vm::TrapKind::MemoryOutOfBounds);
  std::memset(m.base + dst, int(value & 0xff), n);
  return true;
}

bool memoryCopy(vm::VMContext* vmctx, uint32_t dst_mem, uint32_t src_mem, uint64_t dst, uint64_t src, uint64_t n) {
  vm::VMMemory& d = *vmctx->memories[dst_mem];
  vm::VMMemory& s = *vmctx->memories[src_mem];
  if (!inBounds(src, n, s.length) || !inBounds(dst, n, d.length)) return trap(vmctx, vm::TrapKind::MemoryOutOfBounds);
  std::memmove(d.base + dst, s.base + src, n);
  return true;
}

void dataDrop(vm::VMContext* vmctx, uint32_t data) { instanceOf(vmctx).dropped_datas[data] = 1; }

int64_t tableGrow(vm::VMContext* vmctx, uint32_t table, void* init, uint64_t delta) {
  return instanceOf(vmctx).tables[table]->grow(delta, init);
}

bool tableFill(vm::VMContext* vmctx, uint32_t table, uint64_t dst, void* value, uint64_t n) {
  vm::VMTable& t = *vmctx->tables[table];
  if (!inBounds(dst, n, t.length)) return trap(vmctx, vm::TrapKind::TableOutOfBounds);
  std::fill_n(t.elements + dst, n, value);
  return true;
}

bool tableCopy(vm::VMContext* vmctx, uint32_t dst_table, uint32_t src_table, uint64_t dst, uint64_t src, uint64_t n) {
  vm::VMTable& d = *vmctx->tables[dst_table];
  vm::VMTable& s = *vmctx->tables[src_table];
  if (!inBounds(src, n, s.length) || !inBounds(dst, n, d.length)) return trap(vmctx, vm::TrapKind::TableOutOfBounds);
  if (n) std::memmove(d.elements + dst, s.elements + src, n * sizeof(void*));
  return true;
}

bool tableInit(vm::VMContext* vmctx, uint32_t table, uint32_t elem, uint64_t dst, uint32_t src, uint32_t n) {
  InstanceObj& inst = instanceOf(vmctx);
  const std::vector<void*>& seg = inst.elem_segments[elem];
  vm::VMTable& t = *vmctx->tables[table];
  if (!inBounds(src, n, seg.size()) || !inBounds(dst, n, t.length)) return trap(vmctx, vm::TrapKind::TableOutOfBounds);
  std::copy_n(seg.begin() + src, n, t.elements + dst);
  return true;
}

void elemDrop(vm::VMContext* vmctx, uint32_t elem) {
  InstanceObj& inst = instanceOf(vmctx);
  inst.dropped_elems[elem] = 1;
  inst.elem_segments[elem].clear();
  inst.elem_segments[elem].shrink_to_fit();
}

bool typeIsSubtype(vm::VMContext* vmctx, uint32_t sub, uint32_t super) {
  auto* store = static_cast<StoreImpl*>(vmctx->store_ctx->store);
  return store->engineImpl().types().isSubtype(sub, super);
}

const uint8_t* dataSegment(vm::VMContext* vmctx, uint32_t data, uint64_t* size) {
  std::span<const uint8_t> seg = instanceOf(vmctx).dataSegment(data);
  *size = seg.size();
  return seg.data();
}

void* const* elemSegment(vm::VMContext* vmctx, uint32_t elem, uint64_t* size) {
  const std::vector<void*>& seg = instanceOf(vmctx).elem_segments[elem];
  *size = seg.size();
  return seg.data();
}

constexpr vm::VMBuiltins kBuiltins = {
    memoryGrow, memoryInit, dataDrop,    tableGrow,  tableFill,  tableCopy,   tableInit,
    elemDrop,   typeIsSubtype, memoryFill, memoryCopy, dataSegment, elemSegment,
};

}  // namespace

const vm::VMBuiltins* builtinsTable() { return &kBuiltins; }

}  // namespace strata::runtime
