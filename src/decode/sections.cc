// Decoding of exports, start, element, data count, code, data and custom sections, constant
// expressions, and the checks that need the whole module (spec 5.5.10-5.5.16).
#include "decode/module_decoder.h"

namespace strata::decode::detail {

using ir::Feature;
using ir::Opcode;

namespace {

// vec(byte) (spec 5.1.3) left in place: the span of its bytes.
Result<ir::ByteSpan> readByteSpan(ByteReader& r) {
  uint32_t size = STRATA_TRY(readLength(r));
  uint64_t start = r.offset();
  STRATA_CHECK(r.skip(size));
  return ir::ByteSpan{uint32_t(start), size};
}

}  // namespace

Result<ir::ConstExpr> ModuleDecoder::constExpr(ByteReader& r) {
  // spec 5.4.9: instructions up to the `end` that closes the expression. Blocks are not constant,
  // but they are still delimited by nesting so the validator can say "constant expression
  // required" instead of the decoder stopping at an inner `end`.
  uint64_t start = r.offset();
  InstrReader in(r, f_);
  uint32_t depth = 0;
  for (;;) {
    STRATA_CHECK(in.next(instr_));
    Opcode op = instr_.op;
    if (op == Opcode::End || op == Opcode::Delegate) {
      if (depth == 0) break;
      --depth;
    } else if (op == Opcode::Block || op == Opcode::Loop || op == Opcode::If || op == Opcode::Try ||
               op == Opcode::TryTable) {
      ++depth;
    }
  }
  r = in.bytes();
  return ir::ConstExpr{{uint32_t(start), uint32_t(r.offset() - start)}};
}

Result<ir::Export> ModuleDecoder::exportEntry(ByteReader& r) {
  // spec 5.5.10: name, kind byte, index.
  ir::Export e;
  e.name = std::string(STRATA_TRY(readUtf8Name(r)));
  uint64_t at = r.offset();
  uint8_t kind = STRATA_TRY(r.readU8());
  if (kind > 4 || (kind == 4 && !f_.has(Feature::Exceptions))) return malformed(at, "malformed export kind");
  e.kind = ir::ExternKind(kind);
  e.index = STRATA_TRY(r.readVarU32());
  return e;
}

Result<void> ModuleDecoder::exportSection(ByteReader& r) {
  return readVec(r, m_.exports, [&] { return exportEntry(r); });
}

Result<void> ModuleDecoder::startSection(ByteReader& r) {
  m_.start_pos = uint32_t(r.offset());
  m_.start = STRATA_TRY(r.readVarU32());
  return {};
}

Result<ir::ElemSegment> ModuleDecoder::elemSegment(ByteReader& r) {
  // spec 5.5.12, flags 0..7: bit 0 passive (bit 1 then: declarative), for active segments bit 1
  // an explicit table index; bit 2 items as expressions with a reference type, otherwise
  // function indices with an element kind byte. Flags 0 and 4 imply table 0 and no type byte.
  uint64_t at = r.offset();
  uint32_t flags = STRATA_TRY(r.readVarU32());
  if (flags > 7) return malformed(at, "malformed elements segment kind");
  ir::ElemSegment seg;
  seg.uses_exprs = flags & 4;
  if (flags & 1) seg.mode = (flags & 2) ? ir::SegmentMode::Declarative : ir::SegmentMode::Passive;
  if (seg.mode == ir::SegmentMode::Active) {
    if (flags & 2) seg.table = STRATA_TRY(r.readVarU32());
    seg.offset = STRATA_TRY(constExpr(r));
  }
  // With typed references, function indices make non-null (ref func) elements (spec 3.0);
  // in 2.0 every such segment is funcref.
  ir::ValType func_elem = f_.has(Feature::FunctionReferences)
                              ? ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), false)
                              : ir::ValType::funcref();
  seg.type = seg.uses_exprs ? ir::ValType::funcref() : func_elem;
  if (flags & 3) {
    if (seg.uses_exprs) {
      seg.type = STRATA_TRY(readRefType(r, f_));
    } else {
      uint64_t kind_at = r.offset();
      if (STRATA_TRY(r.readU8()) != 0x00) return malformed(kind_at, "malformed element kind");
    }
  }
  if (seg.uses_exprs) STRATA_CHECK(readVec(r, seg.exprs, [&] { return constExpr(r); }));
  else STRATA_CHECK(readVec(r, seg.func_indices, [&] { return r.readVarU32(); }));
  return seg;
}

