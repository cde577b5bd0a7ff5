// The names profilers and debuggers give the functions of a code image: "MODULE!FUNC", MODULE
// being the name section's module name or "wasm", FUNC the name section's function name, else
// the function's first export name, else "function[N]". A stubs image is "strata!stubs".
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "vm/code_image.h"

namespace strata::ir {
struct Module;
}

namespace strata::profiling {

// The module whose functions the image holds, null for stubs.
const ir::Module* moduleOf(const vm::CodeImage& image);

class SymbolNames {
 public:
  explicit SymbolNames(const vm::CodeImage& image);
  std::string operator()(const vm::FuncCodeInfo& f) const;

 private:
  const void* module_;
  std::string prefix_;
  std::unordered_map<uint32_t, std::string> exports_;  // first export name of each function
};

// One symbol per function of the image, or one for the whole image (stubs, which have no
// functions): what each listener writes.
struct CodeSymbol {
  uintptr_t start;
  size_t size;
  std::string name;
};
std::vector<CodeSymbol> imageSymbols(const vm::CodeImage& image);

}  // namespace strata::profiling
