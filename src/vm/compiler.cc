// The compiler interface's default function listing (compiler.h).
#include "vm/compiler.h"

#include <fmt/core.h>

namespace strata::vm {

std::string CompiledModule::describeFunction(uint32_t func_index) const {
  const CodeImage* image = codeImage();
  const FuncCodeInfo* f = image ? image->func(func_index) : nullptr;
  if (!f) return fmt::format("{}: no listing\n", tierName());
  std::string out = fmt::format("{}: {} bytes of machine code at image+0x{:x}\n", tierName(), f->size, f->start);
  for (const auto& [pc, wasm] : f->wasm_map) out += fmt::format("{:04x}  ;; wasm 0x{:x}\n", pc, wasm);
  return out;
}

Result<void> checkArtifactFuncs(const ir::Module& module, const CodeArtifact& art, bool ascending) {
  auto bad = [](std::string_view what) {
    return makeError(ErrorKind::Malformed, kNoOffset, fmt::format("compiled artifact: {}", what));
  };
  size_t ndef = module.functions.size() - module.num_imported_functions;
  if (art.funcs.size() != ndef) return bad("function count differs from the module's");
  for (size_t i = 0; i < ndef; ++i) {
    const FuncCodeInfo& f = art.funcs[i];
    if (f.func_index != module.num_imported_functions + i || uint64_t(f.start) + f.size > art.code.size() ||
        (ascending && i && f.start < art.funcs[i - 1].start + art.funcs[i - 1].size))
      return bad("bad function table");
  }
  return {};
}

}  // namespace strata::vm
