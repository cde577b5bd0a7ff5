// Module internals: the IR, its validation environment, the tier's code and canonical type ids.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ir/module.h"
#include "runtime/engine_impl.h"
#include "strata/types.h"
#include "validate/module_env.h"
#include "vm/compiler.h"

namespace strata::runtime {

class ModuleImpl {
 public:
  std::shared_ptr<EngineImpl> engine;
  std::shared_ptr<const ir::Module> ir;  // never moves: env and compiled point into it
  validate::ModuleEnv env;
  std::shared_ptr<const vm::CompiledModule> compiled;
  std::vector<uint32_t> type_ids;  // canonical id per type index
  std::vector<const vm::GcType*> gc_types;  // runtime type per type index (VMContext::gc_types)

  // The external type of the kind's index-th entity, with canonical heap types.
  ExternType externType(ExternKind kind, uint32_t index) const;
  ValType canonical(ValType t) const { return TypeRegistry::canonicalize(t, type_ids); }
  uint32_t funcTypeId(uint32_t func_index) const { return type_ids[ir->functions[func_index].type_index]; }
};

}  // namespace strata::runtime
