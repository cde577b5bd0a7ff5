// The out-of-line half of InstrChecker's fast path (checkFast in instr_checker.h): constants of
// any length, blocks and their ends, branches, loads and stores, drop, select, globals and
// direct calls, decoded and checked in one step where the general path (InstrReader::next, then
// check) costs several hundred host instructions per wasm instruction.
//
// Why it is safe to have two paths: this one accepts only encodings and typings that are
// unambiguous (the shortest forms below, operands of exactly the required types, blocks with no
// parameters) and otherwise returns false having read and changed nothing, so that the general
// path handles the instruction and gives every error with the suite's wording. Each case below
// says which general routine it stands for; the spec suites and the differential fuzzer run both.
#include <cstring>

#include "support/populate.h"
#include "validate/instr_checker.h"
#include "validate/opcode_facts.h"

namespace strata::validate {

using ir::ValKind;
using ir::ValType;

namespace {

// An unsigned LEB128 of at most `max_bytes` bytes at p[0..left) (spec 5.2.2), max_bytes * 7
// below the integer's width so that no unused bits of a last byte need checking. Returns its
// length, or 0 when it is longer, truncated or not in that form (the general path decides).
[[gnu::always_inline]] inline size_t readShortLeb(const uint8_t* p, size_t left, size_t max_bytes, uint64_t& v) {
  v = 0;
  for (size_t i = 0; i < max_bytes && i < left; ++i) {
    v |= uint64_t(p[i] & 0x7f) << (7 * i);
    if (p[i] < 0x80) return i + 1;
  }
  return 0;
}

// The numeric block types of one byte (spec 5.3.1); others (v128, references, type indices)
// take the general path.
bool numericBlockType(uint8_t b, ValType& t) {
  switch (b) {
    case 0x7f: t = ValType::i32(); return true;
    case 0x7e: t = ValType::i64(); return true;
    case 0x7d: t = ValType::f32(); return true;
    case 0x7c: t = ValType::f64(); return true;
    default: return false;
  }
}

// The top n operands are exactly `ts` (spec appendix pop_vals with every type its own subtype).
bool topIs(const support::FlatStack<ValType>& vals, size_t n, std::span<const ValType> ts) {
  const ValType* top = vals.data() + vals.size() - n;
  for (size_t i = 0; i < n; ++i)
    if (!(top[i] == ts[ts.size() - n + i])) return false;
  return true;
}

}  // namespace

bool InstrChecker::checkFastMore(ByteReader& br, decode::Instr& in, const FastOp& f) {
  ControlFrame& frame = ctrls_.back();
  const uint8_t* p = br.pos();
  size_t left = br.remaining();
  size_t height = vals_.size();
  size_t avail = height - frame.height;
  bool live = !frame.unreachable;
  // Only `end` is taken in dead code (it closes most blocks a `br` ended).
  if (!live && f.cls != FastOp::End) return false;
  uint32_t depth_before = uint32_t(ctrls_.size());
  size_t len = 1;
  switch (f.cls) {
    case FastOp::I32Const:
    case FastOp::I64Const: {  // readVarS32/S64
      bool i32 = f.cls == FastOp::I32Const;
      uint64_t v;
      int64_t s;
      size_t n = readShortLeb(p + 1, left - 1, i32 ? 4 : 9, v);
      if (n != 0) {  // up to 28 or 63 bits: sign-extended from the last byte's top bit
        unsigned shift = unsigned(64 - 7 * n);
        s = int64_t(v << shift) >> shift;
      } else {
        // The longest form (5 or 10 bytes; hashes' and masks' constants): the last byte's bits
        // beyond the width must all equal its sign bit (spec 5.2.2), else the general path
        // says why not.
        size_t full = i32 ? 5 : 10;
        if (left < 1 + full) return false;
        for (size_t i = 0; i + 1 < full; ++i)
          if (p[1 + i] < 0x80) return false;
        uint8_t last = p[full];
        if (last >= 0x80) return false;
        uint8_t sign_and_unused = i32 ? 0x78 : 0x7f;  // bit 3 (of 32) or bit 0 (of 64) and above
        if ((last & sign_and_unused) != 0 && (last & sign_and_unused) != sign_and_unused) return false;
        v = 0;
        for (size_t i = 0; i + 1 < full; ++i) v |= uint64_t(p[1 + i] & 0x7f) << (7 * i);
        v |= uint64_t(last & 0x7f) << (7 * (full - 1));
        s = i32 ? int64_t(int32_t(uint32_t(v))) : int64_t(v);
        n = full;
      }
      if (f.cls == FastOp::I32Const) {
        in.i32 = int32_t(s);
        vals_.push_back(ValType::i32());
      } else {
        in.i64 = s;
        vals_.push_back(ValType::i64());
      }
      len = 1 + n;
      break;
    }
    case FastOp::F32Const:  // readFixedU32
      if (left < 5) return false;
      std::memcpy(&in.f32_bits, p + 1, 4);
      vals_.push_back(ValType::f32());
      len = 5;
      break;
    case FastOp::F64Const:
      if (left < 9) return false;
      std::memcpy(&in.f64_bits, p + 1, 8);
      vals_.push_back(ValType::f64());
      len = 9;
      break;
    case FastOp::Block:
    case FastOp::Loop:
    case FastOp::If: {  // checkBlock with an empty or one-value block type: no parameters
      if (left < 2) return false;
      BlockSig sig;
      in.block = {};
      if (p[1] == 0x40) {
        in.block.kind = decode::BlockType::Kind::Empty;
      } else if (numericBlockType(p[1], sig.single)) {
        sig.num_results = 1;
        in.block.kind = decode::BlockType::Kind::Value;
        in.block.value = sig.single;
      } else {
        return false;
      }
      if (f.cls == FastOp::If) {
        if (avail < 1 || vals_.back().kind != ValKind::I32) return false;
        vals_.pop_back();
      }
      ControlFrame c;
      c.kind = f.cls == FastOp::Block ? FrameKind::Block : f.cls == FastOp::Loop ? FrameKind::Loop : FrameKind::If;
      c.height = uint32_t(vals_.size());
      c.init_height = uint32_t(init_marks_.size());
      c.sig = sig;
      support::reserveDeep(ctrls_, max_depth_);
      ctrls_.push_back(c);  // `frame` dangles from here on
      len = 2;
      break;
    }
    case FastOp::End: {  // checkEnd: popFrame, then the results pushed in the enclosing frame
      switch (frame.kind) {
        case FrameKind::Function:
        case FrameKind::Block:
        case FrameKind::Loop:
        case FrameKind::Else: break;
        // An `if` without `else` must pass its parameters through as its results.
        case FrameKind::If:
          if (frame.sig.num_params != 0 || frame.sig.num_results != 0) return false;
          break;
        default: return false;
      }
      std::span<const ValType> results = frame.sig.resultTypes();
      // Live: exactly the results. Dead: the operands pushed since the frame became dead match
      // the results' suffix exactly; the rest comes from the polymorphic stack (spec 3.3.8).
      if (live ? avail != results.size() : avail > results.size()) return false;
      if (!topIs(vals_, avail, results)) return false;
      // Marks of local initialisation made inside the block: the general path undoes them.
      if (init_marks_.size() != frame.init_height) return false;
      vals_.resize(frame.height);
      ctrls_.pop_back();  // `frame` dangles from here on; `results` points into the module
      if (!ctrls_.empty())
        for (const ValType& t : results) vals_.push_back(t);
      break;
    }
    case FastOp::Br:
    case FastOp::BrIf: {  // checkBranch with a one-byte label index
      if (left < 2 || p[1] >= 0x80 || p[1] >= ctrls_.size()) return false;
      const ControlFrame& target = ctrls_[ctrls_.size() - 1 - p[1]];
      std::span<const ValType> ts = target.labelTypes();
      if (f.cls == FastOp::Br) {
        if (avail < ts.size() || !topIs(vals_, ts.size(), ts)) return false;
        vals_.resize(frame.height);  // setUnreachable
        frame.unreachable = true;
      } else {
        if (avail < ts.size() + 1 || vals_.back().kind != ValKind::I32) return false;
        vals_.pop_back();
        if (!topIs(vals_, ts.size(), ts)) {
          vals_.push_back(ValType::i32());
          return false;
        }
      }
      in.idx = p[1];
      len = 2;
      break;
    }
    case FastOp::Drop:
      if (avail < 1) return false;
      vals_.pop_back();
      break;
    case FastOp::Select: {  // checkSelect, untyped: two numeric or vector operands of one type
      if (avail < 3 || vals_.back().kind != ValKind::I32) return false;
      const ValType& a = vals_[height - 3];
      if (!(a == vals_[height - 2]) || a.kind == ValKind::Ref) return false;
      vals_.pop_back();
      vals_.pop_back();
      break;
    }
    case FastOp::GlobalGet:
    case FastOp::GlobalSet: {  // checkGlobal with a one-byte index
      const ir::Module& m = *env_.module;
      if (left < 2 || p[1] >= 0x80 || p[1] >= m.globals.size()) return false;
      const ir::GlobalType& g = m.globals[p[1]].type;
      if (f.cls == FastOp::GlobalGet) {
        vals_.push_back(g.type);
      } else {
        if (!g.mut || avail < 1 || !(vals_.back() == g.type)) return false;
        vals_.pop_back();
      }
      in.idx = p[1];
      len = 2;
      break;
    }
    case FastOp::Call: {  // checkCall for `call` with an index of up to three bytes
      const ir::Module& m = *env_.module;
      uint64_t idx;
      size_t n = readShortLeb(p + 1, left - 1, 3, idx);
      if (n == 0 || idx >= m.functions.size()) return false;
      const ir::FuncType& ft = m.funcType(uint32_t(idx));
      if (avail < ft.params.size() || !topIs(vals_, ft.params.size(), ft.params)) return false;
      vals_.resize(height - ft.params.size());
      for (const ValType& t : ft.results) vals_.push_back(t);
      in.idx = uint32_t(idx);
      len = 1 + n;
      break;
    }
    case FastOp::Load:
    case FastOp::Store: {  // readMemArg + checkMemArg: memory 0 of 32-bit addresses, no flags
      const ir::Module& m = *env_.module;
      if (left < 3 || p[1] > f.align_log2 || m.memories.empty() || m.memories[0].type.limits.is64)
        return false;
      uint64_t offset;
      size_t n = readShortLeb(p + 2, left - 2, 4, offset);
      if (n == 0) return false;
      if (f.cls == FastOp::Load) {
        if (avail < 1 || vals_.back().kind != ValKind::I32) return false;
        vals_.back() = ValType{f.result, false, {}};
      } else {
        if (avail < 2 || vals_.back().kind != f.params[1] || vals_[height - 2].kind != ValKind::I32) return false;
        vals_.pop_back();
        vals_.pop_back();
      }
      in.mem.align_log2 = p[1];
      in.mem.memory = 0;
      in.mem.offset = offset;
      len = 2 + n;
      break;
    }
    default: return false;
  }
  in.op = f.op;
  in.offset = br.offset();
  br.advance(len);
  offset_ = in.offset;
  reachable_before_ = live;
  depth_before_ = depth_before;
  height_before_ = uint32_t(height);
  return true;
}

}  // namespace strata::validate
