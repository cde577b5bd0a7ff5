// Compiles a text module with the interpreter's compiler alone (no runtime) and exposes the
// bytecode of its functions, for tests of the builder's output.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "interp/bytecode.h"
#include "interp/disasm.h"
#include "interp/interp.h"
#include "text/text.h"
#include "validate/module_env.h"
#include "validate/validator.h"

namespace strata::interp_test {

class Compiled {
 public:
  explicit Compiled(std::string_view wat, vm::CompileOptions options = {}) {
    auto m = text::parseWat(wat);
    if (!m) {
      ADD_FAILURE() << m.error().describe();
      return;
    }
    module_ = std::make_unique<ir::Module>(std::move(*m));
    auto valid = validate::validateModule(*module_, options.features);
    if (!valid) {
      ADD_FAILURE() << valid.error().describe();
      return;
    }
    auto env = validate::ModuleEnv::create(*module_, options.features);
    auto compiled = interp::createCompiler()->compile(*module_, *env, options);
    if (!compiled) {
      error_ = compiled.error();
      return;
    }
    compiled_ = *compiled;
  }

  bool ok() const { return compiled_ != nullptr; }
  const Error& error() const { return error_; }
  const interp::FuncCode& func(uint32_t index) const {
    vm::VMFuncRef ref{};
    compiled_->initFuncRef(index, ref);
    return *static_cast<const interp::FuncCode*>(ref.code);
  }
  std::vector<std::string> names(uint32_t index) const { return interp::handlerNames(func(index)); }
  std::string listing(uint32_t index) const { return interp::disassemble(func(index)); }

 private:
  std::unique_ptr<ir::Module> module_;
  std::shared_ptr<const vm::CompiledModule> compiled_;
  Error error_;
};

}  // namespace strata::interp_test
