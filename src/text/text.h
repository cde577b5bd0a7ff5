// The text format front end: .wat modules and .wast scripts to the IR (spec chapter 6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"
#include "text/script.h"

namespace strata::text {

// A .wat file: `(module $id? field*)` or bare module fields. The result is the same IR the
// binary decoder produces: bodies and constant expressions in the binary encoding, in
// Module::bytes. Errors are Malformed with Error::offset the byte offset in `text` and the
// spec suite's wording ("unexpected token", "unknown operator", "constant out of range", ...).
// `features` selects the grammar where proposals changed it: without memory64 (the 2.0
// suite's setting) limits and memory offsets are u32 literals.
Result<ir::Module> parseWat(std::string_view text, const ir::Features& features = ir::Features());

// A .wast script (the spec interpreter's script format). `file` names the script in each
// command's Location. A text module that does not parse fails the whole script, except
// inside `module quote` (kept as text for the runner).
Result<Script> parseWast(std::string_view text, std::string file, const ir::Features& features = ir::Features());

// 1-based line and column (in bytes) of a byte offset; offsets past the end clamp to it.
Location locate(std::string_view text, uint64_t offset, std::string file);

}  // namespace strata::text
