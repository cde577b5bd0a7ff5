// The baseline tier's vm::Compiler: compiles every defined function of a module into one code
// image, behind the native calling convention, with the stubs' array-call entry.
#include <asmjit/x86.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "jit/codegen.h"
#include "jit/jit.h"
#include "jit/stubs.h"

namespace strata::jit {

namespace {

using namespace asmjit;

class ErrorCollector : public ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
    if (!failed) {
      failed = true;
      text = fmt::format("baseline: assembler error {}: {}", err, message);
    }
  }
  bool failed = false;
  std::string text;
};

class JitModule final : public vm::CompiledModule {
 public:
  JitModule(const ir::Module& m, CompiledCode code) : module_(m), code_(std::move(code)) {}

  void initFuncRef(uint32_t func_index, vm::VMFuncRef& ref) const override {
    const vm::FuncCodeInfo& f = code_.image->funcs()[func_index - module_.num_imported_functions];
    ref.array_call = stubs().entry;
    ref.wasm_call = code_.image->base() + f.start;
    ref.code = &f;
  }
  std::string_view tierName() const override { return "baseline"; }
  size_t codeBytes() const override { return code_.image->codeBytes(); }
  const vm::CodeImage* codeImage() const override { return code_.image.get(); }

 private:
  const ir::Module& module_;
  CompiledCode code_;
};

class JitCompiler final : public vm::Compiler {
 public:
  explicit JitCompiler(std::unique_ptr<vm::Compiler> fallback) : fallback_(std::move(fallback)) {}
  std::string_view name() const override { return "baseline"; }
  // Every body goes through FuncValidator<FuncCompiler>; a module handed to the fallback is
  // validated by the fallback's own pass over every body.
  bool validatesBodies() const override { return !fallback_ || fallback_->validatesBodies(); }
  Result<std::shared_ptr<const vm::CompiledModule>> compile(const ir::Module& module, const validate::ModuleEnv& env,
                                                            const vm::CompileOptions& options) const override {
    auto code = compileModule(module, env, options);
    if (!code) {
      if (code.error().kind == ErrorKind::Unsupported && fallback_) return fallback_->compile(module, env, options);
      return std::unexpected(code.error());
    }
    return std::shared_ptr<const vm::CompiledModule>(std::make_shared<JitModule>(module, std::move(*code)));
  }

 private:
  std::unique_ptr<vm::Compiler> fallback_;
};

}  // namespace

Result<CompiledCode> compileModule(const ir::Module& module, const validate::ModuleEnv& env,
                                   const vm::CompileOptions& options) {
  const Stubs& st = stubs();
  if (!st.entry) return makeError(ErrorKind::Resource, kNoOffset, "baseline: cannot map executable memory");
  CodeHolder code;
  code.init(Environment::host());
  ErrorCollector errors;
  code.setErrorHandler(&errors);
  // Machine code is about 10x the bodies' bytes: reserving it up front saves the copies of a
  // buffer growing by doubling.
  size_t body_bytes = 0;
  for (uint32_t i = module.num_imported_functions; i < module.functions.size(); ++i) body_bytes += module.functions[i].body.size;
  code.reserveBuffer(&code.textSection()->_buffer, 12 * body_bytes + 4096);
  x86::Assembler a(&code);

  ModuleState ms;
  ms.module = &module;
  ms.env = &env;
  ms.options = options;
  ms.a = &a;
  ms.got = a.newLabel();
  ms.trap_tramp = a.newLabel();
  // Outside every function: the trap stub is too far for a rel32 call from the image.
  a.bind(ms.trap_tramp);
  a.mov(x86::rax, imm(reinterpret_cast<uint64_t>(st.trap)));
  a.jmp(x86::rax);

  uint32_t nimp = module.num_imported_functions;
  auto ndef = uint32_t(module.functions.size() - nimp);
  std::vector<vm::FuncCodeInfo> infos(ndef);
  for (uint32_t i = 0; i < ndef; ++i) {
    FuncCompiler fc(ms, nimp + i, infos[i]);
    validate::FuncValidator<FuncCompiler> v(env, nimp + i, fc);
    STRATA_CHECK(v.run());
    STRATA_CHECK(fc.status());
    if (errors.failed) return makeError(ErrorKind::Unsupported, kNoOffset, errors.text);
  }
  // The call slots start on a page of their own, right after the code (CodeImage::reserve puts
  // the data pages there): the code reaches them pc-relative.
  auto page = size_t(sysconf(_SC_PAGESIZE));
  size_t pad = (page - a.offset() % page) % page;
  std::vector<uint8_t> zeros(pad);
  if (pad) a.embed(zeros.data(), pad);
  a.bind(ms.got);
  if (errors.failed) return makeError(ErrorKind::Unsupported, kNoOffset, errors.text);
  CodeBuffer& buf = code.textSection()->buffer();
  // Development aid: STRATA_JIT_DUMP=FILE writes the last module's code (objdump -D -b binary
  // -mi386:x86-64 FILE) until `strata explore` shows it.
  if (const char* dump = std::getenv("STRATA_JIT_DUMP")) {
    if (FILE* f = std::fopen(dump, "wb")) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      std::fclose(f);
    }
  }
  CompiledCode out;
  out.image = STRATA_TRY(vm::CodeImage::reserve(buf.size(), std::max<size_t>(8 * ndef, 8)));
  auto* slots = reinterpret_cast<uintptr_t*>(out.image->data());
  for (uint32_t i = 0; i < ndef; ++i) {
    slots[i] = uintptr_t(out.image->base() + infos[i].start);
    out.func_starts.push_back(infos[i].start);
  }
  STRATA_CHECK(out.image->publish({buf.data(), buf.size()}, std::move(infos), vm::ImageKind::Module, &module, st.trap));
  return out;
}

bool hostSupported() {
  const CpuInfo& cpu = CpuInfo::host();
  return cpu.hasFeature(CpuFeatures::X86::kSSE4_1) && stubs().entry != nullptr;
}

std::unique_ptr<vm::Compiler> createCompiler(std::unique_ptr<vm::Compiler> fallback) {
  return std::make_unique<JitCompiler>(std::move(fallback));
}

}  // namespace strata::jit
