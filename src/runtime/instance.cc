// Instantiation (spec 4.5.4): import matching, globals, tables, memories, segments, start.
#include "strata/instance.h"

#include <fmt/core.h>

#include "runtime/const_eval.h"
#include "runtime/store_impl.h"
#include "vm/builtins.h"

namespace strata {

namespace runtime {

namespace {

std::unexpected<Error> incompatible() {
  return makeError(ErrorKind::Unlinkable, kNoOffset, "incompatible import type");
}

// spec 4.5.2 limits matching: the provided (current) limits lie within the expected ones.
bool limitsMatch(const ir::Limits& have, const ir::Limits& want) {
  if (have.is64 != want.is64 || have.shared != want.shared || have.min < want.min) return false;
  return !want.max || (have.max && *have.max <= *want.max);
}

class Instantiator {
 public:
  Instantiator(StoreImpl& store, ModuleImpl& module, InstanceObj& inst, Trap* trap_out)
      : s_(store), m_(module), ir_(*module.ir), inst_(inst), types_(store.engineImpl().types()),
        trap_out_(trap_out) {}

  Result<void> link(std::span<const Extern> imports);
  void allocate();
  void initFuncs();
  Result<void> initEntities();
  Result<void> initSegments();
  Result<void> runStart();

 private:
  Result<void> linkOne(const ir::Import& imp, const Extern& ext);
  std::string tagName(uint32_t index) const;
  Result<void> initElem(uint32_t index);
  Result<void> initData(uint32_t index);
  Result<uint64_t> offsetOf(const ir::ConstExpr& e, bool is64) {
    vm::RawVal v = STRATA_TRY(evalConst(inst_, e, is64 ? ir::ValType::i64() : ir::ValType::i32()));
    return is64 ? v.i64 : v.i32;
  }
  std::unexpected<Error> trapError() { return trapError(s_.takeTrap()); }
  std::unexpected<Error> trapError(Trap trap) {
    if (trap_out_) *trap_out_ = trap;
    return std::unexpected(trap.toError());
  }

