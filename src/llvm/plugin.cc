// The LLVM half's entry point (plugin_api.h): checks what the tier supports, translates,
// optimizes and links.
#include <fmt/core.h>

#include <chrono>
#include <set>

#include "llvm/emit.h"
#include "llvm/plugin_api.h"
#include "llvm/translate.h"
#include "runtime/build_id.h"
#include "validate/module_env.h"

namespace strata::llvmtier {

namespace {

Result<void> supported(const ir::Module& m, const vm::CompileOptions& o) {
  auto no = [](const char* what) { return makeError(ErrorKind::Unsupported, kNoOffset, fmt::format("llvm: {} not supported yet", what)); };
  if (!m.tags.empty()) return no("exception handling");
  // References the collector must find (docs/gc.md): the tier has no stack maps yet, so such
  // modules go to the fallback tier (locals: FuncTranslator::onLocals).
  if (ir::usesGcObjects(m)) return no("GC references");
  for (const ir::Memory& mem : m.memories) if (mem.type.limits.shared) return no("shared memories");
  return {};
}

Result<PluginOutput> compile(const PluginRequest& req) {
  const ir::Module& module = *req.module;
  STRATA_CHECK(supported(module, req.options));
  ir::Features features;
  for (unsigned i = 0; i < unsigned(ir::Feature::Count); ++i) features.set(ir::Feature(i), (req.feature_bits >> i) & 1);
  validate::ModuleEnv env = STRATA_TRY(validate::ModuleEnv::create(module, features));
  auto t0 = std::chrono::steady_clock::now();
  uint32_t nimp = module.num_imported_functions;
  auto ndef = uint32_t(module.functions.size() - nimp);
  // Twice at most: a load LLVM deletes as dead would not trap; the second translation makes
  // exactly those loads volatile (emit.h).
  std::set<uint32_t> keep;
  for (int pass = 0;; ++pass) {
    llvm::LLVMContext ctx;
    auto m = std::make_unique<llvm::Module>("wasm", ctx);
    ModuleTranslator mt(ctx, *m, env, req);
    mt.keep_loads = keep;
    STRATA_CHECK(mt.run());
    auto t1 = std::chrono::steady_clock::now();
    std::set<uint32_t> deleted;
    PluginOutput out = STRATA_TRY(emit(*m, req, ndef, nimp, pass == 0 ? &deleted : nullptr));
    if (!deleted.empty()) {
      keep = std::move(deleted);
      continue;
    }
    out.seconds_ir = std::chrono::duration<double>(t1 - t0).count();
    return out;
  }
}

const PluginApi kApi{STRATA_BUILD_ID, &compile};

}  // namespace

}  // namespace strata::llvmtier

extern "C" __attribute__((visibility("default"))) const strata::llvmtier::PluginApi* strata_llvm_plugin_api() {
  return &strata::llvmtier::kApi;
}
