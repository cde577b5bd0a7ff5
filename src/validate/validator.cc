// Module-level validation (spec 3.4): imports and definitions, limits, constant expressions,
// segments, exports and the start function, then every function body through FuncValidator.
#include "validate/validator.h"

#include <fmt/core.h>

#include <set>
#include <string_view>

#include "validate/func_validator.h"
#include "validate/module_env.h"

namespace strata::validate {

namespace {

using ir::Feature;
using ir::ValType;

class ModuleValidator {
 public:
  explicit ModuleValidator(const ModuleEnv& env) : env_(env), m_(*env.module), f_(env.features) {}

  Result<void> run() {
    STRATA_CHECK(checkFunctions());
    STRATA_CHECK(checkTables());
    STRATA_CHECK(checkMemories());
    STRATA_CHECK(checkGlobals());
    STRATA_CHECK(checkTags());
    STRATA_CHECK(checkElems());
    STRATA_CHECK(checkDatas());
    STRATA_CHECK(checkStart());
    STRATA_CHECK(checkExports());
    for (uint32_t i = m_.num_imported_functions; bodies_ && i < m_.functions.size(); ++i) {
      NullConsumer consumer;
      STRATA_CHECK(inSource(FuncValidator<NullConsumer>(env_, i, consumer).run()));
    }
    return {};
  }

 private:
  // Module-level errors point at the entry they concern (ir positions kept by the decoder).
  static std::unexpected<Error> fail(uint32_t pos, std::string msg) { return invalid(pos, std::move(msg)); }

  // Errors in code carry offsets into Module::bytes; for a text module, send them back to the
  // text (the other errors already carry text offsets in the entries' `pos`).
  Result<void> inSource(Result<void> r) const {
    if (!r && !m_.text_map.empty() && r.error().offset != kNoOffset)
      r.error().offset = m_.textOffset(r.error().offset);
    return r;
  }

  // Globals a constant expression may read: imported ones (2.0), or with GC every global
  // defined before the expression's own (spec 3.4.x, 3.0).
  uint32_t visibleGlobals(uint32_t defined_before) const {
    return f_.has(Feature::Gc) ? defined_before : m_.num_imported_globals;
  }

  Result<void> constExpr(const ir::ConstExpr& e, ValType type, uint32_t visible) const {
    NullConsumer consumer;
    return inSource(FuncValidator<NullConsumer>(env_, e, type, visible, consumer).run());
  }

  Result<void> checkValType(ValType t, uint32_t pos) const {
    if (!env_.types.valid(t)) return fail(pos, "unknown type");
    return {};
  }

  Result<void> checkFunctions() const {
    for (const ir::Function& fn : m_.functions)
      if (!env_.types.isFunc(fn.type_index)) return fail(fn.pos, fmt::format("unknown type {}", fn.type_index));
    return {};
  }

  Result<void> checkTables() const {
    if (m_.tables.size() > 1 && !f_.has(Feature::ReferenceTypes)) return fail(m_.tables[1].pos, "multiple tables");
    for (const ir::Table& t : m_.tables) {
      STRATA_CHECK(checkValType(t.type.elem, t.pos));
      const ir::Limits& l = t.type.limits;
      // spec 3.2.x: a 32-bit table's limits lie within its address space (the text format can
      // write larger numbers; the binary format cannot).
      uint64_t range = l.is64 ? ~uint64_t{0} : 0xffffffffu;
      if (l.min > range || (l.max && *l.max > range)) return fail(t.pos, "table size must be at most 2^32-1");
      if (l.max && l.min > *l.max) return fail(t.pos, "size minimum must not be greater than maximum");
      if (t.init) {
        STRATA_CHECK(constExpr(*t.init, t.type.elem, m_.num_imported_globals));
      } else if (!TypeContext::defaultable(t.type.elem) && !t.imported) {
        // typed function references: a table of non-nullable references needs an initializer.
        return fail(t.pos, "type mismatch");
      }
    }
    return {};
  }

  Result<void> checkMemories() const {
    if (m_.memories.size() > 1 && !f_.has(Feature::MultiMemory)) return fail(m_.memories[1].pos, "multiple memories");
    for (const ir::Memory& mem : m_.memories) {
      const ir::Limits& l = mem.type.limits;
      uint32_t page_log2 = mem.type.page_size_log2;
      if (page_log2 != 16 && page_log2 != 0) return fail(mem.pos, "invalid custom page size");
      // spec 3.2.x: the memory must fit the address space: 2^16 pages of 64 KiB for 32-bit
      // memories, 2^48 for 64-bit ones (scaled for custom page sizes).
      // With 1-byte pages the count itself must stay below 2^bits (custom-page-sizes).
      uint32_t bits = (l.is64 ? 64 : 32) - page_log2;
      uint64_t max_pages = bits >= 64 ? ~uint64_t{0} : uint64_t{1} << bits;
      if (page_log2 == 0 && !l.is64) max_pages = 0xffffffffu;
      if (l.min > max_pages || (l.max && *l.max > max_pages)) {
        if (!l.is64 && page_log2 == 16) return fail(mem.pos, "memory size must be at most 65536 pages (4GiB)");
        return fail(mem.pos, fmt::format("memory size must be at most {} pages", max_pages));
      }
      if (l.max && l.min > *l.max) return fail(mem.pos, "size minimum must not be greater than maximum");
      if (l.shared && !l.max) return fail(mem.pos, "shared memory must have maximum");
    }
    return {};
  }