  StoreImpl& s_;
  ModuleImpl& m_;
  const ir::Module& ir_;
  InstanceObj& inst_;
  TypeRegistry& types_;
  Trap* trap_out_;
};

Result<void> Instantiator::linkOne(const ir::Import& imp, const Extern& ext) {
  const void* owner = std::visit(
      [](const auto& e) -> const void* {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, Func>) {
          return e.raw() ? e.raw()->vmctx->store_ctx->store : nullptr;
        } else {
          return e.raw() ? e.raw()->owner : nullptr;
        }
      },
      static_cast<const Extern::variant&>(ext));
  if (owner != &s_) {
    return makeError(ErrorKind::Usage, kNoOffset, fmt::format("import {}::{} is null or belongs to another store", imp.module, imp.name));
  }
  if (ext.kind() != imp.kind) return incompatible();
  ExternType want = m_.externType(imp.kind, imp.index);
  switch (imp.kind) {
    case ExternKind::Func: {
      vm::VMFuncRef* f = std::get<Func>(ext).raw();
      if (!f || !types_.isSubtype(f->type_id, m_.funcTypeId(imp.index))) return incompatible();
      inst_.vm_funcs[imp.index] = f;
      return {};
    }
    case ExternKind::Table: {
      TableObj* t = std::get<Table>(ext).raw();
      ir::Limits have = t->type.limits;
      have.min = t->vm.length;
      if (!limitsMatch(have, want.table.limits) || !(t->type.elem == want.table.elem)) return incompatible();
      inst_.tables[imp.index] = t;
      return {};
    }
    case ExternKind::Memory: {
      MemoryObj* mem = std::get<Memory>(ext).raw();
      ir::Limits have = mem->type.limits;
      have.min = mem->pages();
      if (!limitsMatch(have, want.memory.limits) || mem->type.page_size_log2 != want.memory.page_size_log2) {
        return incompatible();
      }
      inst_.memories[imp.index] = mem;
      return {};
    }
    case ExternKind::Global: {
      GlobalObj* g = std::get<Global>(ext).raw();
      // spec 4.5.2: mutable globals are invariant, immutable ones covariant.
      bool ok = g->type.mut == want.global.mut &&
                (g->type.mut ? g->type.type == want.global.type : types_.isSubtype(g->type.type, want.global.type));
      if (!ok) return incompatible();
      inst_.globals[imp.index] = g;
      return {};
    }
    case ExternKind::Tag: {
      TagObj* tag = std::get<Tag>(ext).raw();
      if (tag->type_id != m_.type_ids[ir_.tags[imp.index].type.type_index]) return incompatible();
      inst_.tags[imp.index] = tag;
      return {};
    }
  }
  return incompatible();
}

void Instantiator::allocate() {
  inst_.vm_funcs.resize(ir_.functions.size());
  inst_.own_funcs.resize(ir_.functions.size() - ir_.num_imported_functions);
  inst_.memories.resize(ir_.memories.size());
  inst_.tables.resize(ir_.tables.size());
  inst_.globals.resize(ir_.globals.size());
  inst_.tags.resize(ir_.tags.size());
  inst_.vm_tags.resize(ir_.tags.size());
  inst_.vm_memories.resize(ir_.memories.size());
  inst_.vm_tables.resize(ir_.tables.size());
  inst_.vm_globals.resize(ir_.globals.size());
  inst_.dropped_elems.assign(ir_.elems.size(), 0);
  inst_.dropped_datas.assign(ir_.datas.size(), 0);
  inst_.elem_segments.resize(ir_.elems.size());
}

Result<void> Instantiator::link(std::span<const Extern> imports) {
  allocate();
  if (imports.size() < ir_.imports.size()) return makeError(ErrorKind::Unlinkable, kNoOffset, "unknown import");
  for (size_t i = 0; i < ir_.imports.size(); ++i) STRATA_CHECK(linkOne(ir_.imports[i], imports[i]));
  return {};
}

void Instantiator::initFuncs() {
  for (uint32_t i = ir_.num_imported_functions; i < ir_.functions.size(); ++i) {
    vm::VMFuncRef& ref = inst_.own_funcs[i - ir_.num_imported_functions];
    m_.compiled->initFuncRef(i, ref);
    ref.vmctx = &inst_.ctx;
    ref.type_id = m_.funcTypeId(i);
    ref.func_index = i;
    inst_.vm_funcs[i] = &ref;
  }
  vm::VMContext& c = inst_.ctx;
  c.store_ctx = &s_.ctx;
  c.memories = inst_.vm_memories.data();
  c.globals = inst_.vm_globals.data();
  c.tables = inst_.vm_tables.data();
  c.funcs = inst_.vm_funcs.data();
  c.type_ids = m_.type_ids.data();
  c.gc_types = m_.gc_types.data();
  c.builtins = builtinsTable();
  c.instance = &inst_;
  c.dropped_elems = inst_.dropped_elems.data();
  c.dropped_datas = inst_.dropped_datas.data();
  c.module = &ir_;
  c.tags = inst_.vm_tags.data();
}

// "module!export" (the first export of the tag), or "module!<tag N>"; module is the name
// section's module name or "<unknown>", as in backtraces.
std::string Instantiator::tagName(uint32_t index) const {
  std::string name = (ir_.names.module ? *ir_.names.module : std::string("<unknown>")) + "!";
  for (const ir::Export& e : ir_.exports)
    if (e.kind == ir::ExternKind::Tag && e.index == index) return name + e.name;
  return name + "<tag " + std::to_string(index) + ">";
}

// Imported entities are already in place; defined ones are created in index order so that a
// global's initializer sees the globals before it (spec 4.5.4 steps 5-8).
Result<void> Instantiator::initEntities() {
  for (uint32_t i = 0; i < ir_.globals.size(); ++i) {
    if (i >= ir_.num_imported_globals) {
      const ir::Global& g = ir_.globals[i];
      vm::RawVal v = STRATA_TRY(evalConst(inst_, g.init, g.type.type));
      inst_.globals[i] = s_.newGlobal({m_.canonical(g.type.type), g.type.mut}, v);
    }
    inst_.vm_globals[i] = &inst_.globals[i]->vm;
  }
  for (uint32_t i = 0; i < ir_.tables.size(); ++i) {
    if (i >= ir_.num_imported_tables) {
      const ir::Table& t = ir_.tables[i];
      void* init = nullptr;
      if (t.init) init = STRATA_TRY(evalConst(inst_, *t.init, t.type.elem)).ref;
      ir::TableType type = t.type;
      type.elem = m_.canonical(type.elem);
      inst_.tables[i] = STRATA_TRY(s_.newTable(type, init));
    }
    inst_.vm_tables[i] = &inst_.tables[i]->vm;
  }
  for (uint32_t i = 0; i < ir_.memories.size(); ++i) {
    if (i >= ir_.num_imported_memories) inst_.memories[i] = STRATA_TRY(s_.newMemory(ir_.memories[i].type));
    inst_.vm_memories[i] = &inst_.memories[i]->vm;
  }
  for (uint32_t i = 0; i < ir_.tags.size(); ++i) {
    if (i >= ir_.num_imported_tags) inst_.tags[i] = s_.newTag(m_.type_ids[ir_.tags[i].type.type_index], tagName(i));
    inst_.vm_tags[i] = inst_.tags[i];
  }
  if (!inst_.vm_tables.empty()) inst_.ctx.table0 = inst_.vm_tables[0];
  if (!inst_.vm_memories.empty()) {
    inst_.ctx.memory0 = inst_.vm_memories[0];
    inst_.ctx.memory0_base = inst_.vm_memories[0]->base;
  }
  for (uint32_t i = 0; i < ir_.elems.size(); ++i) {
    const ir::ElemSegment& seg = ir_.elems[i];
    std::vector<void*>& items = inst_.elem_segments[i];
    items.reserve(seg.size());
    for (uint32_t f : seg.func_indices) items.push_back(inst_.vm_funcs[f]);
    for (const ir::ConstExpr& e : seg.exprs) items.push_back(STRATA_TRY(evalConst(inst_, e, seg.type)).ref);
  }
  return {};
}

Result<void> Instantiator::initElem(uint32_t index) {
  const ir::ElemSegment& seg = ir_.elems[index];
  const vm::VMBuiltins& b = *inst_.ctx.builtins;
  if (seg.mode == ir::SegmentMode::Active) {
    uint64_t offset = STRATA_TRY(offsetOf(seg.offset, ir_.tables[seg.table].type.limits.is64));
    if (!b.table_init(&inst_.ctx, seg.table, index, offset, 0, seg.size())) return trapError();
  }
  if (seg.mode != ir::SegmentMode::Passive) b.elem_drop(&inst_.ctx, index);
  return {};
}

Result<void> Instantiator::initData(uint32_t index) {
  const ir::DataSegment& seg = ir_.datas[index];
  if (seg.mode != ir::SegmentMode::Active) return {};
  const vm::VMBuiltins& b = *inst_.ctx.builtins;
  uint64_t offset = STRATA_TRY(offsetOf(seg.offset, ir_.memories[seg.memory].type.limits.is64));
  if (!b.memory_init(&inst_.ctx, seg.memory, index, offset, 0, seg.init.size)) return trapError();
  b.data_drop(&inst_.ctx, index);
  return {};
}

// spec 4.5.4 steps 12-15 (2.0 and later): segments in order, each as table.init/memory.init
// followed by its drop; the first that does not fit traps and leaves earlier writes in place.
Result<void> Instantiator::initSegments() {
  for (uint32_t i = 0; i < ir_.elems.size(); ++i) STRATA_CHECK(initElem(i));
  for (uint32_t i = 0; i < ir_.datas.size(); ++i) STRATA_CHECK(initData(i));
  return {};
}

Result<void> Instantiator::runStart() {
  if (!ir_.start) return {};
  vm::RawVal vals[1] = {};
  auto r = enterWasm(s_, inst_.vm_funcs[*ir_.start], vals, 1);
  if (!r) return trapError(std::move(r.error()));
  return {};
}

}  // namespace

Extern InstanceObj::exportOf(ir::ExternKind kind, uint32_t index) const {
  switch (kind) {
    case ir::ExternKind::Func: return Func::fromRaw(vm_funcs[index]);
    case ir::ExternKind::Table: return Table(tables[index]);
    case ir::ExternKind::Memory: return Memory(memories[index]);
    case ir::ExternKind::Global: return Global(globals[index]);
    case ir::ExternKind::Tag: return Tag(tags[index]);
  }
  return Func();
}

std::span<const uint8_t> InstanceObj::dataSegment(uint32_t index) const {
  if (dropped_datas[index]) return {};
  return module->ir->span(module->ir->datas[index].init);
}

}  // namespace runtime

