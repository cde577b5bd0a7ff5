// The interpreter tier: compiles validated modules to register bytecode and runs it
// (docs/interpreter.md). The runtime knows it only through the vm::Compiler interface.
#pragma once

#include <memory>

#include "vm/compiler.h"

namespace strata::interp {

// The tier's compiler ("interp"); thread-safe, shareable by every engine.
std::unique_ptr<vm::Compiler> createCompiler();

}  // namespace strata::interp
