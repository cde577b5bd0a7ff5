// Decoding of one instruction (opcode + immediates) from the binary format (spec 5.4). Shared by
// the module decoder (to delimit constant expressions), the validator's function-body reader
// and every tier, so that immediates are decoded in exactly one place.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ir/features.h"
#include "ir/opcodes.h"
#include "ir/types.h"
#include "support/byte_reader.h"

namespace strata::decode {

// Block type (spec 5.4.1): empty, a single value type, or a type index (multi-value).
struct BlockType {
  enum class Kind : uint8_t { Empty, Value, Index } kind = Kind::Empty;
  ir::ValType value{};
  uint32_t index = 0;
};

struct MemArg {
  uint32_t align_log2 = 0;  // the alignment exponent as encoded (bit 6 stripped)
  uint32_t memory = 0;      // memory index (multi-memory: present when bit 6 of align is set)
  uint64_t offset = 0;      // u64 under memory64, else u32 range
};

// try_table catch clause (spec 5.4.1, exception handling).
struct CatchClause {
  enum class Kind : uint8_t { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 } kind{};
  uint32_t tag = 0;  // unused for catch_all*
  uint32_t label = 0;
};

// One decoded instruction. Which fields are meaningful follows ir::Imm of the opcode:
//   Label/Func/Type/Local/Global/Table/Memory/Tag/Elem/Data: idx
//   CallIndirect: idx = typeidx, idx2 = tableidx
//   TableInit: idx = elemidx, idx2 = tableidx      TableCopy: idx = dst, idx2 = src
//   MemoryInit: idx = dataidx, idx2 = memidx       MemoryCopy: idx = dst, idx2 = src
//   StructField: idx = typeidx, idx2 = fieldidx    TypeType: idx = dst type, idx2 = src type
//   TypeData/TypeElem: idx = typeidx, idx2 = data/elem idx   TypeCount: idx = typeidx, idx2 = count
//   I32: i32  I64: i64  F32: f32_bits  F64: f64_bits  V128/Shuffle: v128  Lane: lane
//   MemArg: mem  MemArgLane: mem + lane  BlockType: block  TryTable: block + catches
//   BrTable: targets (last one is the default)  SelectT: types
//   HeapType: heap  RefHeap: heap (nullability from the opcode)
//   BrOnCast: idx = label, heap/null1 = source type, heap2/null2 = target type
struct Instr {
  ir::Opcode op = ir::Opcode(0);
  uint64_t offset = 0;  // absolute offset of the first opcode byte
  uint32_t idx = 0;
  uint32_t idx2 = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  uint32_t f32_bits = 0;
  uint64_t f64_bits = 0;
  std::array<uint8_t, 16> v128{};
  uint8_t lane = 0;
  MemArg mem;
  BlockType block;
  ir::HeapType heap{};
  ir::HeapType heap2{};
  bool null1 = false;
  bool null2 = false;
};

// Reads instructions one at a time from a body or constant expression. Variable-length
// immediates (br_table targets, select types, catch clauses) go into vectors owned by the
// reader and reused, so decoding allocates nothing in the steady state.
class InstrReader {
 public:
  InstrReader(ByteReader reader, const ir::Features& features) : r_(reader), features_(&features) {}

  bool atEnd() const { return r_.atEnd(); }
  uint64_t offset() const { return r_.offset(); }
  ByteReader& bytes() { return r_; }
  const ByteReader& bytes() const { return r_; }

  // Decodes the next instruction into `out`. Errors (all Malformed, spec suite wording):
  // "unexpected end of section or function" (starts with "unexpected end"), "illegal opcode XX"
  // (also for opcodes of a disabled proposal), "zero byte expected", "malformed memop flags",
  // "integer representation too long", "integer too large", "malformed reference type", ...
  Result<void> next(Instr& out);

  const std::vector<uint32_t>& brTargets() const { return br_targets_; }
  const std::vector<ir::ValType>& selectTypes() const { return select_types_; }
  const std::vector<CatchClause>& catches() const { return catches_; }

 private:
  Result<void> readInstr(Instr& out);
  Result<void> readImmediates(ir::Imm imm, Instr& out);

  ByteReader r_;
  const ir::Features* features_;
  std::vector<uint32_t> br_targets_;
  std::vector<ir::ValType> select_types_;
  std::vector<CatchClause> catches_;
};

// Type readers shared with the module decoder (spec 5.3). A type whose proposal is disabled is
// malformed with the same message as an unknown encoding.
Result<ir::ValType> readValType(ByteReader& r, const ir::Features& features);
Result<ir::ValType> readRefType(ByteReader& r, const ir::Features& features);  // "malformed reference type"
Result<ir::HeapType> readHeapType(ByteReader& r, const ir::Features& features);
Result<BlockType> readBlockType(ByteReader& r, const ir::Features& features);

// The length of a vector, name or byte string (spec 5.1.3). "length out of bounds" when it
// exceeds the bytes left counted from the length's own first byte, as the reference interpreter
// counts (the suite's messages depend on it).
Result<uint32_t> readLength(ByteReader& r);
// A name (spec 5.2.4): "length out of bounds", then "malformed UTF-8 encoding".
Result<std::string_view> readUtf8Name(ByteReader& r);

}  // namespace strata::decode
