// Decoding of the `name` custom section (spec 7.4): module name, function names, local names.
#include "decode/module_decoder.h"

namespace strata::decode::detail {

namespace {

constexpr uint8_t kModuleNames = 0;
constexpr uint8_t kFunctionNames = 1;
constexpr uint8_t kLocalNames = 2;

// spec 7.4.1: a name map is a vector of (index, name) in strictly increasing index order.
Result<void> readNameMap(ByteReader& r, std::map<uint32_t, std::string>& out) {
  uint32_t n = STRATA_TRY(readLength(r));
  std::optional<uint32_t> last;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.offset();
    uint32_t index = STRATA_TRY(r.readVarU32());
    std::string_view name = STRATA_TRY(readUtf8Name(r));
    if (last && index <= *last) return malformed(at, "name map indices out of order");
    last = index;
    out.emplace_hint(out.end(), index, std::string(name));
  }
  return {};
}

Result<void> readIndirectNameMap(ByteReader& r, std::map<uint32_t, std::map<uint32_t, std::string>>& out) {
  uint32_t n = STRATA_TRY(readLength(r));
  std::optional<uint32_t> last;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.offset();
    uint32_t index = STRATA_TRY(r.readVarU32());
    if (last && index <= *last) return malformed(at, "name map indices out of order");
    last = index;
    STRATA_CHECK(readNameMap(r, out[index]));
  }
  return {};
}

Result<void> readSubsection(uint8_t id, ByteReader& r, ir::Names& names) {
  switch (id) {
    case kModuleNames: names.module = std::string(STRATA_TRY(readUtf8Name(r))); return {};
    case kFunctionNames: return readNameMap(r, names.functions);
    case kLocalNames: return readIndirectNameMap(r, names.locals);
    default: return r.skip(r.remaining());  // extended name subsections: not kept
  }
}

Result<ir::Names> readNames(std::span<const uint8_t> content, uint64_t offset) {
  // spec 7.4.1: subsections id:byte size:u32 contents, the known ones in increasing id order,
  // each at most once.
  ir::Names names;
  ByteReader r(content, offset);
  int last_known = -1;
  while (!r.atEnd()) {
    uint64_t at = r.offset();
    uint8_t id = STRATA_TRY(r.readU8());
    uint32_t size = STRATA_TRY(readLength(r));
    ByteReader sub(STRATA_TRY(r.readBytes(size)), r.offset() - size);
    if (id <= kLocalNames) {
      if (int(id) <= last_known) return malformed(at, "name subsections out of order");
      last_known = id;
    }
    STRATA_CHECK(readSubsection(id, sub, names));
    if (!sub.atEnd()) return malformed(sub.offset(), "section size mismatch");
  }
  return names;
}

}  // namespace

std::optional<ir::Names> decodeNameSection(std::span<const uint8_t> content, uint64_t offset) {
  auto names = readNames(content, offset);
  if (!names) return std::nullopt;
  return std::move(*names);
}

}  // namespace strata::decode::detail
