// Tests of one-instruction decoding and the type readers (instr.cc, spec 5.3 and 5.4).
#include "decode/instr.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata::decode {
namespace {

using Bytes = std::vector<uint8_t>;
using ir::Opcode;

// Decodes the single instruction in `b` (placed at absolute offset 100) and checks that it used
// every byte.
struct Decoded {
  Instr in;
  InstrReader reader;
};

Result<Decoded> decodeOne(const Bytes& b, const ir::Features& f = ir::Features::all()) {
  Decoded d{{}, InstrReader(ByteReader(std::span<const uint8_t>(b), 100), f)};
  STRATA_CHECK(d.reader.next(d.in));
  EXPECT_TRUE(d.reader.atEnd()) << "bytes left after the instruction";
  return d;
}

void expectError(const Bytes& b, const std::string& message, uint64_t offset,
                 const ir::Features& f = ir::Features::all()) {
  Instr in;
  InstrReader r(ByteReader(std::span<const uint8_t>(b), 100), f);
  auto res = r.next(in);
  ASSERT_FALSE(res) << "decoded, expected \"" << message << "\"";
  EXPECT_EQ(res.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(res.error().message, message);
  EXPECT_EQ(res.error().offset, offset);
}

TEST(InstrReader, PlainAndIndexImmediates) {
  auto d = decodeOne({0x6a});  // i32.add
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.op, Opcode::I32Add);
  EXPECT_EQ(d->in.offset, 100u);
  d = decodeOne({0x20, 0xe5, 0x8e, 0x26});  // local.get 624485
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.op, Opcode::LocalGet);
  EXPECT_EQ(d->in.idx, 624485u);
  d = decodeOne({0xfc, 0x0c, 0x02, 0x03});  // table.init elem 2, table 3
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.op, Opcode::TableInit);
  EXPECT_EQ(d->in.idx, 2u);
  EXPECT_EQ(d->in.idx2, 3u);
  d = decodeOne({0xfb, 0x02, 0x04, 0x01});  // struct.get type 4, field 1
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.op, Opcode::StructGet);
  EXPECT_EQ(d->in.idx2, 1u);
}

TEST(InstrReader, Constants) {
  auto d = decodeOne({0x41, 0x7f});  // i32.const -1
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.i32, -1);
  d = decodeOne({0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f});  // i64.const INT64_MIN
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.i64, INT64_MIN);
  d = decodeOne({0x43, 0x00, 0x00, 0x80, 0x3f});  // f32.const 1.0
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.f32_bits, 0x3f800000u);
  d = decodeOne({0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f});  // f64.const 1.0
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.f64_bits, 0x3ff0000000000000u);
  d = decodeOne({0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});  // v128.const
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.v128[15], 16);
}

TEST(InstrReader, MemArg) {
  auto d = decodeOne({0x28, 0x02, 0x10});  // i32.load align=4 offset=16
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.mem.align_log2, 2u);
  EXPECT_EQ(d->in.mem.memory, 0u);
  EXPECT_EQ(d->in.mem.offset, 16u);
  d = decodeOne({0x28, 0x42, 0x03, 0x00});  // i32.load flags 0x42: align 2, memory 3 follows
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.mem.align_log2, 2u);
  EXPECT_EQ(d->in.mem.memory, 3u);
  // memory64: the offset is a u64.
  d = decodeOne({0x29, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.mem.offset, ~uint64_t{0});
  d = decodeOne({0xfd, 0x54, 0x00, 0x08, 0x0f});  // v128.load8_lane align=1 offset=8 lane 15
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.mem.offset, 8u);
  EXPECT_EQ(d->in.lane, 15);
}

TEST(InstrReader, MemArgErrors) {
  expectError({0x28, 0x80, 0x01, 0x00}, "malformed memop flags", 101);  // flags 128
  // 2.0: no memory index bit, and alignment 2**32 is already malformed.
  expectError({0x28, 0x20, 0x00}, "malformed memop flags", 101, ir::Features::wasm2());
  expectError({0x28, 0x42, 0x00}, "malformed memop flags", 101, ir::Features::wasm2());
  // 2.0: the offset is a u32.
  expectError({0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10}, "integer too large", 102, ir::Features::wasm2());
}

TEST(InstrReader, ReservedZeroBytes) {
  // Without multi-memory, memory.size/grow/fill and memory.init/copy carry a reserved byte.
  ir::Features f = ir::Features::wasm2();
  expectError({0x3f, 0x01}, "zero byte expected", 101, f);        // memory.size 1
  expectError({0x40, 0x80, 0x00}, "zero byte expected", 101, f);  // memory.grow, long zero
  expectError({0xfc, 0x0a, 0x00, 0x01}, "zero byte expected", 103, f);  // memory.copy 0 1
  auto d = decodeOne({0x3f, 0x02});  // memory.size 2 with multi-memory
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.idx, 2u);
  // Before reference types, call_indirect's table was a reserved byte too.
  f.set(ir::Feature::ReferenceTypes, false);
  expectError({0x11, 0x00, 0x01}, "zero byte expected", 102, f);
  expectError({0xfe, 0x03, 0x01}, "zero byte expected", 102, ir::Features::everything());  // atomic.fence
}