Result<Instance> Instance::create(Store& store, const Module& module, std::span<const Extern> imports,
                                  Trap* trap) {
  runtime::StoreImpl& s = store.impl();
  if (!(module.engine() == store.engine())) {
    return makeError(ErrorKind::Usage, kNoOffset, "module and store belong to different engines");
  }
  if (s.instances.size() >= s.limits.max_instances) {
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "instance count exceeds the store's limit");
  }
  auto inst = std::make_unique<runtime::InstanceObj>();
  inst->module = module.shared();
  inst->store = &s;
  runtime::Instantiator in(s, module.impl(), *inst, trap);
  STRATA_CHECK(in.link(imports));
  // From here on the instance stays in the store even if instantiation traps: since 2.0 an
  // element segment may already have put its functions into an imported table.
  runtime::InstanceObj* p = inst.get();
  s.instances.push_back(std::move(inst));
  in.initFuncs();
  {
    // Constant expressions allocate objects that are roots only once stored in their global,
    // table or segment (docs/gc.md "Roots" 5): no collection until every one is.
    s.heap->holdCollections(1);
    auto entities = in.initEntities();
    s.heap->holdCollections(-1);
    STRATA_CHECK(entities);
  }
  STRATA_CHECK(in.initSegments());
  STRATA_CHECK(in.runStart());
  return Instance(p);
}

