// The baseline tier's vm::Compiler: compiles every defined function of a module into one code
// image, behind the native calling convention, with the stubs' array-call entry.
#include <algorithm>
#include <asmjit/x86.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "jit/codegen.h"
#include "jit/jit.h"
#include "jit/stubs.h"
#include "jit/thunks.h"
#include "support/cpu_features.h"

namespace strata::jit {

namespace {

using namespace asmjit;

class ErrorCollector : public ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
    if (!failed) {
      failed = true;
      too_large = err == kErrorTooLarge;
      text = fmt::format("baseline: assembler error {}: {}", err, message);
    }
  }
  bool failed = false;
  bool too_large = false;
  std::string text;
};

void fillSlots(const CompiledCode& c);

constexpr uint64_t bit(support::CpuFeature f) { return uint64_t{1} << unsigned(f); }

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
  Result<vm::CodeArtifact> artifact() const override {
    vm::CodeArtifact out;
    out.code = {code_.image->base(), code_.image->codeBytes()};
    out.data_bytes = code_.image->dataBytes();
    out.funcs.assign(code_.image->funcs().begin(), code_.image->funcs().end());
    out.externs = code_.externs;
    // What the code generator relies on (docs/jit.md; `strata settings` lists why), and SSE4.2
    // where this host has it: the generator then emits pcmpgtq (i64x2 comparisons).
    using support::CpuFeature;
    out.cpu_features = bit(CpuFeature::Sse2) | bit(CpuFeature::Ssse3) | bit(CpuFeature::Sse41);
    if (support::hostCpu().has(CpuFeature::Sse42)) out.cpu_features |= bit(CpuFeature::Sse42);
    return out;
  }

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
  Result<std::shared_ptr<const vm::CompiledModule>> load(const ir::Module& module, vm::CodeArtifact art) const override {
    if (!stubs().entry) return makeError(ErrorKind::Resource, kNoOffset, "baseline: cannot map executable memory");
    auto bad = [](std::string_view what) {
      return makeError(ErrorKind::Malformed, kNoOffset, fmt::format("compiled artifact: {}", what));
    };
    STRATA_CHECK(vm::checkArtifactFuncs(module, art, true));
    size_t ndef = art.funcs.size();
    for (uint32_t id : art.externs)
      if (!externAddress(id)) return bad(fmt::format("unknown extern slot id {}", id));
    if (art.data_bytes != std::max<size_t>(8 * (ndef + art.externs.size()), 8)) return bad("bad data size");
    CompiledCode code;
    code.image = STRATA_TRY(vm::CodeImage::map(art.fd, art.file_offset, art.code, art.data_bytes, std::move(art.funcs),
                                               vm::ImageKind::Module, &module, stubs().trap));
    code.externs = std::move(art.externs);
    fillSlots(code);
    return std::shared_ptr<const vm::CompiledModule>(std::make_shared<JitModule>(module, std::move(code)));
  }

 private:
  std::unique_ptr<vm::Compiler> fallback_;
};


// The data page: the call slots (each defined function's entry), then the extern slots.
void fillSlots(const CompiledCode& c) {
  auto* slots = reinterpret_cast<uintptr_t*>(c.image->writableData());
  auto funcs = c.image->funcs();
  for (size_t i = 0; i < funcs.size(); ++i) slots[i] = uintptr_t(c.image->base() + funcs[i].start);
  for (size_t k = 0; k < c.externs.size(); ++k) slots[funcs.size() + k] = uintptr_t(externAddress(c.externs[k]));
}

