// The LLVM half's entry point (plugin_api.h): checks what the tier supports, translates,
// optimizes and links.
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>

#include <llvm/IR/DiagnosticHandler.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/Support/ErrorHandling.h>

#include "decode/instr.h"
#include "llvm/emit.h"
#include "llvm/plugin_api.h"
#include "llvm/translate.h"
#include "runtime/build_id.h"
#include "validate/module_env.h"
#include "vm/compile_pool.h"

namespace strata::llvmtier {

namespace {

Result<void> supported(const ir::Module& m, const vm::CompileOptions& o) {
  auto no = [](const char* what) { return makeError(ErrorKind::Unsupported, kNoOffset, fmt::format("llvm: {} not supported yet", what)); };
  for (const ir::Memory& mem : m.memories) if (mem.type.limits.shared) return no("shared memories");
  return {};
}

// A range of defined functions compiled as one LLVM module, on one thread.
struct Batch {
  uint32_t begin = 0, end = 0;
  Result<std::vector<char>> object = std::vector<char>();
  double seconds_ir = 0;
  ObjectTimes times;
  uint32_t translations = 0, volatile_loads = 0;
};

// Batches of about kBatchBytes of function bodies: the split depends on the module only, never
// on the number of threads, so the image is the same however many compile it.
constexpr uint64_t kBatchBytes = 16 * 1024;


// Whether any body has a return_call* (ModuleTranslator::body_cc). The bodies are valid: a
// decoding error cannot happen, and would only keep the tail-call convention.
bool hasTailCalls(const ir::Module& m, const ir::Features& features) {
  if (!features.has(ir::Feature::TailCall)) return false;
  decode::Instr in;
  for (uint32_t i = m.num_imported_functions; i < m.functions.size(); ++i) {
    ByteReader r(m.span(m.functions[i].body), m.functions[i].body.offset);
    Result<uint32_t> groups = r.readVarU32();
    if (!groups) return true;
    for (uint32_t g = 0; g < *groups; ++g)
      if (!r.readVarU32() || !decode::readValType(r, features)) return true;
    decode::InstrReader reader(r, features);
    while (!reader.atEnd()) {
      if (!reader.next(in)) return true;
      if (in.op == ir::Opcode::ReturnCall || in.op == ir::Opcode::ReturnCallIndirect || in.op == ir::Opcode::ReturnCallRef)
        return true;
    }
  }
  return false;
}

// An error LLVM reports with report_fatal_error (a pass it cannot set up, a selection it cannot
// make): by default it prints and exits the process, which must never happen to an embedder.
// The handler throws instead, to compileBatch's catch on the same thread; libLLVM is built
// without exceptions, so the frames between run no destructors and the batch's LLVM context
// is abandoned (leaked) rather than destroyed in whatever state it was left.
struct LlvmFatalError {
  std::string message;
};

[[noreturn]] void onFatalError(void*, const char* reason, bool) { throw LlvmFatalError{reason}; }

// Errors LLVM reports as diagnostics (an inline asm constraint it cannot allocate, seed
// 9702238): without a handler the context prints them and exits the process; here the first is
// kept and the batch fails with it once code generation returns.
class Diagnostics final : public llvm::DiagnosticHandler {
 public:
  explicit Diagnostics(std::string* error) : error_(error) {}
  bool handleDiagnostics(const llvm::DiagnosticInfo& di) override {
    if (di.getSeverity() == llvm::DS_Error && error_->empty()) {
      llvm::raw_string_ostream os(*error_);
      llvm::DiagnosticPrinterRawOStream printer(os);
      di.print(printer);
    }
    return true;
  }

