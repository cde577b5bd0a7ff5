// What the function-body validator needs to know about the module around a body (spec 3.4's
// context C): types with their subtyping, features, and the set C.refs of declared functions.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"
#include "validate/type_context.h"

namespace strata::validate {

struct ModuleEnv {
  const ir::Module* module = nullptr;
  ir::Features features;
  TypeContext types;
  // spec 3.4.x: C.refs, the functions whose index occurs outside function bodies and the start
  // function (element segments, exports, constant expressions); ref.func in a body needs one.
  std::vector<uint8_t> declared_funcs;

  // Validates the type section and collects C.refs. Tiers call this on a validated module to
  // run a FuncValidator with their own consumer.
  static Result<ModuleEnv> create(const ir::Module& m, const ir::Features& features);

  // The address type (spec 3.2.x, memory64/table64) operands of the memory or table use.
  ir::ValType memoryAddr(uint32_t mem) const {
    return module->memories[mem].type.limits.is64 ? ir::ValType::i64() : ir::ValType::i32();
  }
  ir::ValType tableAddr(uint32_t table) const {
    return module->tables[table].type.limits.is64 ? ir::ValType::i64() : ir::ValType::i32();
  }
};

}  // namespace strata::validate
