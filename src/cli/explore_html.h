// The page `strata explore --html OUT` writes: for each function, its wasm instructions beside
// the code the tier made of them, linked both ways by wasm byte offset (the role of wasmtime's
// `explore`). One self-contained HTML file: styles and script inline, nothing fetched.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/module.h"
#include "vm/compiler.h"

namespace strata::cli {

// `m` must carry its binary's offsets (withBinaryOffsets); `funcs` are the defined functions
// to show (all when empty); `title` names the module.
std::string exploreHtml(const ir::Module& m, const vm::CompiledModule& compiled, const std::vector<uint32_t>& funcs,
                        const std::string& title);

}  // namespace strata::cli
