// Decoding of one instruction's opcode and immediates, and of the value, reference, heap and
// block types they mention (spec 5.3, 5.4). Every consumer of code goes through here.
#include "decode/instr.h"

#include <fmt/core.h>

#include <algorithm>

namespace strata::decode {

using ir::Feature;
using ir::Features;
using ir::Imm;

namespace {

constexpr const char* kUnexpectedEnd = "unexpected end of section or function";

// Spec 5.4: a disabled proposal's opcodes are malformed exactly like unassigned ones; the 2.0
// suite expects "illegal opcode" for, e.g., 0x0a (throw_ref) in a 2.0 module.
std::unexpected<Error> illegalOpcode(uint64_t offset, uint8_t prefix, uint32_t code) {
  if (prefix == 0) return malformed(offset, fmt::format("illegal opcode {:02x}", code));
  return malformed(offset, fmt::format("illegal opcode {:02x} {:02x}", prefix, code));
}

// A prefix byte only opens an opcode space when some proposal using it is on; otherwise the
// byte itself is the illegal opcode, as in a 2.0 decoder (no code is read after it).
bool prefixEnabled(uint8_t prefix, const Features& f) {
  switch (prefix) {
    case 0xfb: return f.has(Feature::Gc);
    case 0xfd: return f.has(Feature::Simd) || f.has(Feature::RelaxedSimd);
    case 0xfe: return f.has(Feature::Threads);
    default: return true;  // 0xfc: saturating conversions, bulk memory, tables (2.0)
  }
}

bool absHeapEnabled(ir::AbsHeap h, const Features& f) {
  switch (h) {
    case ir::AbsHeap::Func:
    case ir::AbsHeap::Extern: return f.has(Feature::ReferenceTypes);
    case ir::AbsHeap::Exn:
    case ir::AbsHeap::NoExn: return f.has(Feature::Exceptions);
    default: return f.has(Feature::Gc);
  }
}

// A reserved byte that must be 0x00 (spec 5.4: memory.size/grow and friends without
// multi-memory, call_indirect's table before reference types, atomic.fence, tag attributes).
// It is a byte, not a LEB128: 0x80 0x00 is malformed.
Result<uint32_t> readZeroByte(ByteReader& r) {
  uint64_t at = r.offset();
  uint8_t b = STRATA_TRY(r.readU8());
  if (b != 0) return malformed(at, "zero byte expected");
  return 0;
}

Result<uint32_t> readMemIndex(ByteReader& r, const Features& f) {
  if (f.has(Feature::MultiMemory)) return r.readVarU32();
  return readZeroByte(r);
}

// memarg (spec 5.4.7). With multi-memory, bit 6 of the flags announces an explicit memory
// index and flags of 128 or more are malformed (3.0); without it the flags are the alignment
// exponent alone and 32 or more is malformed (2.0 suite, align.wast).
Result<MemArg> readMemArg(ByteReader& r, const Features& f) {
  uint64_t at = r.offset();
  uint32_t flags = STRATA_TRY(r.readVarU32());
  MemArg m;
  if (f.has(Feature::MultiMemory)) {
    if (flags >= 0x80) return malformed(at, "malformed memop flags");
    if (flags & 0x40) m.memory = STRATA_TRY(r.readVarU32());
    m.align_log2 = flags & 0x3f;
  } else {
    if (flags >= 32) return malformed(at, "malformed memop flags");
    m.align_log2 = flags;
  }
  // Under memory64 the offset is a u64 and the validator checks it against the address type.
  if (f.has(Feature::Memory64)) m.offset = STRATA_TRY(r.readVarU64());
  else m.offset = STRATA_TRY(r.readVarU32());
  return m;
}

// Type constructors are one-byte negative s7 values (spec 5.3); the reference interpreter reads
// them as LEB128, so a first byte with the continuation bit set is "integer representation too
// long" there, whatever follows. The suite (binary-leb128.wast) expects that wording.
std::unexpected<Error> badTypeByte(uint64_t at, uint8_t b, const char* msg) {
  return malformed(at, (b & 0x80) ? "integer representation too long" : msg);
}

Result<void> readFixed(ByteReader& r, uint8_t* out, size_t n) {
  auto bytes = STRATA_TRY(r.readBytes(n));
  std::copy(bytes.begin(), bytes.end(), out);
  return {};
}

}  // namespace

Result<uint32_t> readLength(ByteReader& r) {
  uint64_t at = r.offset();
  uint32_t n = STRATA_TRY(r.readVarU32());
  if (n > r.remaining() + (r.offset() - at)) return malformed(at, "length out of bounds");
  return n;
}

Result<std::string_view> readUtf8Name(ByteReader& r) {
  uint64_t at = r.offset();
  uint32_t n = STRATA_TRY(readLength(r));
  auto bytes = STRATA_TRY(r.readBytes(n));
  std::string_view s(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!isValidUtf8(s)) return malformed(at, "malformed UTF-8 encoding");
  return s;
}

Result<ir::HeapType> readHeapType(ByteReader& r, const Features& f) {
  // spec 5.3.3: s33; non-negative is a type index (typed function references), negative is an
  // abstract heap type written as one byte 0x69..0x74.
  const char* msg = f.has(Feature::FunctionReferences) ? "malformed heap type" : "malformed reference type";
  uint64_t at = r.offset();
  int64_t v = STRATA_TRY(r.readVarS33());
  if (v >= 0) {
    if (!f.has(Feature::FunctionReferences)) return malformed(at, msg);
    if (uint64_t(v) >= ir::HeapType::kAbsBase) return invalid(at, "unknown type");
    return ir::HeapType::index(uint32_t(v));
  }
  bool one_byte = r.offset() - at == 1;
  int64_t byte = v + 0x80;
  if (!one_byte || byte < int64_t(ir::AbsHeap::Exn) || byte > int64_t(ir::AbsHeap::NoExn)) return malformed(at, msg);
  auto h = ir::AbsHeap(byte);
  if (!absHeapEnabled(h, f)) return malformed(at, msg);
  return ir::HeapType::abs(h);
}

namespace {

// Reference types (spec 5.3.4): 0x63 ht (ref null ht), 0x64 ht (ref ht), or a one-byte
// abbreviation of a nullable abstract reference (0x70 funcref, 0x6f externref, ...).
Result<ir::ValType> readRefTypeOr(ByteReader& r, const Features& f, const char* msg) {
  uint64_t at = r.offset();
  uint8_t b = STRATA_TRY(r.readU8());
  if (b == 0x63 || b == 0x64) {
    if (!f.has(Feature::FunctionReferences)) return malformed(at, msg);
    ir::HeapType h = STRATA_TRY(readHeapType(r, f));
    return ir::ValType::ref(h, b == 0x63);
  }
  if (b >= uint8_t(ir::AbsHeap::Exn) && b <= uint8_t(ir::AbsHeap::NoExn) && absHeapEnabled(ir::AbsHeap(b), f))
    return ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap(b)), true);
  return badTypeByte(at, b, msg);
}

}  // namespace

