// The llvm tier's vm::Compiler (see tier.h, plugin_api.h): loads the LLVM half on first use,
// hands it the module, and maps the image it returns with the baseline tier's stubs and
// calling convention, so code of every tier calls code of every other.
#include "llvm/tier.h"

#include <dlfcn.h>
#include <fmt/core.h>

#include <atomic>
#include <chrono>

#include <cstdlib>
#include <mutex>
#include <string>

#include "jit/externs.h"
#include "jit/stubs.h"
#include "jit/thunks.h"
#include "llvm/plugin_api.h"
#include "runtime/build_id.h"
#include "support/cpu_features.h"
#include "vm/compile_pool.h"

namespace strata::llvmtier {

namespace {

struct Plugin {
  const PluginApi* api = nullptr;
  std::string error;
};

// STRATA_LLVM_PLUGIN, else the build tree's plugin, else the installed one.
const Plugin& plugin() {
  static Plugin* p = [] {
    auto* out = new Plugin;
    std::vector<std::string> paths;
    if (const char* env = std::getenv("STRATA_LLVM_PLUGIN")) paths.emplace_back(env);
    paths.emplace_back(STRATA_LLVM_PLUGIN_BUILD);
    paths.emplace_back(STRATA_LLVM_PLUGIN_INSTALLED);
    std::string why;
    for (const std::string& path : paths) {
      void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        if (why.empty()) why = dlerror();
        continue;
      }
      using Fn = const PluginApi* (*)();
      auto fn = reinterpret_cast<Fn>(dlsym(h, "strata_llvm_plugin_api"));
      const PluginApi* api = fn ? fn() : nullptr;
      if (!api) {
        why = fmt::format("{}: not a Strata LLVM plugin", path);
        continue;
      }
      if (std::string_view(api->build_id) != STRATA_BUILD_ID) {
        why = fmt::format("{}: built by another Strata ({}, this is {})", path, api->build_id, STRATA_BUILD_ID);
        continue;
      }
      out->api = api;
      return out;
    }
    out->error = fmt::format("llvm: cannot load the LLVM compiler: {}", why);
    return out;
  }();
  return *p;
}

std::atomic<void (*)()> before_plugin_load{nullptr};

bool hasThunk(ir::Opcode op) { return jit::thunkFor(op) != nullptr; }

class LlvmModule final : public vm::CompiledModule {
 public:
  LlvmModule(const ir::Module& m, std::unique_ptr<vm::CodeImage> image, std::vector<uint32_t> externs,
             uint64_t cpu_features)
      : module_(m), image_(std::move(image)), externs_(std::move(externs)), cpu_features_(cpu_features) {}

  void initFuncRef(uint32_t func_index, vm::VMFuncRef& ref) const override {
    const vm::FuncCodeInfo& f = image_->funcs()[func_index - module_.num_imported_functions];
    ref.array_call = jit::stubs().entry;
    ref.wasm_call = image_->base() + f.start;
    ref.code = &f;
  }
  std::string_view tierName() const override { return "llvm"; }
  size_t codeBytes() const override { return image_->codeBytes(); }
  const vm::CodeImage* codeImage() const override { return image_.get(); }
  // The image is position-independent (its only absolute addresses are the extern slots on its
  // data page, filled at load), so an artifact is its bytes as they are.
  Result<vm::CodeArtifact> artifact() const override {
    vm::CodeArtifact out;
    out.code = {image_->base(), image_->codeBytes()};
    out.data_bytes = image_->dataBytes();
    out.funcs.assign(image_->funcs().begin(), image_->funcs().end());
    out.externs = externs_;
    out.cpu_features = cpu_features_;
    return out;
  }

 private:
  const ir::Module& module_;
  std::unique_ptr<vm::CodeImage> image_;
  std::vector<uint32_t> externs_;
  uint64_t cpu_features_ = 0;
};

class LlvmCompiler final : public vm::Compiler {
 public:
  explicit LlvmCompiler(std::unique_ptr<vm::Compiler> fallback) : fallback_(std::move(fallback)) {}
  std::string_view name() const override { return "llvm"; }
  bool validatesBodies() const override { return false; }
  void prepare() const override {
    if (auto hook = before_plugin_load.load()) hook();
  }

  Result<std::shared_ptr<const vm::CompiledModule>> compile(const ir::Module& module, const validate::ModuleEnv& env,
                                                            const vm::CompileOptions& options) const override {
    auto r = compileHere(module, options);
    if (!r && r.error().kind == ErrorKind::Unsupported && fallback_) {
      if (std::getenv("STRATA_LLVM_VERBOSE")) fmt::print(stderr, "{}\n", r.error().message);
      return fallback_->compile(module, env, options);
    }
    return r;
  }

