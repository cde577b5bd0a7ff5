// Module decoding driver: header, the section sequence and its order, section sizes (spec 5.5).
#include "decode/decoder.h"

#include <array>
#include <limits>

#include "decode/module_decoder.h"
#include "support/populate.h"

namespace strata::decode {

namespace {

using detail::kUnexpectedEnd;
using detail::ModuleDecoder;

constexpr uint8_t kTagSection = 13;

// spec 5.5.16: non-custom sections appear at most once, in this order (the tag section of
// exception handling sits between memory and global, data count between elements and code).
// Rank 0 marks an id that is no section.
constexpr std::array<uint8_t, 14> kRank = {
    0,   // 0 custom: anywhere
    1,   // 1 type
    2,   // 2 import
    3,   // 3 function
    4,   // 4 table
    5,   // 5 memory
    7,   // 6 global
    8,   // 7 export
    9,   // 8 start
    10,  // 9 element
    12,  // 10 code
    13,  // 11 data
    11,  // 12 data count
    6,   // 13 tag
};

bool knownSection(uint8_t id, const ir::Features& f) {
  if (id == kTagSection) return f.has(ir::Feature::Exceptions);
  return id < kTagSection;
}

Result<void> decodeSection(ModuleDecoder& d, uint8_t id, ByteReader& r) {
  switch (id) {
    case 1: return d.typeSection(r);
    case 2: return d.importSection(r);
    case 3: return d.functionSection(r);
    case 4: return d.tableSection(r);
    case 5: return d.memorySection(r);
    case 6: return d.globalSection(r);
    case 7: return d.exportSection(r);
    case 8: return d.startSection(r);
    case 9: return d.elemSection(r);
    case 11: return d.dataSection(r);
    case 12: return d.dataCountSection(r);
    case kTagSection: return d.tagSection(r);
    default: return {};
  }
}

// spec 5.5.2: magic "\0asm" then version 1, both fixed 4-byte words.
Result<void> readHeader(ByteReader& r) {
  uint32_t magic = STRATA_TRY(r.readFixedU32());
  if (magic != 0x6d736100u) return malformed(0, "magic header not detected");
  uint32_t version = STRATA_TRY(r.readFixedU32());
  if (version != 1) return malformed(4, "unknown binary version");
  return {};
}

Result<void> decodeSections(ModuleDecoder& d, ByteReader& r, const ir::Features& f) {
  uint8_t last_rank = 0;
  uint8_t last_id = 0;
  while (!r.atEnd()) {
    uint64_t start = r.offset();
    uint8_t id = STRATA_TRY(r.readU8());
    if (!knownSection(id, f)) return malformed(start, "malformed section id");
    // A repeated or misplaced section ends the module for the reference interpreter, which then
    // finds bytes left over.
    if (id != 0 && kRank[id] <= last_rank) return malformed(start, "unexpected content after last section");
    uint32_t size = STRATA_TRY(readLength(r));
    uint64_t content = r.offset();
    auto result = id == 0    ? d.customSection(r, size, last_id)
                  : id == 10 ? d.codeSection(r, content + size)
                             : decodeSection(d, id, r);
    if (!result) {
      // Inside a section, running out of bytes gets the reference interpreter's wording.
      if (result.error().message == "unexpected end") result.error().message = kUnexpectedEnd;
      return result;
    }
    if (r.offset() != content + size) return malformed(content, "section size mismatch");
    if (id != 0) {
      last_rank = kRank[id];
      last_id = id;
    }
  }
  return {};
}

// Decodes m.bytes, which the caller has set.
Result<void> decodeInto(ir::Module& m, const ir::Features& features, bool walk_bodies = true) {
  // ByteSpans are 32-bit offsets into the file.
  if (m.bytes.size() > std::numeric_limits<uint32_t>::max()) return malformed(0, "module too large");
  ByteReader r(m.bytes.span(), 0);
  STRATA_CHECK(readHeader(r));
  ModuleDecoder d(m, features);
  d.setWalkBodies(walk_bodies);
  STRATA_CHECK(decodeSections(d, r, features));
  return d.finish(r.offset());
}

}  // namespace

Result<ir::Module> decodeModule(std::vector<uint8_t> bytes, const ir::Features& features) {
  ir::Module m;
  m.bytes = std::move(bytes);
  STRATA_CHECK(decodeInto(m, features));
  return m;
}

Result<ir::Module> decodeModule(std::span<const uint8_t> bytes, const ir::Features& features) {
  // The module keeps its own copy. A large one lands in fresh pages (malloc maps them): mapped
  // at once, not one fault per page (the copy was half of loading a 1.4 MB module's artifact).
  std::vector<uint8_t> copy;
  copy.reserve(bytes.size());
  support::populateForWrite(copy.data(), bytes.size());
  copy.assign(bytes.begin(), bytes.end());
  return decodeModule(std::move(copy), features);
}

Result<ir::Module> decodeModuleInPlace(std::span<const uint8_t> bytes, std::shared_ptr<const void> backing,
                                       const ir::Features& features, bool walk_bodies) {
  ir::Module m;
  m.bytes = support::Rows<uint8_t>::borrow(bytes);
  m.backing = std::move(backing);
  STRATA_CHECK(decodeInto(m, features, walk_bodies));
  return m;
}

}  // namespace strata::decode
