// The interpreter's vm::Compiler: translates every defined function with the bytecode builder
// and hands out VMFuncRefs whose array call is the interpreter's entry.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <thread>
#include <string_view>
#include <vector>

#include "interp/builder.h"
#include "interp/disasm.h"
#include "interp/dispatch.h"
#include "interp/interp.h"

namespace strata::interp {

namespace {

SigInfo sigInfo(const ir::FuncType& ft) {
  auto bytes = [](ir::ValType t) -> uint8_t {
    switch (t.kind) {
      case ir::ValKind::I32:
      case ir::ValKind::F32: return 4;
      case ir::ValKind::V128: return 16;
      default: return 8;
    }
  };
  SigInfo s;
  for (const ir::ValType& t : ft.params) {
    if (t.kind == ir::ValKind::Ref) s.ref_params.push_back(uint32_t(s.params.size()));
    s.params.push_back(bytes(t));
  }
  for (const ir::ValType& t : ft.results) s.results.push_back(bytes(t));
  auto slots = [](uint32_t acc, uint8_t b) { return acc + (b == 16 ? 16u : 8u); };
  s.param_bytes = std::accumulate(s.params.begin(), s.params.end(), 0u, slots);
  s.result_bytes = std::accumulate(s.results.begin(), s.results.end(), 0u, slots);
  return s;
}

// Below this many functions, starting threads costs more than it saves.
constexpr uint32_t kParallelThreshold = 256;

class InterpModule final : public vm::CompiledModule {
 public:
  InterpModule(const ir::Module& m) : module_(m) {}

  Result<void> compile(const validate::ModuleEnv& env, const vm::CompileOptions& options) {
    sigs_.resize(module_.types.size());
    for (size_t i = 0; i < module_.types.size(); ++i)
      if (module_.types[i].kind == ir::CompKind::Func) sigs_[i] = sigInfo(module_.types[i].func);
    uint32_t nimp = module_.num_imported_functions;
    funcs_.resize(module_.functions.size() - nimp);  // never resized again: calls point into it
    ModuleCtx mc;
    mc.module = &module_;
    mc.env = &env;
    mc.options = options;
    mc.tables = handlerTables();
    mc.funcs = &funcs_;
    mc.sigs = &sigs_;
    // Functions translate independently (each writes only its FuncCode): large modules are
    // split among threads, and the first error in function order is reported.
    uint32_t n = uint32_t(funcs_.size());
    std::vector<Result<void>> results(n);
    unsigned threads = n < kParallelThreshold ? 1 : std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::atomic<uint32_t> next{0};
    auto work = [&] {
      for (uint32_t k; (k = next.fetch_add(1)) < n;) results[k] = compileOne(env, mc, nimp + k);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    for (uint32_t k = 0; k < n; ++k) {
      STRATA_CHECK(results[k]);
      code_bytes_ += funcs_[k].code.size();
    }
    return {};
  }

  Result<void> compileOne(const validate::ModuleEnv& env, const ModuleCtx& mc, uint32_t i) {
    LoopConstants lc;
    validate::FuncValidator<LoopConstants> pre(env, i, lc);
    STRATA_CHECK(pre.run());
    Builder b(mc, i, funcs_[i - module_.num_imported_functions], lc.values.size());
    validate::FuncValidator<Builder> v(env, i, b);
    STRATA_CHECK(v.run());
    return b.status();
  }

  void initFuncRef(uint32_t func_index, vm::VMFuncRef& ref) const override {
    ref.array_call = &interpEntry;
    ref.wasm_call = nullptr;
    ref.code = &funcs_[func_index - module_.num_imported_functions];
  }
  std::string_view tierName() const override { return "interp"; }
  size_t codeBytes() const override { return code_bytes_; }
  std::string describeFunction(uint32_t func_index) const override {
    const FuncCode& code = funcs_[func_index - module_.num_imported_functions];
    return fmt::format("{} bytes of bytecode, frame {} bytes\n", code.code.size(), code.frame_bytes) +
           disassemble(code);
  }

 private:
  const ir::Module& module_;
  std::vector<SigInfo> sigs_;
  std::vector<FuncCode> funcs_;
  size_t code_bytes_ = 0;
};

class InterpCompiler final : public vm::Compiler {
 public:
  std::string_view name() const override { return "interp"; }
  bool validatesBodies() const override { return true; }  // the builder is a FuncValidator consumer
  Result<std::shared_ptr<const vm::CompiledModule>> compile(const ir::Module& module, const validate::ModuleEnv& env,
                                                            const vm::CompileOptions& options) const override {
    auto cm = std::make_shared<InterpModule>(module);
    STRATA_CHECK(cm->compile(env, options));
    return std::shared_ptr<const vm::CompiledModule>(std::move(cm));
  }
};

}  // namespace

std::unique_ptr<vm::Compiler> createCompiler() { return std::make_unique<InterpCompiler>(); }

}  // namespace strata::interp
