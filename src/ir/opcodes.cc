// Tables generated from opcodes.def: info per opcode, binary and text lookups.
#include "ir/opcodes.h"

#include <array>
#include <string>
#include <unordered_map>

namespace strata::ir {

namespace {

constexpr OpcodeInfo kInfos[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) \
  {#name, text, prefix, code, Imm::imm, params, results, Feature::feature},
#include "ir/opcodes.def"
#undef OP
};
static_assert(std::size(kInfos) == kNumOpcodes);

// Codes after a prefix stay below 0x200 for every proposal we know (relaxed SIMD ends at 0x113).
constexpr uint32_t kMaxPrefixedCode = 0x200;

struct Lookup {
  std::array<uint16_t, 256> single;
  std::array<std::array<uint16_t, kMaxPrefixedCode>, 4> prefixed;  // 0xfb..0xfe
  std::unordered_map<std::string_view, uint16_t> text;

  Lookup() {
    single.fill(0xffff);
    for (auto& p : prefixed) p.fill(0xffff);
    for (unsigned i = 0; i < kNumOpcodes; ++i) {
      const OpcodeInfo& info = kInfos[i];
      if (info.prefix == 0) single[info.code] = uint16_t(i);
      else prefixed[info.prefix - 0xfb][info.code] = uint16_t(i);
      text.emplace(info.text, uint16_t(i));
    }
  }
};

const Lookup& lookup() {
  static const Lookup table;
  return table;
}

}  // namespace

const OpcodeInfo& opcodeInfo(Opcode op) { return kInfos[unsigned(op)]; }

std::optional<Opcode> opcodeFromBinary(uint8_t prefix, uint32_t code) {
  const Lookup& l = lookup();
  uint16_t v;
  if (prefix == 0) {
    if (code > 0xff) return std::nullopt;
    v = l.single[code];
  } else {
    if (!isPrefixByte(prefix) || code >= kMaxPrefixedCode) return std::nullopt;
    v = l.prefixed[prefix - 0xfb][code];
  }
  if (v == 0xffff) return std::nullopt;
  return Opcode(v);
}

std::optional<Opcode> opcodeFromText(std::string_view text) {
  const Lookup& l = lookup();
  auto it = l.text.find(text);
  if (it == l.text.end()) return std::nullopt;
  return Opcode(it->second);
}

}  // namespace strata::ir
