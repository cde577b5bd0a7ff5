// The binary encoder: ir::Module -> WebAssembly binary (spec 5.5), canonical and byte-exact.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/module.h"
#include "support/byte_writer.h"

namespace strata::encode {

// Writes every section in canonical order with shortest LEB128s. Function bodies and constant
// expressions are copied byte for byte from their spans, so encode(decode(encode(m))) equals
// encode(m). Custom sections go back to their recorded position; the name section (from
// Module::names) follows the data section, as spec 7.4.1 recommends.
std::vector<uint8_t> encodeModule(const ir::Module& m);

// Pieces shared with tests and other writers (spec 5.3).
void writeHeapType(ByteWriter& w, ir::HeapType h);
void writeValType(ByteWriter& w, ir::ValType t);
void writeSubType(ByteWriter& w, const ir::SubType& t);
void writeRecGroups(ByteWriter& w, const ir::Module& m);
void writeLimits(ByteWriter& w, const ir::Limits& l, uint32_t page_size_log2 = 16);
void writeTableType(ByteWriter& w, const ir::TableType& t);
void writeGlobalType(ByteWriter& w, const ir::GlobalType& t);

// The contents (without section header) of the `name` custom section for m.names (spec 7.4).
std::vector<uint8_t> encodeNameSection(const ir::Names& names);

}  // namespace strata::encode
