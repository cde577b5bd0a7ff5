// A readable listing of a function's bytecode, for tests and debugging (`pc handler operands`).
#pragma once

#include <string>
#include <vector>

#include "interp/bytecode.h"

namespace strata::interp {

// One line per instruction: "0x0010 i32.add/Imm 24 16 1" (generated handlers: the row's text and
// the form; hand-written: the handler's name) followed by the operand words in hex or decimal.
std::string disassemble(const FuncCode& f);
// Just the handler names, in order ("i32.lt_s/BrIf", "Return", ...).
std::vector<std::string> handlerNames(const FuncCode& f);
// The name of the handler at `address` ("?" if none).
std::string handlerName(const void* address);

}  // namespace strata::interp