TEST(InstrReader, IllegalOpcodes) {
  expectError({0xff}, "illegal opcode ff", 100);
  expectError({0x27}, "illegal opcode 27", 100);
  expectError({0xfc, 0x12}, "illegal opcode fc 12", 100);
  expectError({0xfd, 0x9a, 0x01}, "illegal opcode fd 9a", 100);
  // A disabled proposal's opcode is as illegal as an unassigned one, and its prefix byte alone
  // is the illegal opcode.
  ir::Features f = ir::Features::wasm2();
  expectError({0x0a}, "illegal opcode 0a", 100, f);  // throw_ref
  expectError({0x12, 0x00}, "illegal opcode 12", 100, f);  // return_call
  expectError({0xfb, 0x00, 0x00}, "illegal opcode fb", 100, f);  // struct.new
  expectError({0xfe, 0x03, 0x00}, "illegal opcode fe", 100, f);  // atomic.fence
  expectError({0xfc, 0x13}, "illegal opcode fc 13", 100, f);    // i64.add128
  EXPECT_TRUE(decodeOne({0xfc, 0x00}, f));                       // i32.trunc_sat_f32_s is 2.0
}

TEST(InstrReader, UnexpectedEnd) {
  expectError({}, "unexpected end of section or function", 100);
  expectError({0x41}, "unexpected end of section or function", 101);           // i32.const without value
  expectError({0x44, 0x00, 0x00}, "unexpected end of section or function", 101);  // f64.const short
  expectError({0xfc}, "unexpected end of section or function", 101);
}

TEST(InstrReader, BlockTypes) {
  auto d = decodeOne({0x02, 0x40});  // block (empty)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.block.kind, BlockType::Kind::Empty);
  d = decodeOne({0x03, 0x7e});  // loop (result i64)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.block.kind, BlockType::Kind::Value);
  EXPECT_EQ(d->in.block.value, ir::ValType::i64());
  d = decodeOne({0x04, 0x80, 0x01});  // if (type 128)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.block.kind, BlockType::Kind::Index);
  EXPECT_EQ(d->in.block.index, 128u);
  d = decodeOne({0x02, 0x63, 0x05});  // block (result (ref null 5))
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.block.value, ir::ValType::ref(ir::HeapType::index(5), true));
  expectError({0x02, 0x5f}, "malformed value type", 101);              // 0x5f is struct, not a value type
  expectError({0x02, 0xff, 0x7f}, "malformed block type", 101);       // s33 -1 in two bytes
}

TEST(InstrReader, VariableLengthImmediates) {
  auto d = decodeOne({0x0e, 0x02, 0x00, 0x01, 0x05});  // br_table 0 1 default 5
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reader.brTargets(), (std::vector<uint32_t>{0, 1, 5}));
  d = decodeOne({0x1c, 0x02, 0x7f, 0x70});  // select (result i32 funcref)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reader.selectTypes(), (std::vector<ir::ValType>{ir::ValType::i32(), ir::ValType::funcref()}));
  d = decodeOne({0x1f, 0x40, 0x02,  // try_table (empty), 2 catches
                 0x00, 0x03, 0x01,  // catch tag 3 label 1
                 0x02, 0x04});      // catch_all label 4
  ASSERT_TRUE(d);
  ASSERT_EQ(d->reader.catches().size(), 2u);
  EXPECT_EQ(d->reader.catches()[0].tag, 3u);
  EXPECT_EQ(d->reader.catches()[1].kind, CatchClause::Kind::CatchAll);
  EXPECT_EQ(d->reader.catches()[1].label, 4u);
  expectError({0x1f, 0x40, 0x01, 0x04, 0x00}, "malformed catch clause", 103);
  expectError({0x0e, 0x10, 0x00}, "length out of bounds", 101);  // 16 targets, 1 byte left
}

TEST(InstrReader, ReferenceImmediates) {
  auto d = decodeOne({0xd0, 0x6f});  // ref.null extern
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.heap, ir::HeapType::abs(ir::AbsHeap::Extern));
  d = decodeOne({0xd0, 0x07});  // ref.null 7
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.heap, ir::HeapType::index(7));
  d = decodeOne({0xfb, 0x18, 0x02, 0x01, 0x6e, 0x03});  // br_on_cast 1 (ref any) (ref null 3)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->in.op, Opcode::BrOnCast);
  EXPECT_EQ(d->in.idx, 1u);
  EXPECT_EQ(d->in.heap, ir::HeapType::abs(ir::AbsHeap::Any));
  EXPECT_FALSE(d->in.null1);
  EXPECT_EQ(d->in.heap2, ir::HeapType::index(3));
  EXPECT_TRUE(d->in.null2);
  expectError({0xfb, 0x18, 0x04, 0x00, 0x6e, 0x6e}, "malformed br_on_cast flags", 102);
  expectError({0xd0, 0x60}, "malformed heap type", 101);
  // 2.0 knows only funcref and externref, with the 2.0 interpreter's message.
  expectError({0xd0, 0x6e}, "malformed reference type", 101, ir::Features::wasm2());
  expectError({0xd0, 0x00}, "malformed reference type", 101, ir::Features::wasm2());
}

