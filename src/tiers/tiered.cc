// Tier-up (docs/tiering.md): a module runs at once on the code of a fast tier (baseline) while
// a second tier (llvm) compiles it on another thread; when that code is ready, every call slot
// of the first tier's code is repointed to the second tier's entry of the same function, so
// each call made from then on runs the optimized code. Frames already running stay on the code
// they run (there is no on-stack replacement): a loop that never returns to a call keeps the
// first tier's code.
//
// Calls that do not go through the call slots -- the host's, call_indirect, call_ref and calls
// from other modules, all made through a VMFuncRef -- reach the function through a forwarder of
// this module's own: `mov r11, slot; jmp [r11]`, so they follow the slot as well. r11 carries
// nothing in the native convention (docs/jit.md "Frame and calling convention"): rdi, the
// arguments on the stack and r10d (the argument area's size) pass through untouched.
#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tiers/tiers.h"
#include "validate/module_env.h"

namespace strata::tiers {

namespace {

constexpr size_t kForwarderBytes = 16;

bool envHas(std::string_view word) {
  const char* env = std::getenv("STRATA_TIER_UP");
  return env && std::string_view(env).find(word) != std::string_view::npos;
}

// What the background compile left. The module joins its thread before it dies, so the two
// share it without shared ownership.
struct Background {
  std::mutex mutex;
  std::condition_variable changed;
  bool finished = false;
  bool installed = false;  // the second tier's code is what the call slots hold
  std::atomic<bool> cancel{false};
  std::shared_ptr<const vm::CompiledModule> second;
};

class TieredModule final : public vm::CompiledModule {
 public:
  TieredModule(const ir::Module& m, std::shared_ptr<const vm::CompiledModule> first,
               std::unique_ptr<vm::CodeImage> forwarders)
      : module_(m), first_(std::move(first)), forwarders_(std::move(forwarders)) {}
  // The module dies: batches not yet begun are skipped, and the one running is waited for (it
  // reads the ir::Module, which the runtime frees after this).
  ~TieredModule() override {
    bg_.cancel.store(true);
    if (thread_.joinable()) thread_.join();
  }

  void initFuncRef(uint32_t func_index, vm::VMFuncRef& ref) const override {
    first_->initFuncRef(func_index, ref);
    ref.wasm_call = forwarders_->base() + kForwarderBytes * (func_index - module_.num_imported_functions);
  }
  std::string_view tierName() const override { return "tiered"; }
  size_t codeBytes() const override { return first_->codeBytes(); }
  // Tools show the first tier's code: the second tier's may not exist yet.
  const vm::CodeImage* codeImage() const override { return first_->codeImage(); }
  std::string describeFunction(uint32_t func_index) const override { return first_->describeFunction(func_index); }
  Result<vm::CodeArtifact> artifact() const override {
    return makeError(ErrorKind::Unsupported, kNoOffset,
                     "tier tiered cannot write compiled artifacts (compile with --tier llvm or baseline)");
  }
  CallSlot callSlot(uint32_t func_index) const override { return first_->callSlot(func_index); }

  void start(std::shared_ptr<const vm::Compiler> second, vm::CompileOptions options) {
    thread_ = std::thread([this, second = std::move(second), options]() mutable { run(*second, options); });
  }
  void finish() {
    std::lock_guard lock(bg_.mutex);
    bg_.finished = true;
  }
  bool wait() const {
    std::unique_lock lock(bg_.mutex);
    bg_.changed.wait(lock, [&] { return bg_.finished; });
    return bg_.installed;
  }

 private:
  void run(const vm::Compiler& second, vm::CompileOptions options) {
    auto t0 = std::chrono::steady_clock::now();
    options.cancel = &bg_.cancel;
    std::string why;
    bool installed = false;
    std::shared_ptr<const vm::CompiledModule> code;
    if (auto env = validate::ModuleEnv::create(module_, options.features); !env) {
      why = env.error().message;
    } else if (auto r = second.compile(module_, *env, options); !r) {
      why = r.error().message;
    } else if ((*r)->tierName() != second.name()) {
      why = fmt::format("tier {} handed the module to {}", second.name(), (*r)->tierName());
    } else {
      code = *r;
      installed = install(*code, why);
    }
    if (envHas("verbose"))
      fmt::print(stderr, "tier-up: {} in {:.3f} s{}\n", installed ? "installed" : "not installed",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                 why.empty() ? "" : ": " + why);
    std::lock_guard lock(bg_.mutex);
    bg_.second = std::move(code);
    bg_.installed = installed;
    bg_.finished = true;
    bg_.changed.notify_all();
  }