 private:
  std::string* error_;
};

void compileBatchOnce(Batch& b, const validate::ModuleEnv& env, const PluginRequest& req, bool tail_calls) {
  // Twice at most: a load LLVM deletes as dead would not trap; the second translation makes
  // exactly those accesses volatile (emit.h).
  std::set<uint32_t> keep;
  bool done = false;
  for (int pass = 0; !done; ++pass) {
    auto t0 = std::chrono::steady_clock::now();
    // Both leaked if LLVM fails fatally (above); freed on every other path.
    auto* ctx = new llvm::LLVMContext;
    std::string diagnostic;
    ctx->setDiagnosticHandler(std::make_unique<Diagnostics>(&diagnostic));
    {
      auto* m = new llvm::Module("wasm", *ctx);
      ModuleTranslator mt(*ctx, *m, env, req);
      mt.keep_loads = keep;
      if (!tail_calls) mt.body_cc = llvm::CallingConv::Fast;
      if (Result<void> r = mt.run(b.begin, b.end); !r) {
        b.object = std::unexpected(r.error());
        done = true;
      } else {
        b.seconds_ir += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::set<uint32_t> deleted;
        b.object = emitObject(*m, req, pass == 0 ? &deleted : nullptr, b.times);
        b.translations = uint32_t(pass + 1);
        if (b.object && !diagnostic.empty())
          b.object = makeError(ErrorKind::Unsupported, kNoOffset, "llvm: LLVM error: " + diagnostic);
        keep.insert(deleted.begin(), deleted.end());
        done = deleted.empty() || !b.object;
      }
      delete m;
    }
    delete ctx;
  }
  b.volatile_loads = uint32_t(keep.size());
}

// A batch LLVM fails on is Unsupported: the tier hands the module to its fallback (a valid
// module still runs), and STRATA_LLVM_VERBOSE says why.
void compileBatch(Batch& b, const validate::ModuleEnv& env, const PluginRequest& req, bool tail_calls) {
  static std::once_flag once;
  std::call_once(once, [] { llvm::install_fatal_error_handler(&onFatalError, nullptr); });
  try {
    compileBatchOnce(b, env, req, tail_calls);
  } catch (const LlvmFatalError& e) {
    b.object = makeError(ErrorKind::Unsupported, kNoOffset, "llvm: LLVM error: " + e.message);
  }
}

Result<PluginOutput> compile(const PluginRequest& req) {
  const ir::Module& module = *req.module;
  STRATA_CHECK(supported(module, req.options));
  ir::Features features;
  for (unsigned i = 0; i < unsigned(ir::Feature::Count); ++i) features.set(ir::Feature(i), (req.feature_bits >> i) & 1);
  validate::ModuleEnv env = STRATA_TRY(validate::ModuleEnv::create(module, features));
  uint32_t nimp = module.num_imported_functions;
  auto ndef = uint32_t(module.functions.size() - nimp);
  if (req.dump_ir) {  // emptied: emitObject appends each batch's IR
    for (std::string path : {std::string(req.dump_ir), std::string(req.dump_ir) + ".before", std::string(req.dump_ir) + ".main"})
      if (std::FILE* f = std::fopen(path.c_str(), "w")) std::fclose(f);
  }
  uint64_t cpu_features = STRATA_TRY(targetCpuFeatures(req));
  std::vector<Batch> batches;
  for (auto [begin, end] : vm::splitBySize(module, kBatchBytes)) batches.push_back(Batch{.begin = begin, .end = end});
  bool tail_calls = hasTailCalls(module, features);
  // Parallel compilation on the process's pool: each batch is a task, with its own LLVM
  // context, module and target machine.
  // A background compile that is no longer wanted (tier-up: its module died) skips the batches
  // not yet begun.
  const std::atomic<bool>* cancel = req.options.cancel;
  req.parallel_for(batches.size(), req.threads, [&](size_t i) {
    if (cancel && cancel->load(std::memory_order_relaxed)) {
      batches[i].object = makeError(ErrorKind::Resource, kNoOffset, "llvm: compile cancelled");
      return;
    }
    compileBatch(batches[i], env, req, tail_calls);
  });
  std::vector<std::vector<char>> objects;
  for (Batch& b : batches) {
    if (!b.object) return std::unexpected(b.object.error());
    objects.push_back(std::move(*b.object));
  }
  PluginOutput out = STRATA_TRY(linkObjects(objects, ndef, nimp));
  out.seconds_ir = out.seconds_opt = out.seconds_codegen = 0;
  out.translations = out.volatile_loads = 0;
  for (const Batch& b : batches) {
    out.seconds_ir += b.seconds_ir;
    out.seconds_opt += b.times.opt;
    out.seconds_codegen += b.times.codegen;
    out.translations = std::max(out.translations, b.translations);
    out.volatile_loads += b.volatile_loads;
  }
  out.batches = uint32_t(batches.size());
  out.cpu_features = cpu_features;
  return out;
}

const PluginApi kApi{STRATA_BUILD_ID, &compile};

}  // namespace

}  // namespace strata::llvmtier

extern "C" __attribute__((visibility("default"))) const strata::llvmtier::PluginApi* strata_llvm_plugin_api() {
  return &strata::llvmtier::kApi;
}
