// Module validation (spec 3.4): the validator stage's entry point.
#pragma once

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"

namespace strata::validate {

// Validates a decoded or parsed module. Returns the first error: ErrorKind::Invalid with the spec
// suite's wording, or ErrorKind::Malformed for what only body decoding finds (illegal opcodes,
// "too many locals", "data count section required"). Offsets are absolute for decoded modules;
// checks above the level of function bodies and constant expressions carry kNoOffset, because
// ir::Module keeps no positions for types, imports, exports and limits.
Result<void> validateModule(const ir::Module& m, const ir::Features& features);

}  // namespace strata::validate