Result<ir::ValType> readRefType(ByteReader& r, const Features& f) {
  // A table's element type (and an element segment's) was funcref, 0x70, before reference
  // types made it a value type too (spec 1.0 5.3.4 elemtype): accept it here without the
  // feature; readValType still rejects it then.
  if (!f.has(Feature::ReferenceTypes) && STRATA_TRY(r.peekU8()) == 0x70) {
    STRATA_CHECK(r.skip(1));
    return ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), true);
  }
  return readRefTypeOr(r, f, "malformed reference type");
}

Result<ir::ValType> readValType(ByteReader& r, const Features& f) {
  // spec 5.3.5: number and vector types are single bytes; the rest are reference types.
  uint8_t b = STRATA_TRY(r.peekU8());
  ir::ValType t;
  switch (b) {
    case 0x7f: t = ir::ValType::i32(); break;
    case 0x7e: t = ir::ValType::i64(); break;
    case 0x7d: t = ir::ValType::f32(); break;
    case 0x7c: t = ir::ValType::f64(); break;
    case 0x7b:
      if (!f.has(Feature::Simd)) return badTypeByte(r.offset(), b, "malformed value type");
      t = ir::ValType::v128();
      break;
    default: return readRefTypeOr(r, f, "malformed value type");
  }
  STRATA_CHECK(r.skip(1));
  return t;
}

