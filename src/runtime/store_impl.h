// Store internals: the objects a store owns and the state code reaches (VMStoreContext, TrapRecord).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/memory.h"
#include "runtime/module_impl.h"
#include "strata/extern.h"
#include "strata/func.h"
#include "strata/store.h"
#include "strata/trap.h"
#include "vm/abi.h"
#include "vm/gc.h"
#include "vm/trap.h"

namespace strata::runtime {

class StoreImpl;

struct TableObj {
  vm::VMTable vm{};          // elements = elems.data(); moves on grow, so code reads it per access
  std::vector<void*> elems;
  const void* owner = nullptr;  // the StoreImpl it belongs to
  ir::TableType type;        // canonical element type; limits.min is the initial size
  const StoreLimits* limits = nullptr;  // the store's, read at each grow

  uint64_t maxSize() const;
  // spec 4.4.6 table.grow: old size, or -1 with the table unchanged.
  int64_t grow(uint64_t delta, void* init);
};

struct GlobalObj {
  vm::VMGlobal vm{};
  const void* owner = nullptr;
  ir::GlobalType type;  // canonical value type
};

struct TagObj {
  uint32_t type_id = 0;  // canonical id of the tag's function type
  const void* owner = nullptr;
  // How messages name it ("m!e0": the defining module's name and the tag's first export name,
  // or "<tag N>"): an uncaught exception reaching the embedder names its tag.
  std::string name;
};

// A host function: its VMFuncRef's array_call is hostTrampoline and `code` points back here.
struct HostFuncObj {
  vm::VMFuncRef ref{};
  FuncType type;  // canonical
  HostCallback callback;
  StoreImpl* store = nullptr;
};

struct InstanceObj {
  vm::VMContext ctx{};
  std::shared_ptr<ModuleImpl> module;
  StoreImpl* store = nullptr;
  // Index spaces, imports first; the vm arrays point into these vectors (sized once).
  std::vector<vm::VMMemory*> vm_memories;
  std::vector<vm::VMGlobal*> vm_globals;
  std::vector<vm::VMTable*> vm_tables;
  std::vector<vm::VMFuncRef*> vm_funcs;
  std::vector<vm::VMFuncRef> own_funcs;  // defined functions
  std::vector<MemoryObj*> memories;
  std::vector<GlobalObj*> globals;
  std::vector<TableObj*> tables;
  std::vector<TagObj*> tags;
  std::vector<const void*> vm_tags;  // VMContext::tags: the TagObj* as opaque identities
  std::vector<uint8_t> dropped_elems;
  std::vector<uint8_t> dropped_datas;
  // Element segment instances (spec 4.2.x eleminst): evaluated references; empty once dropped.
  std::vector<std::vector<void*>> elem_segments;

  Extern exportOf(ir::ExternKind kind, uint32_t index) const;
  std::span<const uint8_t> dataSegment(uint32_t index) const;
};

// The native state of one host -> wasm entry (see entry.cc).
struct EntryRecord;

class StoreImpl {
 public:
  StoreImpl(const Engine& engine, StoreLimits limits);
  ~StoreImpl();
  StoreImpl(const StoreImpl&) = delete;
  StoreImpl& operator=(const StoreImpl&) = delete;

  EngineImpl& engineImpl() const { return engine_.impl(); }
  const Engine& engine() const { return engine_; }

  Engine engine_;
  StoreLimits limits;
  Store* owner = nullptr;  // the API object (updated when it moves), for Caller
  void* data = nullptr;
  vm::VMStoreContext ctx{};
  vm::TrapRecord trap;
  // Frames of a trap a host function returned, already resolved; they precede the frames in
  // `trap` (which the wasm callers append while unwinding).
  std::vector<FrameInfo> host_frames;
  vm::VMContext host_ctx{};  // vmctx of host functions: store_ctx and builtins only

  std::vector<std::unique_ptr<MemoryObj>> memories;
  std::vector<std::unique_ptr<TableObj>> tables;
  std::vector<std::unique_ptr<GlobalObj>> globals;
  std::vector<std::unique_ptr<TagObj>> tags;
  std::vector<std::unique_ptr<HostFuncObj>> host_funcs;
  std::vector<std::unique_ptr<InstanceObj>> instances;
  std::unique_ptr<vm::GcHeap> heap;  // ctx.gc_heap (docs/gc.md)
  void traceRoots(vm::GcHeap& h) const;

  Result<MemoryObj*> newMemory(const ir::MemoryType& type);
  Result<TableObj*> newTable(const ir::TableType& type, void* init);
  GlobalObj* newGlobal(const ir::GlobalType& type, vm::RawVal value);
  TagObj* newTag(uint32_t type_id, std::string name);
  vm::VMFuncRef* newHostFunc(FuncType type, HostCallback callback);

  // Whether a fault address lies in one of this store's memory reservations.
  bool ownsAddress(const void* addr) const;
  // Turns the pending trap record (and host_frames) into a Trap and clears both. `callee`, the
  // function the activation entered, tells which instance its frames ran in (store.cc).
  Trap takeTrap(const vm::VMFuncRef* callee = nullptr);
  // The Trap of an exception no handler caught (exn.cc): names the tag, carries the exception.
  Trap uncaught(vm::VMException* exn, std::vector<FrameInfo> frames);

 private:
  InstanceObj* instanceOf(const vm::VMContext* vmctx) const;
  InstanceObj* onlyInstanceOf(const void* ir_module) const;
  // The instance `caller`'s instruction at `offset` calls when it is a `call` of an import.
  InstanceObj* importCallee(const InstanceObj& caller, uint32_t offset) const;
};

// The one way into wasm from the host (docs/architecture.md "Trap path"): stack check, fault
// recovery point, array call; a trap comes back as the Trap.
TrapResult<void> enterWasm(StoreImpl& store, const vm::VMFuncRef* callee, vm::RawVal* vals, size_t nvals);

// The runtime's builtins table (VMContext::builtins).
const vm::VMBuiltins* builtinsTable();

// Resolves raw frames (module pointer, function index, offset) to FrameInfo with names.
FrameInfo resolveFrame(const vm::TrapFrame& frame);

}  // namespace strata::runtime
