// The Store: construction, object allocation, trap conversion, and the Store API.
#include "strata/store.h"

#include <algorithm>

#include <fmt/core.h>

#include "ir/opcodes.h"
#include "runtime/store_impl.h"
#include "strata/val.h"
#include "support/byte_reader.h"
#include "vm/builtins.h"
#include "vm/exception.h"

namespace strata {

namespace runtime {

static_assert(offsetof(vm::VMStoreContext, trap) == 32 && offsetof(vm::VMStoreContext, store) == 72 &&
                  offsetof(vm::VMStoreContext, max_wasm_stack) == 88 && offsetof(vm::VMStoreContext, tier_unwind) == 96,
              "docs/architecture.md documents these offsets");

StoreImpl::StoreImpl(const Engine& engine, StoreLimits limits_in) : engine_(engine), limits(limits_in) {
  const Config& config = engine.config();
  ctx.trap = &trap;
  ctx.store = this;
  ctx.max_wasm_stack = config.max_wasm_stack;
  ctx.limits.epoch_counter = engine.impl().epochCounter();
  ctx.limits.epoch_deadline = ~uint64_t{0};
  ctx.limits.fuel_remaining = 0;
  host_ctx.store_ctx = &ctx;
  host_ctx.builtins = builtinsTable();
  heap = std::make_unique<vm::GcHeap>(&ctx, limits.max_gc_heap_bytes, [this](vm::GcHeap& h) { traceRoots(h); });
  ctx.gc_heap = heap.get();
}

// The runtime's GC roots (docs/gc.md "Roots" 2): globals, tables and element segments.
void StoreImpl::traceRoots(vm::GcHeap& h) const {
  for (const auto& g : globals) {
    if (g->type.type.isRef()) h.markWord(reinterpret_cast<uintptr_t>(g->vm.value.ref));
  }
  for (const auto& t : tables) {
    for (void* e : t->elems) h.markWord(reinterpret_cast<uintptr_t>(e));
  }
  for (const auto& inst : instances) {
    for (const auto& seg : inst->elem_segments)
      for (void* e : seg) h.markWord(reinterpret_cast<uintptr_t>(e));
  }
}

StoreImpl::~StoreImpl() {
  for (int i = 0; i < 2; ++i) {
    if (ctx.tier_state[i] && ctx.tier_state_free[i]) ctx.tier_state_free[i](ctx.tier_state[i]);
  }
  vm::freeExceptions(&ctx);
  ctx.gc_heap = nullptr;
}

Result<MemoryObj*> StoreImpl::newMemory(const ir::MemoryType& type) {
  if (memories.size() >= limits.max_memories) {
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "memory count exceeds the store's limit");
  }
  memories.push_back(STRATA_TRY(MemoryObj::create(type, engine_.config(), limits)));
  memories.back()->owner = this;
  return memories.back().get();
}

Result<TableObj*> StoreImpl::newTable(const ir::TableType& type, void* init) {
  if (tables.size() >= limits.max_tables) {
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "table count exceeds the store's limit");
  }
  auto t = std::make_unique<TableObj>();
  t->type = type;
  t->limits = &limits;
  t->owner = this;
  if (type.limits.min > t->maxSize()) {
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "table size exceeds the store's limit");
  }
  t->elems.assign(type.limits.min, init);
  t->vm.elements = t->elems.data();
  t->vm.length = t->elems.size();
  tables.push_back(std::move(t));
  return tables.back().get();
}

GlobalObj* StoreImpl::newGlobal(const ir::GlobalType& type, vm::RawVal value) {
  auto g = std::make_unique<GlobalObj>();
  g->type = type;
  g->vm.value = value;
  g->owner = this;
  globals.push_back(std::move(g));
  return globals.back().get();
}

TagObj* StoreImpl::newTag(uint32_t type_id, std::string name) {
  tags.push_back(std::make_unique<TagObj>(TagObj{type_id, this, std::move(name)}));
  return tags.back().get();
}

bool StoreImpl::ownsAddress(const void* addr) const {
  for (const auto& m : memories) {
    if (m->contains(addr)) return true;
  }
  return false;
}

FrameInfo resolveFrame(const vm::TrapFrame& frame) {
  FrameInfo info;
  info.func_index = frame.func_index;
  info.offset = frame.offset;
  info.module = frame.module;
  if (const auto* m = static_cast<const ir::Module*>(frame.module)) {
    if (frame.func_index < m->functions.size()) {
      uint32_t start = m->functions[frame.func_index].body.offset;
      if (frame.offset >= start) info.func_offset = frame.offset - start;
    }
    if (m->names.module) info.module_name = *m->names.module;
    auto it = m->names.functions.find(frame.func_index);
    if (it != m->names.functions.end()) info.func_name = it->second;
  }
  return info;
}

InstanceObj* StoreImpl::instanceOf(const vm::VMContext* vmctx) const {
  for (const auto& inst : instances) {
    if (&inst->ctx == vmctx) return inst.get();
  }
  return nullptr;
}

InstanceObj* StoreImpl::onlyInstanceOf(const void* ir_module) const {
  InstanceObj* found = nullptr;
  for (const auto& inst : instances) {
    if (inst->module->ir.get() != ir_module) continue;
    if (found) return nullptr;
    found = inst.get();
  }
  return found;
}

