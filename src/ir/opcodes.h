// The opcode enum and per-opcode facts, all generated from opcodes.def (see that file's header).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ir/features.h"

namespace strata::ir {

// Kinds of immediates that follow an opcode in the binary format (spec 5.4).
enum class Imm : uint8_t {
  None,
  BlockType,     // blocktype (s33): block, loop, if, try
  Label,         // labelidx: br, br_if, br_on_null, br_on_non_null, rethrow, delegate
  BrTable,       // vec(labelidx) labelidx
  Func,          // funcidx: call, return_call, ref.func
  CallIndirect,  // typeidx tableidx
  Type,          // typeidx: call_ref, struct.new, array.new, array.get, ...
  Local,         // localidx
  Global,        // globalidx
  Table,         // tableidx: table.get/set/size/grow/fill
  Memory,        // memidx: memory.size, memory.grow, memory.fill
  MemArg,        // memarg (align with multi-memory bit 6, [memidx], offset)
  MemArgLane,    // memarg + lane index byte: v128.load8_lane ...
  I32,           // i32.const (s32)
  I64,           // i64.const (s64)
  F32,           // f32.const (4 bytes)
  F64,           // f64.const (8 bytes)
  V128,          // v128.const (16 bytes)
  Lane,          // lane index byte: extract_lane/replace_lane
  Shuffle,       // 16 lane index bytes
  HeapType,      // heaptype: ref.null
  SelectT,       // vec(valtype): typed select
  Tag,           // tagidx: throw, catch (legacy)
  TryTable,      // blocktype vec(catch)
  TableInit,     // elemidx tableidx
  TableCopy,     // tableidx tableidx (dst, src)
  Elem,          // elemidx: elem.drop
  Data,          // dataidx: data.drop
  MemoryInit,    // dataidx memidx
  MemoryCopy,    // memidx memidx (dst, src)
  StructField,   // typeidx fieldidx
  TypeType,      // typeidx typeidx: array.copy
  TypeData,      // typeidx dataidx: array.new_data, array.init_data
  TypeElem,      // typeidx elemidx: array.new_elem, array.init_elem
  TypeCount,     // typeidx u32: array.new_fixed
  RefHeap,       // heaptype: ref.test, ref.cast (nullability is in the opcode)
  BrOnCast,      // castflags labelidx heaptype heaptype
  Zero,          // a reserved 0x00 byte: atomic.fence
};

enum class Opcode : uint16_t {
#define OP(name, prefix, code, text, imm, params, results, feature) name,
#include "ir/opcodes.def"
#undef OP
  Count
};

inline constexpr unsigned kNumOpcodes = unsigned(Opcode::Count);

struct OpcodeInfo {
  std::string_view name;  // CamelCase enum name
  std::string_view text;  // text-format keyword, e.g. "i32.add"
  uint8_t prefix;         // 0 for single-byte opcodes, else 0xfb..0xfe
  uint32_t code;          // byte (or LEB128 u32 after the prefix)
  Imm imm;
  // Fixed signature, one letter per value: i i32, l i64, f f32, d f64, v v128,
  // a the address type of the memory named by the immediate (i32 or i64).
  // "*" in params means the validator checks this opcode by hand.
  std::string_view params;
  std::string_view results;
  Feature feature;
};

// The table itself (opcodes.cc), visible so that the lookup inlines: the validator and every
// tier ask it once or more per instruction.
extern const OpcodeInfo kOpcodeInfos[];
inline const OpcodeInfo& opcodeInfo(Opcode op) { return kOpcodeInfos[unsigned(op)]; }
inline std::string_view opcodeText(Opcode op) { return opcodeInfo(op).text; }

// Binary lookup: prefix 0 with a single byte, or a prefix byte (0xfb..0xfe) and a u32 code.
std::optional<Opcode> opcodeFromBinary(uint8_t prefix, uint32_t code);
// The single-byte part of that lookup (0xffff: no opcode), visible so that the decoder's
// common case inlines.
extern const std::array<uint16_t, 256> kSingleByteOpcodes;
inline bool isPrefixByte(uint8_t b) { return b >= 0xfb && b <= 0xfe; }
// Text lookup by keyword ("i32.add").
std::optional<Opcode> opcodeFromText(std::string_view text);
// Whether the signature is fixed (checked from the table) rather than hand-validated.
inline bool hasFixedSignature(Opcode op) { return opcodeInfo(op).params != "*"; }

// Whether CompileOptions::nan_canonicalization applies to op's result: a scalar float that
// arithmetic computes from scalar operands (conversions included). abs, neg, copysign and the
// reinterpretations only move bits and keep theirs (spec 4.3.3 NaN propagation); vector float
// rows make NaN lanes canonical always on the interpreter (src/sem) and under the option on the
// machine-code tiers. Every tier asks this one predicate.
inline bool canonicalizesNan(Opcode op) {
  const OpcodeInfo& i = opcodeInfo(op);
  if ((i.results != "f" && i.results != "d") || i.imm != Imm::None) return false;
  if (i.params.find_first_of("v*") != std::string_view::npos) return false;
  std::string_view t = i.text;
  return !t.ends_with(".abs") && !t.ends_with(".neg") && !t.ends_with(".copysign") &&
         t.find("reinterpret") == std::string_view::npos;
}

}  // namespace strata::ir