 private:
  Result<std::shared_ptr<const vm::CompiledModule>> compileHere(const ir::Module& module,
                                                                const vm::CompileOptions& options) const {
    if (auto hook = before_plugin_load.load()) hook();
    const Plugin& p = plugin();
    // Asked for and not there: an error, not a silent fallback.
    if (!p.api) return makeError(ErrorKind::Resource, kNoOffset, p.error);
    const jit::Stubs& st = jit::stubs();
    if (!st.entry) return makeError(ErrorKind::Resource, kNoOffset, "llvm: cannot map executable memory");
    PluginRequest req;
    req.module = &module;
    req.feature_bits = options.features.bits();
    req.options = options;
    req.has_thunk = &hasThunk;
    req.thunk_may_trap = &jit::thunkMayTrap;
    req.dump_ir = std::getenv("STRATA_LLVM_DUMP");
    req.threads = options.parallel_compilation ? 0 : 1;
    if (!options.target_cpu.empty()) req.target_cpu = options.target_cpu.c_str();
    req.parallel_for = &vm::parallelFor;
    auto t0 = std::chrono::steady_clock::now();
    PluginOutput out = STRATA_TRY(p.api->compile(req));
    if (std::getenv("STRATA_LLVM_VERBOSE"))
      fmt::print(stderr, "llvm: {} functions, {} KiB of code in {:.3f} s on {} threads ({} batches; CPU: translation {:.3f} s, "
                 "optimization {:.3f} s, code generation {:.3f} s; translations {}, loads made volatile {})\n",
                 out.funcs.size(), out.code.size() / 1024,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                 vm::compileThreads(out.batches, req.threads), out.batches,
                 out.seconds_ir, out.seconds_opt, out.seconds_codegen, out.translations, out.volatile_loads);
    // Code for the host CPU (-mcpu=native) may use any extension the host has, so an artifact
    // needs all of them; code for a named CPU, that CPU's. Code this host cannot run is refused
    // here rather than met as an illegal instruction.
    uint64_t cpu = options.target_cpu.empty() ? support::hostCpu().bits : out.cpu_features;
    if (uint64_t missing = cpu & ~support::hostCpu().bits)
      return makeError(ErrorKind::Usage, kNoOffset,
                       fmt::format("llvm: target CPU `{}` has extensions this host lacks: {}", options.target_cpu,
                                   support::cpuFeatureNames(missing)));
    return publish(module, -1, 0, out.code, out.data_bytes, std::move(out.funcs), std::move(out.externs), cpu);
  }

 public:
  // An artifact of this tier (docs/artifacts.md): no LLVM is loaded, the code is mapped from the
  // file and the extern slots filled, as after a compile.
  Result<std::shared_ptr<const vm::CompiledModule>> load(const ir::Module& module, vm::CodeArtifact art) const override {
    const jit::Stubs& st = jit::stubs();
    if (!st.entry) return makeError(ErrorKind::Resource, kNoOffset, "llvm: cannot map executable memory");
    // Functions are placed batch by batch (link.cc), not necessarily in index order.
    STRATA_CHECK(vm::checkArtifactFuncs(module, art, false));
    if (art.data_bytes < 8 * art.externs.size())
      return makeError(ErrorKind::Malformed, kNoOffset, "compiled artifact: bad data size");
    return publish(module, art.fd, art.file_offset, art.code, art.data_bytes, std::move(art.funcs),
                   std::move(art.externs), art.cpu_features, std::move(art.backing));
  }

 private:
  // Maps the image (from the file at fd, or a copy of code) and fills its extern slots.
  static Result<std::shared_ptr<const vm::CompiledModule>> publish(const ir::Module& module, int fd, uint64_t file_offset,
                                                                   std::span<const uint8_t> code, size_t data_bytes,
                                                                   std::vector<vm::FuncCodeInfo> funcs,
                                                                   std::vector<uint32_t> externs, uint64_t cpu_features,
                                                                   std::shared_ptr<const void> backing = nullptr) {
    for (uint32_t id : externs)
      if (!jit::externAddress(id)) return makeError(ErrorKind::Unsupported, kNoOffset, fmt::format("llvm: unknown extern {}", id));
    std::unique_ptr<vm::CodeImage> image = STRATA_TRY(vm::CodeImage::map(
        fd, file_offset, code, data_bytes, std::move(funcs), vm::ImageKind::ModuleLines, &module, jit::stubs().trap_store,
        std::move(backing)));
    auto* slots = reinterpret_cast<uintptr_t*>(image->writableData());
    for (size_t k = 0; k < externs.size(); ++k) slots[k] = uintptr_t(jit::externAddress(externs[k]));
    return std::shared_ptr<const vm::CompiledModule>(
        std::make_shared<LlvmModule>(module, std::move(image), std::move(externs), cpu_features));
  }

  std::unique_ptr<vm::Compiler> fallback_;
};

}  // namespace

void setBeforePluginLoad(void (*hook)()) { before_plugin_load.store(hook); }

std::unique_ptr<vm::Compiler> createCompiler(std::unique_ptr<vm::Compiler> fallback) {
  return std::make_unique<LlvmCompiler>(std::move(fallback));
}

}  // namespace strata::llvmtier
