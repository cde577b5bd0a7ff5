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

}  // namespace strata::vm