Result<BlockType> readBlockType(ByteReader& r, const Features& f) {
  // spec 5.4.1: 0x40 (empty), a value type (one byte in 0x40..0x7f, i.e. a negative s33), or a
  // non-negative s33 type index (multi-value).
  BlockType bt;
  uint64_t at = r.offset();
  uint8_t b = STRATA_TRY(r.peekU8());
  if (b == 0x40) {
    STRATA_CHECK(r.skip(1));
    bt.kind = BlockType::Kind::Empty;
    return bt;
  }
  if ((b & 0xc0) == 0x40) {
    bt.kind = BlockType::Kind::Value;
    bt.value = STRATA_TRY(readValType(r, f));
    return bt;
  }
  int64_t v = STRATA_TRY(r.readVarS33());
  if (v < 0 || !f.has(Feature::MultiValue)) return malformed(at, "malformed block type");
  bt.kind = BlockType::Kind::Index;
  bt.index = uint32_t(v);
  return bt;
}

namespace {

// br_table targets, typed select types and try_table catches: vectors kept by the reader.
Result<void> readBrTable(ByteReader& r, std::vector<uint32_t>& out) {
  uint32_t n = STRATA_TRY(readLength(r));
  out.clear();
  out.reserve(size_t(n) + 1);
  for (uint32_t i = 0; i <= n; ++i) out.push_back(STRATA_TRY(r.readVarU32()));  // last: default
  return {};
}

Result<void> readSelectTypes(ByteReader& r, const Features& f, std::vector<ir::ValType>& out) {
  uint32_t n = STRATA_TRY(readLength(r));
  out.clear();
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) out.push_back(STRATA_TRY(readValType(r, f)));
  return {};
}

Result<void> readCatches(ByteReader& r, std::vector<CatchClause>& out) {
  // spec 5.4.1 (exception handling): catch x l | catch_ref x l | catch_all l | catch_all_ref l.
  uint32_t n = STRATA_TRY(readLength(r));
  out.clear();
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.offset();
    uint8_t kind = STRATA_TRY(r.readU8());
    if (kind > 3) return malformed(at, "malformed catch clause");
    CatchClause c;
    c.kind = CatchClause::Kind(kind);
    if (kind < 2) c.tag = STRATA_TRY(r.readVarU32());
    c.label = STRATA_TRY(r.readVarU32());
    out.push_back(c);
  }
  return {};
}

// br_on_cast / br_on_cast_fail (spec 5.4.6): flags (bit 0: source nullable, bit 1: target
// nullable), label, source heap type, target heap type.
Result<void> readBrOnCast(ByteReader& r, const Features& f, Instr& out) {
  uint64_t at = r.offset();
  uint8_t flags = STRATA_TRY(r.readU8());
  if (flags & 0xfc) return malformed(at, "malformed br_on_cast flags");
  out.idx = STRATA_TRY(r.readVarU32());
  out.heap = STRATA_TRY(readHeapType(r, f));
  out.heap2 = STRATA_TRY(readHeapType(r, f));
  out.null1 = flags & 1;
  out.null2 = flags & 2;
  return {};
}

// Immediates that are two plain u32 indices (spec 5.4: table.init, array.copy, ...).
Result<void> readTwoIndices(ByteReader& r, Instr& out) {
  out.idx = STRATA_TRY(r.readVarU32());
  out.idx2 = STRATA_TRY(r.readVarU32());
  return {};
}

}  // namespace

Result<void> InstrReader::next(Instr& out) {
  auto result = readInstr(out);
  // Running off the end of a body or expression: the reference interpreter's wording.
  if (!result && result.error().message == "unexpected end") result.error().message = kUnexpectedEnd;
  return result;
}

