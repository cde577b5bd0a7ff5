// The constant-expression evaluator (spec 4.4.x "evaluation of constant expressions").
#pragma once

#include "ir/module.h"
#include "support/error.h"
#include "vm/abi.h"

namespace strata::runtime {

struct InstanceObj;

// Evaluates `expr` of type `type` in the (partially initialised) instance: globals read
// through its VMGlobal pointers, ref.func through its VMFuncRefs. It is a consumer of the
// validator's FuncValidator in constant-expression mode, so instructions are decoded in the
// one shared place. Uninstantiable "unsupported constant expression" for GC allocations.
Result<vm::RawVal> evalConst(const InstanceObj& instance, const ir::ConstExpr& expr, ir::ValType type);

}  // namespace strata::runtime