  // Every entry is checked before the first slot changes: the module runs either tier's code
  // entirely, never a part of each because one function lacked an entry.
  bool install(const vm::CompiledModule& code, std::string& why) {
    uint32_t nimp = module_.num_imported_functions;
    std::vector<void*> entries;
    for (uint32_t i = nimp; i < module_.functions.size(); ++i) {
      vm::VMFuncRef ref{};
      code.initFuncRef(i, ref);
      if (!ref.wasm_call || !first_->callSlot(i).write) {
        why = fmt::format("function {} has no native entry or call slot", i);
        return false;
      }
      entries.push_back(ref.wasm_call);
    }
    if (bg_.cancel.load()) return false;
    for (uint32_t i = nimp; i < module_.functions.size(); ++i)
      __atomic_store_n(first_->callSlot(i).write, entries[i - nimp], __ATOMIC_RELEASE);
    return true;
  }

  const ir::Module& module_;
  std::shared_ptr<const vm::CompiledModule> first_;
  std::unique_ptr<vm::CodeImage> forwarders_;
  mutable Background bg_;  // wait() is const: it only reads
  std::thread thread_;
};

// One forwarder per defined function, kForwarderBytes apart: `mov r11, imm64` (the slot's
// address, 49 BB imm64), `jmp qword [r11]` (41 FF 23), int3 to the end.
Result<std::unique_ptr<vm::CodeImage>> forwarders(const ir::Module& m, const vm::CompiledModule& first) {
  uint32_t nimp = m.num_imported_functions;
  size_t n = m.functions.size() - nimp;
  std::unique_ptr<vm::CodeImage> img = STRATA_TRY(vm::CodeImage::reserve(std::max<size_t>(n, 1) * kForwarderBytes, 0));
  uint8_t* w = img->writableBase();
  for (size_t i = 0; i < n; ++i) {
    uint8_t* f = w + i * kForwarderBytes;
    auto slot = reinterpret_cast<uint64_t>(first.callSlot(uint32_t(nimp + i)).read);
    if (!slot) return makeError(ErrorKind::Unsupported, kNoOffset, "tiered: the first tier's calls go through no call slots");
    std::memset(f, 0xCC, kForwarderBytes);
    f[0] = 0x49, f[1] = 0xBB;
    std::memcpy(f + 2, &slot, 8);
    f[10] = 0x41, f[11] = 0xFF, f[12] = 0x23;
  }
  STRATA_CHECK(img->publishInPlace(std::max<size_t>(n, 1) * kForwarderBytes, 0, {}, vm::ImageKind::Stubs, nullptr, nullptr));
  return img;
}

class TieredCompiler final : public vm::Compiler {
 public:
  TieredCompiler(std::unique_ptr<vm::Compiler> first, std::unique_ptr<vm::Compiler> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  std::string_view name() const override { return "tiered"; }
  bool validatesBodies() const override { return first_->validatesBodies(); }
  void prepare() const override { second_->prepare(); }

  Result<std::shared_ptr<const vm::CompiledModule>> compile(const ir::Module& module, const validate::ModuleEnv& env,
                                                            const vm::CompileOptions& options) const override {
    second_->prepare();  // on this thread: the static tool execs its twin before anything runs
    std::shared_ptr<const vm::CompiledModule> first = STRATA_TRY(first_->compile(module, env, options));
    // A module the first tier handed on (to the interpreter) stays as it is.
    uint32_t nimp = module.num_imported_functions;
    if (first->tierName() != first_->name()) return first;
    std::unique_ptr<vm::CodeImage> fw = STRATA_TRY(forwarders(module, *first));
    auto tiered = std::make_shared<TieredModule>(module, std::move(first), std::move(fw));
    if (module.functions.size() == nimp) {  // nothing to compile again
      tiered->finish();
      return std::shared_ptr<const vm::CompiledModule>(std::move(tiered));
    }
    vm::CompileOptions background = options;
    // On a machine of two threads, one compiles and the other runs the program.
    background.parallel_compilation = options.parallel_compilation && std::thread::hardware_concurrency() > 2;
    tiered->start(second_, background);
    if (envHas("sync")) tiered->wait();
    return std::shared_ptr<const vm::CompiledModule>(std::move(tiered));
  }

 private:
  std::unique_ptr<vm::Compiler> first_;
  std::shared_ptr<const vm::Compiler> second_;
};

}  // namespace

std::unique_ptr<vm::Compiler> createTieredCompiler(std::unique_ptr<vm::Compiler> first,
                                                   std::unique_ptr<vm::Compiler> second) {
  return std::make_unique<TieredCompiler>(std::move(first), std::move(second));
}

bool waitForTierUp(const vm::CompiledModule& module) {
  auto* t = dynamic_cast<const TieredModule*>(&module);
  return t && t->wait();
}

}  // namespace strata::tiers