std::optional<Extern> Instance::getExport(std::string_view name) const {
  for (const ir::Export& e : obj_->module->ir->exports) {
    if (e.name == name) return obj_->exportOf(e.kind, e.index);
  }
  return std::nullopt;
}

namespace {
template <class T>
std::optional<T> exportAs(const Instance& instance, std::string_view name) {
  auto e = instance.getExport(name);
  return e ? e->template as<T>() : std::nullopt;
}
}  // namespace

std::optional<Func> Instance::getFunc(std::string_view name) const { return exportAs<Func>(*this, name); }
std::optional<Memory> Instance::getMemory(std::string_view name) const { return exportAs<Memory>(*this, name); }
std::optional<Table> Instance::getTable(std::string_view name) const { return exportAs<Table>(*this, name); }
std::optional<Global> Instance::getGlobal(std::string_view name) const { return exportAs<Global>(*this, name); }
std::optional<Tag> Instance::getTag(std::string_view name) const { return exportAs<Tag>(*this, name); }

std::vector<std::pair<std::string, Extern>> Instance::exports() const {
  std::vector<std::pair<std::string, Extern>> out;
  for (const ir::Export& e : obj_->module->ir->exports) out.emplace_back(e.name, obj_->exportOf(e.kind, e.index));
  return out;
}

Module Instance::module() const { return Module::fromShared(obj_->module); }
const Store& Instance::store() const { return *obj_->store->owner; }

}  // namespace strata
