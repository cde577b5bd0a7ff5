// Tables generated from opcodes.def: info per opcode, binary and text lookups.
#include "ir/opcodes.h"

#include <array>
#include <string>
#include <unordered_map>

namespace strata::ir {

constexpr OpcodeInfo kOpcodeInfos[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) \
  {#name, text, prefix, code, Imm::imm, params, results, Feature::feature},
#include "ir/opcodes.def"
#undef OP
};
static_assert(std::size(kOpcodeInfos) == kNumOpcodes);

namespace {

constexpr const OpcodeInfo* kInfos = kOpcodeInfos;

// Codes after a prefix stay below 0x200 for every proposal we know (relaxed SIMD ends at 0x113).
constexpr uint32_t kMaxPrefixedCode = 0x200;

// The binary lookups are built by the compiler (read-only data): built at run time, they were
// a few thousand stores and a hash table at every process's first decoded instruction.
struct BinaryLookup {
  std::array<uint16_t, 256> single;
  std::array<std::array<uint16_t, kMaxPrefixedCode>, 4> prefixed;  // 0xfb..0xfe
};

constexpr BinaryLookup makeBinaryLookup() {
  BinaryLookup l{};
  l.single.fill(0xffff);
  for (auto& p : l.prefixed) p.fill(0xffff);
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    const OpcodeInfo& info = kInfos[i];
    if (info.prefix == 0) l.single[info.code] = uint16_t(i);
    else l.prefixed[info.prefix - 0xfb][info.code] = uint16_t(i);
  }
  return l;
}

constexpr BinaryLookup kBinary = makeBinaryLookup();

// The text parser's lookup, built on its first use.
const std::unordered_map<std::string_view, uint16_t>& textLookup() {
  static const auto table = [] {
    std::unordered_map<std::string_view, uint16_t> m;
    for (unsigned i = 0; i < kNumOpcodes; ++i) m.emplace(kInfos[i].text, uint16_t(i));
    return m;
  }();
  return table;
}

}  // namespace

constexpr std::array<uint16_t, 256> kSingleByteOpcodes = kBinary.single;

std::optional<Opcode> opcodeFromBinary(uint8_t prefix, uint32_t code) {
  const BinaryLookup& l = kBinary;
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
  const auto& l = textLookup();
  auto it = l.find(text);
  if (it == l.end()) return std::nullopt;
  return Opcode(it->second);
}

}  // namespace strata::ir