Result<void> InstrReader::readInstr(Instr& out) {
  out.offset = r_.offset();
  uint8_t b = STRATA_TRY(r_.readU8());
  if (!ir::isPrefixByte(b)) {  // the common case, without the general lookup's call
    uint16_t v = ir::kSingleByteOpcodes[b];
    if (v == 0xffff || !features_->has(ir::kOpcodeInfos[v].feature)) return illegalOpcode(out.offset, 0, b);
    out.op = ir::Opcode(v);
    return readImmediates(ir::kOpcodeInfos[v].imm, out);
  }
  uint8_t prefix = 0;
  uint32_t code = b;
  if (ir::isPrefixByte(b)) {
    if (!prefixEnabled(b, *features_)) return illegalOpcode(out.offset, 0, b);
    prefix = b;
    code = STRATA_TRY(r_.readVarU32());
  }
  auto op = ir::opcodeFromBinary(prefix, code);
  if (!op || !features_->has(ir::opcodeInfo(*op).feature)) return illegalOpcode(out.offset, prefix, code);
  out.op = *op;
  return readImmediates(ir::opcodeInfo(*op).imm, out);
}

Result<void> InstrReader::readImmediates(Imm imm, Instr& out) {
  ByteReader& r = r_;
  const Features& f = *features_;
  switch (imm) {
    case Imm::None: return {};
    case Imm::BlockType: out.block = STRATA_TRY(readBlockType(r, f)); return {};
    case Imm::Label:
    case Imm::Func:
    case Imm::Type:
    case Imm::Local:
    case Imm::Global:
    case Imm::Table:
    case Imm::Tag:
    case Imm::Elem:
    case Imm::Data: out.idx = STRATA_TRY(r.readVarU32()); return {};
    case Imm::BrTable: return readBrTable(r, br_targets_);
    case Imm::CallIndirect:
      out.idx = STRATA_TRY(r.readVarU32());
      // Before reference types the table index was a reserved zero byte (spec 2.0 MVP form).
      out.idx2 = f.has(Feature::ReferenceTypes) ? STRATA_TRY(r.readVarU32()) : STRATA_TRY(readZeroByte(r));
      return {};
    case Imm::Memory: out.idx = STRATA_TRY(readMemIndex(r, f)); return {};
    case Imm::MemArg: out.mem = STRATA_TRY(readMemArg(r, f)); return {};
    case Imm::MemArgLane:
      out.mem = STRATA_TRY(readMemArg(r, f));
      out.lane = STRATA_TRY(r.readU8());
      return {};
    case Imm::I32: out.i32 = STRATA_TRY(r.readVarS32()); return {};
    case Imm::I64: out.i64 = STRATA_TRY(r.readVarS64()); return {};
    case Imm::F32: out.f32_bits = STRATA_TRY(r.readFixedU32()); return {};
    case Imm::F64: out.f64_bits = STRATA_TRY(r.readFixedU64()); return {};
    case Imm::V128:
    case Imm::Shuffle: return readFixed(r, out.v128.data(), 16);
    case Imm::Lane: out.lane = STRATA_TRY(r.readU8()); return {};
    case Imm::HeapType:
    case Imm::RefHeap: out.heap = STRATA_TRY(readHeapType(r, f)); return {};
    case Imm::SelectT: return readSelectTypes(r, f, select_types_);
    case Imm::TryTable:
      out.block = STRATA_TRY(readBlockType(r, f));
      return readCatches(r, catches_);
    case Imm::TableInit:
    case Imm::TableCopy:
    case Imm::StructField:
    case Imm::TypeType:
    case Imm::TypeData:
    case Imm::TypeElem:
    case Imm::TypeCount: return readTwoIndices(r, out);
    case Imm::MemoryInit:
      out.idx = STRATA_TRY(r.readVarU32());
      out.idx2 = STRATA_TRY(readMemIndex(r, f));
      return {};
    case Imm::MemoryCopy:
      out.idx = STRATA_TRY(readMemIndex(r, f));
      out.idx2 = STRATA_TRY(readMemIndex(r, f));
      return {};
    case Imm::BrOnCast: return readBrOnCast(r, f, out);
    case Imm::Zero: out.idx = STRATA_TRY(readZeroByte(r)); return {};
  }
  return {};
}

}  // namespace strata::decode