InstanceObj* StoreImpl::importCallee(const InstanceObj& caller, uint32_t offset) const {
  const ir::Module& m = *caller.module->ir;
  if (offset >= m.bytes.size() || m.bytes[offset] != ir::opcodeInfo(ir::Opcode::Call).code) return nullptr;
  ByteReader reader(std::span<const uint8_t>(m.bytes).subspan(offset + 1));
  auto index = reader.readVarU32();
  if (!index || *index >= m.num_imported_functions) return nullptr;
  return instanceOf(caller.vm_funcs[*index]->vmctx);
}

// The tiers record each frame's module but not its instance (machine code knows the vmctx of
// the innermost frame only), so the instance is worked out here, outermost frame first. The
// outermost frame is the callee, which runs in the instance of its vmctx. An inner frame runs
// in the instance its caller's import names when the caller's instruction is a `call` of an
// imported function; otherwise in the caller's instance when both have the same module (a
// direct call stays in its instance); otherwise in the store's only instance of its module,
// or none when the store has several. The one attribution this gets wrong: a call_indirect or
// call_ref from one instance into another instance of the same module.
Trap StoreImpl::takeTrap(const vm::VMFuncRef* callee) {
  std::vector<FrameInfo> frames = std::move(host_frames);
  host_frames.clear();
  size_t first = frames.size();
  // A host function may return the trap of a call into another store: its frames keep their
  // places but name no instance, since only this store's instances are known to live as long
  // as the trap may be looked at.
  for (size_t i = 0; i < first; ++i) {
    auto& inst = frames[i].instance;
    if (inst && std::none_of(instances.begin(), instances.end(), [&](const auto& p) { return p.get() == inst; })) inst = nullptr;
  }
  for (const vm::TrapFrame& f : trap.frames) frames.push_back(resolveFrame(f));
  InstanceObj* caller = nullptr;  // the instance of frames[i + 1]
  for (size_t i = frames.size(); i-- > first;) {
    const void* module = frames[i].module;
    InstanceObj* inst = nullptr;
    if (i + 1 == frames.size()) inst = callee ? instanceOf(callee->vmctx) : nullptr;
    else if (caller) inst = importCallee(*caller, frames[i + 1].offset);
    if (inst && inst->module->ir.get() != module) inst = nullptr;
    if (!inst && caller && caller->module->ir.get() == module) inst = caller;
    if (!inst) inst = onlyInstanceOf(module);
    frames[i].instance = caller = inst;
  }
  Trap t = trap.kind == vm::TrapKind::Exit ? Trap::exit(trap.exit_status, std::move(frames))
            : trap.exception ? uncaught(trap.exception, std::move(frames))
                             : Trap(trap.kind, trap.message, std::move(frames));
  trap.clear();
  return t;
}

}  // namespace runtime

std::string Trap::toString() const {
  std::string out = message_;
  if (frames_.empty()) return out;
  out += "\nwasm backtrace:";
  for (size_t i = 0; i < frames_.size(); ++i) {
    const FrameInfo& f = frames_[i];
    std::string module = f.module_name.empty() ? "<unknown>" : f.module_name;
    std::string func = f.func_name.empty() ? fmt::format("<wasm function {}>", f.func_index) : f.func_name;
    out += fmt::format("\n  {:>3}: {:>#8x} - {}!{}", i, f.offset, module, func);
  }
  return out;
}

Store::Store(const Engine& engine) : Store(engine, engine.config().store_limits) {}

Store::Store(const Engine& engine, StoreLimits limits) : impl_(std::make_unique<runtime::StoreImpl>(engine, limits)) {
  impl_->owner = this;
}

Store::~Store() = default;

Store::Store(Store&& other) noexcept : impl_(std::move(other.impl_)) {
  if (impl_) impl_->owner = this;
}

Store& Store::operator=(Store&& other) noexcept {
  impl_ = std::move(other.impl_);
  if (impl_) impl_->owner = this;
  return *this;
}

const Engine& Store::engine() const { return impl_->engine(); }
const StoreLimits& Store::limits() const { return impl_->limits; }
void Store::setLimits(StoreLimits limits) {
  impl_->limits = limits;
  impl_->heap->setLimit(limits.max_gc_heap_bytes);
}

void Store::root(const Val& v) {
  if (v.isRef()) impl_->heap->pin(v.refRaw());
}
void Store::unroot(const Val& v) {
  if (v.isRef()) impl_->heap->unpin(v.refRaw());
}
void Store::collectGarbage() { impl_->heap->collect(); }
GcStats Store::gcStats() const {
  const vm::GcHeap& h = *impl_->heap;
  return {h.liveBytes(), h.collections(), h.objectCount(), h.conservativeScans()};
}

void Store::setFuel(uint64_t fuel) { impl_->ctx.limits.fuel_remaining = int64_t(std::min<uint64_t>(fuel, INT64_MAX)); }
uint64_t Store::fuel() const { return uint64_t(std::max<int64_t>(impl_->ctx.limits.fuel_remaining, 0)); }

void Store::setEpochDeadline(uint64_t ticks) {
  impl_->ctx.limits.epoch_deadline = impl_->engineImpl().epoch() + ticks;
}

void Store::setData(void* data) { impl_->data = data; }
void* Store::data() const { return impl_->data; }

}  // namespace strata