Result<void> ModuleDecoder::elemSection(ByteReader& r) {
  return readVec(r, m_.elems, [&] { return elemSegment(r); });
}

Result<void> ModuleDecoder::dataCountSection(ByteReader& r) {
  m_.data_count = STRATA_TRY(r.readVarU32());
  return {};
}

Result<void> ModuleDecoder::codeSection(ByteReader& r, uint64_t end) {
  // spec 5.5.13: each entry is size:u32 then the function (locals and body). Entries are kept
  // as spans, undecoded; the validator reads them. If the count disagrees with the function
  // section, finish() reports it after the remaining sections, as the reference does.
  uint32_t n = STRATA_TRY(readLength(r));
  code_entries_ = n;
  if (!walk_bodies_) {
    if (end < r.offset() || !r.skip(size_t(end - r.offset()))) return malformed(r.offset(), kUnexpectedEnd);
    return {};
  }
  bool matches = n == declared_functions_;
  for (uint32_t i = 0; i < n; ++i) {
    ir::ByteSpan body = STRATA_TRY(readByteSpan(r));
    if (matches) m_.functions[m_.num_imported_functions + i].body = body;
  }
  return {};
}

Result<ir::DataSegment> ModuleDecoder::dataSegment(ByteReader& r) {
  // spec 5.5.14: 0 active on memory 0, 1 passive, 2 active with an explicit memory index.
  uint64_t at = r.offset();
  uint32_t flags = STRATA_TRY(r.readVarU32());
  if (flags > 2) return malformed(at, "malformed data segment kind");
  ir::DataSegment seg;
  if (flags == 1) {
    seg.mode = ir::SegmentMode::Passive;
  } else {
    if (flags == 2) seg.memory = STRATA_TRY(r.readVarU32());
    seg.offset = STRATA_TRY(constExpr(r));
  }
  seg.init = STRATA_TRY(readByteSpan(r));
  return seg;
}

Result<void> ModuleDecoder::dataSection(ByteReader& r) {
  return readVec(r, m_.datas, [&] { return dataSegment(r); });
}

Result<void> ModuleDecoder::customSection(ByteReader& r, uint32_t size, uint8_t after) {
  // spec 5.5.3: a name, then arbitrary bytes up to the declared size. Only the name can make
  // the module malformed; a `name` section that does not parse stays a raw custom section.
  uint64_t start = r.offset();
  std::string_view name = STRATA_TRY(readUtf8Name(r));
  uint64_t used = r.offset() - start;
  if (used > size) return malformed(r.offset(), kUnexpectedEnd);
  uint32_t content_size = uint32_t(size - used);
  ir::ByteSpan content{uint32_t(r.offset()), content_size};
  STRATA_CHECK(r.skip(content_size));
  if (name == "name" && m_.names.empty()) {
    if (auto names = decodeNameSection(m_.span(content), content.offset)) {
      m_.names = std::move(*names);
      if (!m_.names.empty()) return {};
    }
  }
  m_.customs.push_back(ir::CustomSection{std::string(name), content, after});
  return {};
}

Result<void> ModuleDecoder::finish(uint64_t end_offset) {
  if (code_entries_.value_or(0) != declared_functions_)
    return malformed(end_offset, "function and code section have inconsistent lengths");
  if (m_.data_count && *m_.data_count != m_.datas.size())
    return malformed(end_offset, "data count and data section have inconsistent lengths");
  return {};
}

}  // namespace strata::decode::detail