  Result<void> checkGlobals() const {
    for (uint32_t i = 0; i < m_.globals.size(); ++i) {
      const ir::Global& g = m_.globals[i];
      STRATA_CHECK(checkValType(g.type.type, g.pos));
      if (!g.imported) STRATA_CHECK(constExpr(g.init, g.type.type, visibleGlobals(i)));
    }
    return {};
  }

  Result<void> checkTags() const {
    for (const ir::Tag& t : m_.tags) {
      if (!env_.types.isFunc(t.type.type_index)) return fail(t.pos, fmt::format("unknown type {}", t.type.type_index));
      // spec 3.2.x (exceptions): a tag's type is a function type with no results.
      if (!env_.types.type(t.type.type_index).func.results.empty()) return fail(t.pos, "non-empty tag result type");
    }
    return {};
  }

  Result<void> checkElems() const {
    uint32_t visible = visibleGlobals(uint32_t(m_.globals.size()));
    for (const ir::ElemSegment& seg : m_.elems) {
      STRATA_CHECK(checkValType(seg.type, seg.pos));
      if (seg.mode == ir::SegmentMode::Active) {
        if (seg.table >= m_.tables.size()) return fail(seg.pos, fmt::format("unknown table {}", seg.table));
        STRATA_CHECK(constExpr(seg.offset, env_.tableAddr(seg.table), visible));
      }
      for (uint32_t f : seg.func_indices) {
        if (f >= m_.functions.size()) return fail(seg.pos, fmt::format("unknown function {}", f));
        // A function index stands for ref.func f, of type (ref f's type) (spec 3.4.x).
        ValType ref = ValType::ref(ir::HeapType::index(m_.functions[f].type_index), false);
        if (!env_.types.isSubtype(ref, seg.type)) return fail(seg.pos, "type mismatch");
      }
      for (const ir::ConstExpr& e : seg.exprs) STRATA_CHECK(constExpr(e, seg.type, visible));
      // spec 3.4.x: an active segment's element type must match its table's.
      if (seg.mode == ir::SegmentMode::Active &&
          !env_.types.isSubtype(seg.type, m_.tables[seg.table].type.elem))
        return fail(seg.pos, "type mismatch");
    }
    return {};
  }

  Result<void> checkDatas() const {
    uint32_t visible = visibleGlobals(uint32_t(m_.globals.size()));
    for (const ir::DataSegment& d : m_.datas) {
      if (d.mode != ir::SegmentMode::Active) continue;
      if (d.memory >= m_.memories.size()) return fail(d.pos, fmt::format("unknown memory {}", d.memory));
      STRATA_CHECK(constExpr(d.offset, env_.memoryAddr(d.memory), visible));
    }
    return {};
  }

  Result<void> checkStart() const {
    if (!m_.start) return {};
    if (*m_.start >= m_.functions.size()) return fail(m_.start_pos, fmt::format("unknown function {}", *m_.start));
    // spec 3.4.x: the start function takes and returns nothing.
    const ir::FuncType& ft = m_.funcType(*m_.start);
    if (!ft.params.empty() || !ft.results.empty()) return fail(m_.start_pos, "start function");
    return {};
  }

  Result<void> checkExports() const {
    std::set<std::string_view> names;
    for (const ir::Export& e : m_.exports) {
      size_t count = 0;
      switch (e.kind) {
        case ir::ExternKind::Func: count = m_.functions.size(); break;
        case ir::ExternKind::Table: count = m_.tables.size(); break;
        case ir::ExternKind::Memory: count = m_.memories.size(); break;
        case ir::ExternKind::Global: count = m_.globals.size(); break;
        case ir::ExternKind::Tag: count = m_.tags.size(); break;
      }
      if (e.index >= count) {
        const char* space = e.kind == ir::ExternKind::Func ? "function" : ir::externKindName(e.kind);
        return fail(e.pos, fmt::format("unknown {} {}", space, e.index));
      }
      // spec 3.4.x: export names are unique.
      if (!names.insert(e.name).second) return fail(e.pos, "duplicate export name");
    }
    return {};
  }

  const ModuleEnv& env_;
  const ir::Module& m_;
  const ir::Features& f_;

 public:
  bool bodies_ = true;
};

}  // namespace

Result<void> validateModule(const ModuleEnv& env, bool bodies) {
  ModuleValidator v(env);
  v.bodies_ = bodies;
  return v.run();
}

Result<void> validateModule(const ir::Module& m, const ir::Features& features, bool bodies) {
  ModuleEnv env = STRATA_TRY(ModuleEnv::create(m, features));
  return validateModule(env, bodies);
}

}  // namespace strata::validate
