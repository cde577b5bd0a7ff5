// Runtime services that compiled code calls (wasmtime calls them libcalls/builtins): everything
// that needs the store's allocator, limits or segment data. The runtime provides one table; code
// reaches it through VMContext::builtins, so tiers do not link against the runtime.
#pragma once

#include <cstdint>

#include "vm/abi.h"

namespace strata::vm {

// Functions returning bool return false after recording a trap in the store's TrapRecord
// (vmctx->store_ctx->trap); the caller then unwinds like for any trap.
struct VMBuiltins {
  // memory.grow (spec 4.4.7): old size in pages, or -1 (honours the maximum and store limits).
  int64_t (*memory_grow)(VMContext* vmctx, uint32_t mem, uint64_t delta_pages);
  // memory.init / data.drop (spec 4.4.7): bounds-checked copy from a passive data segment.
  bool (*memory_init)(VMContext* vmctx, uint32_t mem, uint32_t data, uint64_t dst, uint32_t src, uint32_t n);
  void (*data_drop)(VMContext* vmctx, uint32_t data);
  // table.grow (spec 4.4.6): old size, or -1.
  int64_t (*table_grow)(VMContext* vmctx, uint32_t table, void* init, uint64_t delta);
  bool (*table_fill)(VMContext* vmctx, uint32_t table, uint64_t dst, void* value, uint64_t n);
  bool (*table_copy)(VMContext* vmctx, uint32_t dst_table, uint32_t src_table, uint64_t dst, uint64_t src,
                     uint64_t n);
  bool (*table_init)(VMContext* vmctx, uint32_t table, uint32_t elem, uint64_t dst, uint32_t src, uint32_t n);
  void (*elem_drop)(VMContext* vmctx, uint32_t elem);
  // Whether canonical type id `sub` (VMFuncRef::type_id, VMContext::type_ids) is `super` or
  // declares it as a transitive supertype (spec 3.3.x, GC subtyping of defined types).
  // call_indirect / call_ref casts call it only when the ids differ, so MVP code never does.
  bool (*type_is_subtype)(VMContext* vmctx, uint32_t sub, uint32_t super);
  // memory.fill / memory.copy (spec 4.4.7): bounds of every range first, then the operation.
  bool (*memory_fill)(VMContext* vmctx, uint32_t mem, uint64_t dst, uint32_t value, uint64_t n);
  bool (*memory_copy)(VMContext* vmctx, uint32_t dst_mem, uint32_t src_mem, uint64_t dst, uint64_t src, uint64_t n);
  // A passive data segment's bytes and an element segment's references (empty once dropped),
  // for array.new_data/new_elem/init_data/init_elem (spec 4.4.x; docs/gc.md).
  const uint8_t* (*data_segment)(VMContext* vmctx, uint32_t data, uint64_t* size);
  void* const* (*elem_segment)(VMContext* vmctx, uint32_t elem, uint64_t* size);
};

}  // namespace strata::vm
