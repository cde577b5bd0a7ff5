// Conversions between API values and the VM representation, with canonical-type-aware checks.
#pragma once

#include <span>
#include <vector>

#include "runtime/type_registry.h"
#include "strata/val.h"
#include "vm/abi.h"

namespace strata::runtime {

// The API kind of values of type t (t's concrete heap types are canonical ids).
Val::Kind valKind(const TypeRegistry& types, ir::ValType t);
Val toVal(const TypeRegistry& types, ir::ValType t, vm::RawVal raw);
// Whether v is a value of type t (spec 3.3.x value typing of reference values: null only for
// nullable types, a function reference by its canonical type id).
bool valMatches(const TypeRegistry& types, const Val& v, ir::ValType t);
// "type mismatch" unless each value matches its type; then the raw values into out.
bool checkVals(const TypeRegistry& types, std::span<const Val> vals, std::span<const ir::ValType> want);

}  // namespace strata::runtime
