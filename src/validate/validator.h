// Module validation (spec 3.4): the validator stage's entry point.
#pragma once

#include "ir/features.h"
#include "ir/module.h"
#include "validate/module_env.h"
#include "support/error.h"

namespace strata::validate {

// Validates a decoded or parsed module. Returns the first error: ErrorKind::Invalid with the spec
// suite's wording, or ErrorKind::Malformed for what only body decoding finds (illegal opcodes,
// "too many locals", "data count section required"). Every error carries a position: inside
// bodies and constant expressions the instruction's offset, above them the `pos` the decoder
// (or text parser) recorded for the entry concerned (type, import, table, export, segment...).
// `bodies` false skips the function bodies (checked last, after every other section), for
// callers whose compiler runs FuncValidator over every body anyway (vm::Compiler::validatesBodies).
Result<void> validateModule(const ir::Module& m, const ir::Features& features, bool bodies = true);
// The same with the module's environment already built (ModuleEnv::create, whose errors are
// the first validateModule reports).
Result<void> validateModule(const ModuleEnv& env, bool bodies = true);

}  // namespace strata::validate
