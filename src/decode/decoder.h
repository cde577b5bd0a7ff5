// The binary decoder: bytes of a .wasm file -> ir::Module (spec 5.5), in one pass.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"

namespace strata::decode {

// Whether `bytes` start like a binary module ("\0asm", spec 5.5.2); tools read anything else as
// text. Only the magic: the version and the rest are decodeModule's to check.
inline bool looksBinary(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 0x00 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm';
}

// Decodes a whole module. The bytes move into Module::bytes; function bodies, constant
// expressions, data and custom section contents are ByteSpans at their absolute file offsets,
// neither copied nor (for bodies) decoded: the validator reads them. Errors are Malformed with
// the spec suite's wording and the absolute byte offset; a proposal that is off in `features`
// makes its encodings malformed as if they did not exist.
Result<ir::Module> decodeModule(std::vector<uint8_t> bytes, const ir::Features& features);
// Same, copying the input once.
Result<ir::Module> decodeModule(std::span<const uint8_t> bytes, const ir::Features& features);
// Same, with no copy: the module's bytes are `bytes`, which `backing` keeps alive (it becomes
// Module::backing). Loading a compiled artifact decodes the wasm inside its mapping this way.
// With walk_bodies false the code section's entries are counted but not walked: the defined
// functions' bodies stay empty for the caller to set (an artifact records them).
Result<ir::Module> decodeModuleInPlace(std::span<const uint8_t> bytes, std::shared_ptr<const void> backing,
                                       const ir::Features& features, bool walk_bodies = true);

}  // namespace strata::decode
