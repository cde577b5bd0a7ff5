// The `name` custom section (spec 7.4): module, function and local name subsections.
#include "encode/encoder.h"

#include <map>
#include <string>

namespace strata::encode {

namespace {

// namemap (spec 7.4.2): vec(idx name), indices in increasing order (std::map keeps them so).
void writeNameMap(ByteWriter& w, const std::map<uint32_t, std::string>& names) {
  w.varU32(uint32_t(names.size()));
  for (const auto& [index, name] : names) {
    w.varU32(index);
    w.name(name);
  }
}

void writeSubsection(ByteWriter& w, uint8_t id, const std::vector<uint8_t>& contents) {
  w.u8(id);
  w.varU32(uint32_t(contents.size()));
  w.bytes(contents);
}

}  // namespace

std::vector<uint8_t> encodeNameSection(const ir::Names& names) {
  // spec 7.4.1: subsections in increasing id order, each at most once: 0 module, 1 function,
  // 2 local names.
  std::vector<uint8_t> out;
  ByteWriter w(out);
  std::vector<uint8_t> sub;
  ByteWriter s(sub);
  if (names.module) {
    s.name(*names.module);
    writeSubsection(w, 0, sub);
  }
  if (!names.functions.empty()) {
    sub.clear();
    writeNameMap(s, names.functions);
    writeSubsection(w, 1, sub);
  }
  if (!names.locals.empty()) {
    sub.clear();
    // indirectnamemap: vec(idx namemap)
    s.varU32(uint32_t(names.locals.size()));
    for (const auto& [func, locals] : names.locals) {
      s.varU32(func);
      writeNameMap(s, locals);
    }
    writeSubsection(w, 2, sub);
  }
  return out;
}

}  // namespace strata::encode
