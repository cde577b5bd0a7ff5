// `strata explore FILE [--func N]...`: the interpreter's bytecode for each defined function, as
// the tier will run it (the role of `wasmtime explore`, as text). Used to check what the builder
// made of a hot loop before changing peepholes or superinstructions (docs/interpreter.md).
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "interp/bytecode.h"
#include "interp/disasm.h"
#include "interp/interp.h"
#include "validate/module_env.h"

namespace strata::cli {

namespace {

struct ExploreOptions {
  std::string file;
  std::vector<uint32_t> funcs;
  FeatureOptions features;
};

int runExplore(const ExploreOptions& opts, const ir::Features& features) {
  auto loaded = loadModule(opts.file, features, /*validate=*/true);
  if (!loaded) return reportError(loaded.error());
  const ir::Module& m = loaded->module;
  vm::CompileOptions options;
  options.features = features;
  auto env = validate::ModuleEnv::create(m, features);
  if (!env) return reportError(env.error());
  auto compiled = interp::createCompiler()->compile(m, *env, options);
  if (!compiled) return reportError(compiled.error());
  for (uint32_t f = m.num_imported_functions; f < m.functions.size(); ++f) {
    if (!opts.funcs.empty() && std::find(opts.funcs.begin(), opts.funcs.end(), f) == opts.funcs.end()) continue;
    vm::VMFuncRef ref{};
    (*compiled)->initFuncRef(f, ref);
    const auto& code = *static_cast<const interp::FuncCode*>(ref.code);
    auto name = m.names.functions.find(f);
    fmt::print("func {}{} ({} bytes of bytecode, frame {} bytes)\n", f,
               name == m.names.functions.end() ? std::string() : " $" + name->second, code.code.size(),
               code.frame_bytes);
    fmt::print("{}\n", interp::disassemble(code));
  }
  return kExitOk;
}

}  // namespace

void addExploreCommand(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ExploreOptions>();
  CLI::App* cmd = addCommand(app, "explore", "Print the interpreter bytecode of a module's functions", exit_code,
                             opts, runExplore);
  cmd->add_option("FILE", opts->file, "Module (.wasm binary or .wat text)")->required();
  cmd->add_option("--func", opts->funcs, "Only these function indices (repeatable)");
}

}  // namespace strata::cli
