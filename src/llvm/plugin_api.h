// The interface between the llvm tier's two halves (docs/llvm.md "Why a plugin"):
//   - the compiler, libstrata_llvm.so, the only code that includes LLVM headers or links
//     libLLVM: it translates a validated module to LLVM IR, optimizes it, emits an object and
//     links that object into a position-independent code image (code, function table, line
//     table, the ids of the slots the code reads);
//   - the tier (tier.cc, linked into every Strata program), which loads the compiler with
//     dlopen the first time a module is compiled for `llvm`, and maps the image it returns like
//     a compiled artifact.
// Loading libLLVM costs about 60 ms of process start-up (its static constructors and
// relocations): a program that never compiles with LLVM must not pay it.
//
// Both halves are built from the same tree by the same compiler, so C++ types cross the
// boundary (the build id below is checked first). No LLVM type appears here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "ir/module.h"
#include "ir/opcodes.h"
#include "support/error.h"
#include "vm/code_image.h"
#include "vm/compiler.h"

namespace strata::llvmtier {

struct PluginRequest {
  const ir::Module* module = nullptr;
  uint64_t feature_bits = 0;  // ir::Features::bits()
  vm::CompileOptions options;
  // The shared numeric semantics (src/sem through the baseline tier's thunks, jit/thunks.h):
  // a row the translator does not emit inline calls its thunk through an extern slot.
  bool (*has_thunk)(ir::Opcode) = nullptr;
  bool (*thunk_may_trap)(ir::Opcode) = nullptr;
  // The target: "native" (the host CPU), "portable" (x86-64-v2) or an LLVM CPU name.
  const char* target_cpu = "native";
  // Threads compiling the module's batches at once: 0 for one per hardware thread.
  uint32_t threads = 0;
  // The process's compilation pool (vm/compile_pool.h), which the plugin must not have a copy
  // of: the batches are its tasks.
  void (*parallel_for)(size_t n, unsigned threads, const std::function<void(size_t)>& task) = nullptr;
  // Development aid: write the optimized IR (.ll) here when set.
  const char* dump_ir = nullptr;
};

struct PluginOutput {
  std::vector<uint8_t> code;  // position independent: reaches the data pages pc-relatively
  size_t data_bytes = 0;      // the extern slots, filled by the tier at load
  std::vector<vm::FuncCodeInfo> funcs;  // every defined function: native entry then body
  std::vector<uint32_t> externs;        // extern id of each slot (jit/externs.h)
  double seconds_ir = 0, seconds_opt = 0, seconds_codegen = 0;  // for -v / the harness
  // Seconds above are summed over the batches (CPU time, not wall time).
  uint32_t translations = 1;   // 2 when some batch's loads LLVM deleted had to be made volatile
  uint32_t volatile_loads = 0;
  uint32_t batches = 1;  // parallel compilation (plugin.cc): the tasks of the pool
  // The extensions of a named target CPU (bit i: support::CpuFeature(i)); 0 for "native",
  // whose code may use every extension of the host.
  uint64_t cpu_features = 0;
};

struct PluginApi {
  const char* build_id;  // STRATA_BUILD_ID of the build that made the plugin
  Result<PluginOutput> (*compile)(const PluginRequest& request);
};

}  // namespace strata::llvmtier

// The plugin's one exported symbol.
extern "C" const strata::llvmtier::PluginApi* strata_llvm_plugin_api();