// Assembles the module straight into a reservation of `capacity` bytes (no copy of the code
// at publish); Resource when it does not fit.
Result<CompiledCode> compileInto(const ir::Module& module, const validate::ModuleEnv& env,
                                 const vm::CompileOptions& options, size_t capacity, uint32_t tail_slots,
                                 uint32_t& tail_need) {
  const Stubs& st = stubs();
  uint32_t nimp = module.num_imported_functions;
  auto ndef = uint32_t(module.functions.size() - nimp);
  size_t data_bytes = std::max<size_t>(8 * ndef, 8);
  std::unique_ptr<vm::CodeImage> image = STRATA_TRY(vm::CodeImage::reserve(capacity, 0));
  CodeHolder code;
  code.init(Environment::host());
  ErrorCollector errors;
  code.setErrorHandler(&errors);
  CodeBuffer& buffer = code.textSection()->_buffer;
  buffer._data = image->writableBase();
  buffer._capacity = capacity - data_bytes - 4096;
  buffer._size = 0;
  buffer._flags = CodeBufferFlags::kIsExternal | CodeBufferFlags::kIsFixed;
  Emitter a(&code);

  ModuleState ms;
  ms.module = &module;
  ms.options = options;
  ms.a = &a;
  ms.got = a.newLabel();
  ms.trap_tramp = a.newLabel();
  ms.tail_slots = tail_slots;
  ms.num_defined = ndef;
  ms.extern_slot.assign(1 + ir::kNumOpcodes, -1);
  // Outside every function: the trap stub is too far for a rel32 call from the image.
  a.bind(ms.trap_tramp);
  a.jmp(ms.externSlot(kExternTrap));

  auto too_large = [&] { return makeError(ErrorKind::Resource, kNoOffset, "baseline: code reservation too small"); };
  std::vector<vm::FuncCodeInfo> infos(ndef);
  for (uint32_t i = 0; i < ndef; ++i) {
    FuncCompiler fc(ms, nimp + i, infos[i]);
    validate::FuncValidator<FuncCompiler> v(env, nimp + i, fc);
    STRATA_CHECK(v.run());
    STRATA_CHECK(fc.status());
    if (errors.failed) return errors.too_large ? too_large() : makeError(ErrorKind::Unsupported, kNoOffset, errors.text);
  }
  // Tail calls needing a larger area than the calls gave: compileModule compiles again (nothing
  // is published of this attempt).
  tail_need = ms.tail_need;
  if (tail_need > tail_slots) return CompiledCode{};
  // The call slots start on a page of their own, right after the code (publishInPlace puts
  // the data pages there): the code reaches them pc-relative.
  auto page = size_t(sysconf(_SC_PAGESIZE));
  size_t code_end = (a.offset() + page - 1) / page * page;
  data_bytes = std::max<size_t>(8 * (size_t(ndef) + ms.externs.size()), 8);
  if (code_end + data_bytes + page > capacity) return too_large();
  size_t pad = code_end - a.offset();
  static const uint8_t kZeros[4096] = {};
  if (pad) a.embed(kZeros, pad);
  a.bind(ms.got);
  if (errors.failed) return errors.too_large ? too_large() : makeError(ErrorKind::Unsupported, kNoOffset, errors.text);
  // Development aid: STRATA_JIT_DUMP=FILE writes the last module's code (objdump -D -b binary
  // -mi386:x86-64 FILE).
  if (const char* dump = std::getenv("STRATA_JIT_DUMP")) {
    if (FILE* f = std::fopen(dump, "wb")) {
      std::fwrite(image->base(), 1, code_end, f);
      std::fclose(f);
    }
  }
  STRATA_CHECK(image->publishInPlace(code_end, data_bytes, std::move(infos), vm::ImageKind::Module, &module, st.trap));
  CompiledCode out;
  out.image = std::move(image);
  out.externs = std::move(ms.externs);
  fillSlots(out);
  return out;
}

}  // namespace

x86::Mem ModuleState::externSlot(uint32_t id) {
  if (extern_slot[id] < 0) {
    extern_slot[id] = int32_t(externs.size());
    externs.push_back(id);
  }
  return x86::ptr(got, 8 * (int32_t(num_defined) + extern_slot[id]));
}

const void* externAddress(uint32_t id) {
  if (id == kExternTrap) return stubs().trap;
  if (id == kExternTrapC) return stubs().trap_c;
  if (id == kExternMemcpy) return reinterpret_cast<const void*>(&::memcpy);
  if (id == kExternMemmove) return reinterpret_cast<const void*>(&::memmove);
  if (id == kExternMemset) return reinterpret_cast<const void*>(&::memset);
  if (id - 1 >= ir::kNumOpcodes) return nullptr;
  return reinterpret_cast<const void*>(thunkFor(ir::Opcode(id - 1)));
}

Result<CompiledCode> compileModule(const ir::Module& module, const validate::ModuleEnv& env,
                                   const vm::CompileOptions& options) {
  if (!stubs().entry) return makeError(ErrorKind::Resource, kNoOffset, "baseline: cannot map executable memory");
  if (ir::usesGcObjects(module)) return makeError(ErrorKind::Unsupported, kNoOffset, "baseline: GC references");
  // Machine code is about 3x the bodies' bytes (ed25519: 2.9x); the unused tail is unmapped at
  // publish, and a module that needs more is compiled again with twice the room.
  size_t body_bytes = 0;
  for (uint32_t i = module.num_imported_functions; i < module.functions.size(); ++i) body_bytes += module.functions[i].body.size;
  size_t capacity = 4 * body_bytes + 8 * module.functions.size() + (size_t(64) << 10);
  // Calls give kMinArgSlots; a module whose tail calls need more is compiled again with every
  // call giving that much (up to kTailSlots), so that those tail calls replace frames too.
  uint32_t tail_slots = kMinArgSlots;
  for (;;) {
    uint32_t tail_need = 0;
    auto r = compileInto(module, env, options, capacity, tail_slots, tail_need);
    if (r && tail_need > tail_slots) {
      tail_slots = tail_need;
      continue;
    }
    if (r || r.error().kind != ErrorKind::Resource || capacity > (size_t(1) << 34)) return r;
    capacity *= 2;
  }
}

// The stubs are generated when the first module is compiled, not here: a program that never
// compiles for this tier (strata --version) does not pay for them.
// support::hostCpu, not asmjit's CpuInfo::host: asmjit probes with some fifty cpuid
// instructions, each a trap to the hypervisor on a virtual machine (~0.17 ms of every start).
bool hostSupported() { return support::hostCpu().has(support::CpuFeature::Sse41); }

std::unique_ptr<vm::Compiler> createCompiler(std::unique_ptr<vm::Compiler> fallback) {
  return std::make_unique<JitCompiler>(std::move(fallback));
}

}  // namespace strata::jit