Result<ir::ValType> valType(const Bytes& b, const ir::Features& f = ir::Features::all()) {
  ByteReader r(std::span<const uint8_t>(b), 0);
  auto t = readValType(r, f);
  if (t) {
    EXPECT_TRUE(r.atEnd());
  }
  return t;
}

TEST(TypeReaders, ValueTypes) {
  EXPECT_EQ(*valType({0x7f}), ir::ValType::i32());
  EXPECT_EQ(*valType({0x7b}), ir::ValType::v128());
  EXPECT_EQ(*valType({0x70}), ir::ValType::funcref());
  EXPECT_EQ(*valType({0x6c}), ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap::I31), true));
  EXPECT_EQ(*valType({0x64, 0x70}), ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), false));
  EXPECT_EQ(*valType({0x63, 0x81, 0x01}), ir::ValType::ref(ir::HeapType::index(129), true));
  EXPECT_EQ(valType({0x60}).error().message, "malformed value type");
  // The reference interpreter reads type bytes as LEB128, so a continuation bit is "too long".
  EXPECT_EQ(valType({0xff, 0x7f}).error().message, "integer representation too long");
  // Proposals that are off make their types malformed.
  EXPECT_EQ(valType({0x6e}, ir::Features::wasm2()).error().message, "malformed value type");
  EXPECT_EQ(valType({0x64, 0x70}, ir::Features::wasm2()).error().message, "malformed value type");
  EXPECT_EQ(valType({0x69}, ir::Features::wasm2()).error().message, "malformed value type");
  // Without reference types funcref is a table's element type only (spec 1.0), not a value type.
  ir::Features mvp = ir::Features::wasm2();
  mvp.set(ir::Feature::ReferenceTypes, false);
  EXPECT_EQ(valType({0x70}, mvp).error().message, "malformed value type");
  Bytes fr{0x70}, er{0x6f};
  ByteReader frr(std::span<const uint8_t>(fr), 0), err(std::span<const uint8_t>(er), 0);
  EXPECT_EQ(*readRefType(frr, mvp), ir::ValType::funcref());
  EXPECT_TRUE(frr.atEnd());
  EXPECT_EQ(readRefType(err, mvp).error().message, "malformed reference type");
}

TEST(TypeReaders, RefAndHeapTypes) {
  Bytes b{0x7f};
  ByteReader r(std::span<const uint8_t>(b), 40);
  auto t = readRefType(r, ir::Features::all());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "malformed reference type");
  EXPECT_EQ(t.error().offset, 40u);
  Bytes h{0xf0, 0x7f};  // -16 (func) in a long form: not an abstract heap type encoding
  ByteReader hr(std::span<const uint8_t>(h), 0);
  EXPECT_EQ(readHeapType(hr, ir::Features::all()).error().message, "malformed heap type");
  // A type index too large for HeapType's packing is no type of any module: invalid, not malformed.
  Bytes big{0x80, 0xfe, 0xff, 0xff, 0x0f};  // s33 0xffffff00
  ByteReader br(std::span<const uint8_t>(big), 0);
  auto bad = readHeapType(br, ir::Features::all());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(bad.error().message, "unknown type");
}

TEST(SharedReaders, LengthAndNames) {
  // The bound counts from the length's own first byte (the reference interpreter's quirk), so
  // 4 is out of bounds here and 3 is not (reading the bytes then runs out).
  Bytes b{0x04, 'a', 'b'};
  ByteReader r(std::span<const uint8_t>(b), 10);
  auto n = readLength(r);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message, "length out of bounds");
  EXPECT_EQ(n.error().offset, 10u);
  Bytes short_name{0x03, 'a', 'b'};
  ByteReader sn(std::span<const uint8_t>(short_name), 0);
  EXPECT_EQ(readUtf8Name(sn).error().message, "unexpected end");
  Bytes sur{0x03, 0xed, 0xa0, 0x80};  // U+D800, a surrogate
  ByteReader sr(std::span<const uint8_t>(sur), 0);
  EXPECT_EQ(readUtf8Name(sr).error().message, "malformed UTF-8 encoding");
  Bytes ok{0x02, 0xc3, 0xa9};  // "é"
  ByteReader okr(std::span<const uint8_t>(ok), 0);
  EXPECT_EQ(*readUtf8Name(okr), "\xc3\xa9");
}

}  // namespace
}  // namespace strata::decode
