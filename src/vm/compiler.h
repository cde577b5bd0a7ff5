// The compiler interface every execution tier implements (the role of wasmtime's Compiler):
// a tier turns a validated module into code plus the metadata the runtime needs. The runtime
// knows tiers only through this header.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"
#include "validate/module_env.h"
#include "vm/abi.h"
#include "vm/code_image.h"

namespace strata::vm {

enum class BoundsChecks : uint8_t {
  GuardPages,  // 32-bit memories: 8 GiB reservation, no checks in code (faults become traps);
               // except memories whose page size is below the OS page (custom-page-sizes): the
               // runtime commits whole OS pages, so code must check those explicitly
  Explicit,    // every access compares against the memory length (small hosts, memory64)
};

struct CompileOptions {
  ir::Features features;
  BoundsChecks bounds = BoundsChecks::GuardPages;
  bool nan_canonicalization = false;
  bool consume_fuel = false;
  bool epoch_interruption = false;
  bool wasm_map = false;  // Config::wasm_map; a tier that needs the map for itself keeps it anyway
  bool parallel_compilation = true;  // Config::parallel_compilation: same code either way
  std::string target_cpu;  // Config::target_cpu ("" or "native": the host)
  // A compile in the background (tier-up, src/tiers/tiered.cc) stops early, with an error, once
  // this is set: a tier that compiles in parts checks it between them. Null: never.
  const std::atomic<bool>* cancel = nullptr;
};

// The machine-code part of a compiled artifact (docs/artifacts.md; src/runtime/artifact.cc
// writes and reads the file around it): the code image's bytes and function table, the size of
// its data pages, and the tier's ids of the data slots it fills at load (addresses outside the
// image, such as its stubs, that differ from process to process).
struct CodeArtifact {
  std::span<const uint8_t> code;
  size_t data_bytes = 0;
  std::vector<FuncCodeInfo> funcs;
  std::vector<uint32_t> externs;
  // The CPU extensions the code uses (bit i: support::CpuFeature(i)): a host without one of
  // them cannot load it.
  uint64_t cpu_features = 0;
  // Loading: the file holding the code at file_offset (a page multiple), mapped rather than
  // copied; -1 when the artifact is in memory.
  int fd = -1;
  uint64_t file_offset = 0;
  // Keeps alive what the rows of `funcs` borrow (the artifact's mapping): the image holds it.
  std::shared_ptr<const void> backing;
};

// The checks every tier's load() makes of an artifact's function table against the module it
// was decoded with (one entry per defined function, in index order, each inside the code; in
// ascending order of start when `ascending`). The artifact passed its checksum, so these catch
// a writer's bug only: they keep a bad table from sending calls outside the code.
Result<void> checkArtifactFuncs(const ir::Module& module, const CodeArtifact& art, bool ascending);

// A module compiled by one tier. Immutable and shared by every store and thread.
class CompiledModule {
 public:
  virtual ~CompiledModule() = default;
  // Fills array_call, wasm_call and code of the VMFuncRef of defined function func_index
  // (an index in the module's function space, not counting... imports are never asked for).
  virtual void initFuncRef(uint32_t func_index, VMFuncRef& ref) const = 0;
  virtual std::string_view tierName() const = 0;
  virtual size_t codeBytes() const = 0;
  // The machine code of the module (machine-code tiers), or null (the interpreter).
  virtual const CodeImage* codeImage() const { return nullptr; }
  // A listing of defined function func_index's code, for tools (`strata explore`, `objdump
  // --disassemble`) that must not know the tier: the first line is a one-line summary (sizes),
  // the rest the listing. The interpreter lists its bytecode. The default, for machine-code
  // tiers, gives the code range and codeImage()'s wasm offset map without disassembling (the CLI
  // disassembles codeImage() itself, so that no disassembler is linked into the runtime).
  virtual std::string describeFunction(uint32_t func_index) const;
  // What an artifact of this module holds (code, functions, extern slots), or an error saying
  // why the tier cannot write one (the interpreter; a module a tier handed to another).
  virtual Result<CodeArtifact> artifact() const {
    return makeError(ErrorKind::Unsupported, kNoOffset,
                     fmt::format("tier {} cannot write compiled artifacts", tierName()));
  }
  // Tier-up (docs/tiering.md): the code pointer through which this module's code calls defined
  // function func_index (its call slot: `read` where the code reads it, `write` the same slot's
  // writable address), or nulls when its calls do not go through one. The tiered compiler
  // stores another tier's native entry of the same function there (one aligned 8-byte store,
  // which a thread running the code sees whole: before or after).
  struct CallSlot {
    void* const* read = nullptr;
    void** write = nullptr;
  };
  virtual CallSlot callSlot(uint32_t func_index) const { return {}; }
};

class Compiler {
 public:
  virtual ~Compiler() = default;
  virtual std::string_view name() const = 0;
  // Whether compile() runs FuncValidator over every function body and returns its errors
  // (spec wording, byte offsets into the module) before anything else: the runtime then
  // validates only the other sections (bodies come last in validation order, so the first
  // error reported is the same).
  virtual bool validatesBodies() const { return false; }
  // `module` has passed validation (of its bodies too, unless validatesBodies()); env is its ModuleEnv. The result must not keep references
  // to env, but may keep a pointer to module (the runtime keeps the module alive as long).
  virtual Result<std::shared_ptr<const CompiledModule>> compile(const ir::Module& module,
                                                                const validate::ModuleEnv& env,
                                                                const CompileOptions& options) const = 0;
  // What compile() needs done on the calling thread before it may run on another (tier-up): the
  // llvm tier's hook of the static tool, which execs its dynamic twin (src/cli/main.cc).
  virtual void prepare() const {}
  // The module of an artifact written by this tier with these options (the caller has checked
  // that they match): maps its code (no compilation) and fills the image's data pages.
  virtual Result<std::shared_ptr<const CompiledModule>> load(const ir::Module& module, CodeArtifact code) const {
    return makeError(ErrorKind::Unsupported, kNoOffset, fmt::format("tier {} cannot load compiled artifacts", name()));
  }
};

}  // namespace strata::vm
