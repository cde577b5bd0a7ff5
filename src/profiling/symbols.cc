// Function names for profilers and debuggers (see symbols.h).
#include "profiling/symbols.h"

#include <fmt/core.h>

#include "ir/module.h"

namespace strata::profiling {

// A CodeImage's module() is the ir::Module its functions belong to (code_image.h).
const ir::Module* moduleOf(const vm::CodeImage& image) { return static_cast<const ir::Module*>(image.module()); }

SymbolNames::SymbolNames(const vm::CodeImage& image) : module_(image.module()) {
  const ir::Module* m = moduleOf(image);
  prefix_ = (m && m->names.module ? *m->names.module : std::string("wasm")) + "!";
  if (!m) return;
  for (const ir::Export& e : m->exports)
    if (e.kind == ir::ExternKind::Func) exports_.emplace(e.index, e.name);
}

std::string SymbolNames::operator()(const vm::FuncCodeInfo& f) const {
  if (const auto* m = static_cast<const ir::Module*>(module_)) {
    if (auto it = m->names.functions.find(f.func_index); it != m->names.functions.end()) return prefix_ + it->second;
  }
  if (auto it = exports_.find(f.func_index); it != exports_.end()) return prefix_ + it->second;
  return fmt::format("{}function[{}]", prefix_, f.func_index);
}

std::vector<CodeSymbol> imageSymbols(const vm::CodeImage& image) {
  std::vector<CodeSymbol> out;
  if (image.kind() == vm::ImageKind::Stubs || image.funcs().empty()) {
    out.push_back({uintptr_t(image.base()), image.codeBytes(), "strata!stubs"});
    return out;
  }
  SymbolNames names(image);
  for (const vm::FuncCodeInfo& f : image.funcs())
    out.push_back({uintptr_t(image.code(f)), f.size, names(f)});
  return out;
}

}  // namespace strata::profiling
