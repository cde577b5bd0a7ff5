// Internal to the decode stage: the per-section decoders that decoder.cc drives, split over
// types.cc (types, imports, tables, memories, globals, tags), sections.cc (the rest) and names.cc.
//
// How sections are read, and why: like the reference interpreter, a section's contents are read
// with a reader that runs to the end of the FILE, not of the section; the declared size is
// checked afterwards ("section size mismatch"). The spec suite's messages depend on this: a
// vector that claims one element too many reads into the next section and reports what it finds
// there ("length out of bounds" in binary.wast's export test, "illegal opcode" in the 2.0
// suite's global without `end`). Every read stays inside the file, so nothing can overrun.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "decode/instr.h"
#include "ir/features.h"
#include "ir/module.h"
#include "support/byte_reader.h"

namespace strata::decode::detail {

inline constexpr const char* kUnexpectedEnd = "unexpected end of section or function";

// Reserve room for `n` more elements, but not unboundedly: a count is only bounded by the file
// size, and a few hostile bytes must not make us allocate sizeof(T) times as much.
template <class T>
void reserveMore(std::vector<T>& v, uint32_t n) {
  constexpr uint32_t kMaxReserve = 1u << 14;
  v.reserve(v.size() + std::min(n, kMaxReserve));
}

// vec(x) (spec 5.1.3): a length, then that many elements, each read by `element()` and
// appended to `out`.
template <class T, class F>
Result<void> readVec(ByteReader& r, std::vector<T>& out, F&& element) {
  uint32_t n = STRATA_TRY(readLength(r));
  reserveMore(out, n);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.offset();
    auto e = STRATA_TRY(element());
    if constexpr (requires { e.pos; }) e.pos = uint32_t(at);  // kept for the validator's messages
    out.push_back(std::move(e));
  }
  return {};
}

class ModuleDecoder {
 public:
  ModuleDecoder(ir::Module& m, const ir::Features& f) : m_(m), f_(f) {}

  // Section contents (spec 5.5.2-5.5.16); `r` is positioned after the section size.
  Result<void> typeSection(ByteReader& r);
  Result<void> importSection(ByteReader& r);
  void setImportPos(const ir::Import& imp);
  Result<void> functionSection(ByteReader& r);
  Result<void> tableSection(ByteReader& r);
  Result<void> memorySection(ByteReader& r);
  Result<void> tagSection(ByteReader& r);
  Result<void> globalSection(ByteReader& r);
  Result<void> exportSection(ByteReader& r);
  Result<void> startSection(ByteReader& r);
  Result<void> elemSection(ByteReader& r);
  Result<void> dataCountSection(ByteReader& r);
  // `end`: the section's end, where a decoder that does not walk the bodies goes at once.
  Result<void> codeSection(ByteReader& r, uint64_t end);
  Result<void> dataSection(ByteReader& r);
  // A custom section of `size` bytes (spec 5.5.3); `after` is the last non-custom section id.
  Result<void> customSection(ByteReader& r, uint32_t size, uint8_t after);

  // Checks that need the whole module (spec 5.5.16): function/code and data count/data agree.
  Result<void> finish(uint64_t end_offset);
  // Off: the code section's entries are counted, not walked, and bodies stay empty (a compiled
  // artifact's loader sets them from its own table; decodeModuleInPlace).
  void setWalkBodies(bool on) { walk_bodies_ = on; }

 private:
  Result<ir::ValType> valType(ByteReader& r) { return readValType(r, f_); }
  Result<ir::Limits> limits(ByteReader& r, bool memory, uint32_t* page_size_log2);
  Result<ir::TableType> tableType(ByteReader& r);
  Result<ir::MemoryType> memoryType(ByteReader& r);
  Result<ir::GlobalType> globalType(ByteReader& r);
  Result<ir::TagType> tagType(ByteReader& r);
  Result<void> subType(ByteReader& r);
  Result<void> compType(ByteReader& r, ir::SubType& st);
  Result<ir::FieldType> fieldType(ByteReader& r);
  Result<void> resultTypes(ByteReader& r, std::vector<ir::ValType>& out);
  Result<ir::Global> global(ByteReader& r);
  Result<ir::Export> exportEntry(ByteReader& r);
  Result<ir::ElemSegment> elemSegment(ByteReader& r);
  Result<ir::DataSegment> dataSegment(ByteReader& r);
  // A constant expression up to and including its matching `end` (spec 5.4.9), not validated.
  Result<ir::ConstExpr> constExpr(ByteReader& r);

  ir::Module& m_;
  const ir::Features& f_;
  Instr instr_;  // scratch for constExpr
  uint32_t declared_functions_ = 0;           // entries of the function section
  std::optional<uint32_t> code_entries_;      // entries of the code section, if present
  bool walk_bodies_ = true;
};

// The `name` custom section (spec 7.4); nullopt if it is malformed (then it stays a raw custom
// section: custom contents never make a module malformed).
std::optional<ir::Names> decodeNameSection(std::span<const uint8_t> content, uint64_t offset);

}  // namespace strata::decode::detail
