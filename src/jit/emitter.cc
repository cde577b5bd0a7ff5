// The direct encodings of jit::Emitter (emitter.h says why). Intel SDM vol. 2, chapter 2:
// [legacy prefix] [REX] opcode ModRM [SIB] [disp8/disp32] [imm].
#include "jit/emitter.h"

namespace strata::jit {

using asmjit::InstId;
using asmjit::Support::isInt32;
using asmjit::Support::isInt8;
using asmjit::Support::isUInt32;

namespace {
inline bool wide(const asmjit::x86::Gp& r) { return r.isGpq(); }
}  // namespace

// [base + index*scale + disp] and [index*scale + disp32]; without an index, modrmBaseDisp.
void Emitter::Out::modrmMem(uint32_t reg, const Mem& m) {
  int32_t disp = m.offsetLo32();
  if (!m.hasBase()) {
    // [index*scale + disp32]: SIB with base 101 and mod 00 means no base, always a disp32.
    byte((reg & 7) << 3 | 4);
    byte(m.shift() << 6 | (m.indexId() & 7) << 3 | 5);
    dword(uint32_t(disp));
    return;
  }
  if (!m.hasIndex()) return modrmBaseDisp(reg, m.baseId(), disp);
  uint32_t base = m.baseId() & 7;
  uint32_t mod = disp == 0 && base != 5 ? 0x00 : isInt8(disp) ? 0x40 : 0x80;  // as modrmBaseDisp
  byte(mod | (reg & 7) << 3 | 4);
  byte(m.shift() << 6 | (m.indexId() & 7) << 3 | base);
  if (mod == 0x40) byte(uint32_t(disp));
  else if (mod == 0x80) dword(uint32_t(disp));
}

Emitter::Error Emitter::rr(uint32_t op, const Gp& reg, const Gp& rmr, InstId id) {
  if (!directOk() || !gp(reg) || reg.size() != rmr.size() || !gp(rmr)) return _emitI(id, rmr, reg);  // asmjit's order: r/m first
  Out o{_bufferPtr};
  o.rex(wide(reg), reg.id(), 0, rmr.id());
  o.byte(op);
  o.modrmReg(reg.id(), rmr.id());
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::rr2(uint32_t op, const Gp& reg, const Gp& rmr, InstId id) {
  if (!directOk() || !gp(reg) || reg.size() != rmr.size() || !gp(rmr)) return _emitI(id, reg, rmr);
  Out o{_bufferPtr};
  o.rex(wide(reg), reg.id(), 0, rmr.id());
  o.byte(op >> 8);
  o.byte(op & 0xff);
  o.modrmReg(reg.id(), rmr.id());
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::rmGeneral(uint32_t op, const Gp& reg, const Mem& m, InstId id) {
  if (!directOk() || !gp(reg) || !simpleMem(m)) {
    // asmjit's operand order: the destination first.
    if (op == 0x89 || (op & 7) == 1) return _emitI(id, m, reg);
    return _emitI(id, reg, m);
  }
  Out o{_bufferPtr};
  o.rex(wide(reg), reg.id(), memIndex(m), memBase(m));
  o.byte(op);
  o.modrmMem(reg.id(), m);
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::rm2(uint32_t op, const Gp& reg, const Mem& m, InstId id) {
  if (!directOk() || !gp(reg) || !simpleMem(m)) return _emitI(id, reg, m);
  Out o{_bufferPtr};
  o.rex(wide(reg), reg.id(), memIndex(m), memBase(m));
  o.byte(op >> 8);
  o.byte(op & 0xff);
  o.modrmMem(reg.id(), m);
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::mov(const Gp& d, const Imm& i) {
  int64_t v = i.value();
  if (!directOk() || !gp(d) || !i.isInt()) return _emitI(asmjit::x86::Inst::kIdMov, d, i);
  Out o{_bufferPtr};
  if (!wide(d)) {
    if (!isInt32(v) && !isUInt32(v)) return _emitI(asmjit::x86::Inst::kIdMov, d, i);
    o.rex(false, 0, 0, d.id());
    o.byte(0xb8 | (d.id() & 7));
    o.dword(uint32_t(v));
  } else if (isInt32(v)) {
    o.rex(true, 0, 0, d.id());
    o.byte(0xc7);
    o.modrmReg(0, d.id());
    o.dword(uint32_t(v));
  } else {
    o.rex(true, 0, 0, d.id());
    o.byte(0xb8 | (d.id() & 7));
    o.dword(uint32_t(v));
    o.dword(uint32_t(uint64_t(v) >> 32));
  }
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::mov(const Mem& m, const Imm& i) {
  int64_t v = i.value();
  uint32_t size = m.size();
  bool fits = size == 8 ? isInt32(v) : isInt32(v) || isUInt32(v);
  if (!directOk() || !i.isInt() || !simpleMem(m) || (size != 4 && size != 8) || !fits) return _emitI(asmjit::x86::Inst::kIdMov, m, i);
  Out o{_bufferPtr};
  o.rex(size == 8, 0, memIndex(m), memBase(m));
  o.byte(0xc7);
  o.modrmMem(0, m);
  o.dword(uint32_t(v));
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::aluImm(uint32_t n, const Gp& d, const Imm& i, InstId id) {
  int64_t v = i.value();
  bool fits = wide(d) ? isInt32(v) : isInt32(v) || isUInt32(v);
  if (!directOk() || !i.isInt() || !gp(d) || !fits) return _emitI(id, d, i);
  Out o{_bufferPtr};
  auto v32 = int32_t(uint32_t(v));
  o.rex(wide(d), 0, 0, d.id());
  if (isInt8(v32)) {
    o.byte(0x83);
    o.modrmReg(n, d.id());
    o.byte(uint32_t(v32));
  } else if (d.id() == 0) {
    o.byte(n * 8 + 5);  // the short accumulator form: op eax/rax, imm32
    o.dword(uint32_t(v32));
  } else {
    o.byte(0x81);
    o.modrmReg(n, d.id());
    o.dword(uint32_t(v32));
  }
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::aluImm(uint32_t n, const Mem& m, const Imm& i, InstId id) {
  int64_t v = i.value();
  uint32_t size = m.size();
  bool fits = size == 8 ? isInt32(v) : isInt32(v) || isUInt32(v);
  if (!directOk() || !i.isInt() || !simpleMem(m) || (size != 4 && size != 8) || !fits) return _emitI(id, m, i);
  Out o{_bufferPtr};
  auto v32 = int32_t(uint32_t(v));
  o.rex(size == 8, 0, memIndex(m), memBase(m));
  o.byte(isInt8(v32) ? 0x83 : 0x81);
  o.modrmMem(n, m);
  if (isInt8(v32)) o.byte(uint32_t(v32));
  else o.dword(uint32_t(v32));
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::imul(const Gp& d, const Gp& s, const Imm& i) {
  int64_t v = i.value();
  bool fits = wide(d) ? isInt32(v) : isInt32(v) || isUInt32(v);
  if (!directOk() || !i.isInt() || !gp(d) || d.size() != s.size() || !gp(s) || !fits)
    return _emitI(asmjit::x86::Inst::kIdImul, d, s, i);
  Out o{_bufferPtr};
  auto v32 = int32_t(uint32_t(v));
  o.rex(wide(d), d.id(), 0, s.id());
  o.byte(isInt8(v32) ? 0x6b : 0x69);
  o.modrmReg(d.id(), s.id());
  if (isInt8(v32)) o.byte(uint32_t(v32));
  else o.dword(uint32_t(v32));
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::shiftImm(uint32_t n, const Gp& d, const Imm& i, InstId id) {
  if (!directOk() || !i.isInt() || !gp(d) || !asmjit::Support::isUInt8(i.value())) return _emitI(id, d, i);
  auto count = uint32_t(i.value());
  Out o{_bufferPtr};
  o.rex(wide(d), 0, 0, d.id());
  o.byte(count == 1 ? 0xd1 : 0xc1);  // the one-bit form has no immediate byte
  o.modrmReg(n, d.id());
  if (count != 1) o.byte(count);
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::shiftCl(uint32_t n, const Gp& d, const Gp& c, InstId id) {
  if (!directOk() || !gp(d) || !c.isGpbLo() || c.id() != asmjit::x86::Gp::kIdCx) return _emitI(id, d, c);
  Out o{_bufferPtr};
  o.rex(wide(d), 0, 0, d.id());
  o.byte(0xd3);
  o.modrmReg(n, d.id());
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::set(asmjit::x86::CondCode cc, const Gp& r) {
  auto c = uint32_t(cc);
  if (!directOk() || !r.isGpbLo() || c >= 16) return Base::set(cc, r);
  Out o{_bufferPtr};
  o.rex(false, 0, 0, r.id(), r.id() >= 4);
  o.byte(0x0f);
  o.byte(0x90 | c);
  o.modrmReg(0, r.id());
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::movzx(const Gp& d, const Gp& s) {
  if (!directOk() || !gp(d) || !s.isGpbLo()) return _emitI(asmjit::x86::Inst::kIdMovzx, d, s);
  Out o{_bufferPtr};
  o.rex(wide(d), d.id(), 0, s.id(), s.id() >= 4);
  o.byte(0x0f);
  o.byte(0xb6);
  o.modrmReg(d.id(), s.id());
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::sseRR(uint32_t prefix, uint32_t op, const Xmm& d, const Xmm& s, InstId id) {
  if (!directOk() || !d.isXmm() || !s.isXmm() || d.id() >= 16 || s.id() >= 16) return _emitI(id, d, s);
  Out o{_bufferPtr};
  if (prefix) o.byte(prefix);  // the mandatory prefix goes before REX
  o.rex(false, d.id(), 0, s.id());
  o.byte(0x0f);
  o.byte(op);
  o.modrmReg(d.id(), s.id());
  finish(o);
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::sse(uint32_t prefix, uint32_t op, uint32_t reg, const Mem& m, InstId id,
                            const asmjit::Operand& o0, const asmjit::Operand& o1) {
  if (!directOk() || reg >= 16 || !simpleMem(m)) return _emitI(id, o0, o1);
  Out o{_bufferPtr};
  if (prefix) o.byte(prefix);
  o.rex(false, reg, memIndex(m), memBase(m));
  o.byte(0x0f);
  o.byte(op);
  o.modrmMem(reg, m);
  finish(o);
  return asmjit::kErrorOk;
}

int64_t Emitter::writeJump(int cc, int64_t target) {
  Out o{_bufferPtr};
  auto at = int64_t(offset());
  // Displacements count from the end of the instruction; a bound label in reach gets rel8,
  // as asmjit would give it.
  int64_t d8 = target - at - 2;
  if (target >= 0 && d8 >= -128 && d8 <= 127) {
    o.byte(cc < 0 ? 0xeb : 0x70 + uint32_t(cc));
    o.byte(uint32_t(d8) & 0xff);
    finish(o);
    return -1;
  }
  if (cc < 0) {
    o.byte(0xe9);
  } else {
    o.byte(0x0f);
    o.byte(0x80 + uint32_t(cc));
  }
  int64_t end = at + (cc < 0 ? 5 : 6);
  o.dword(target >= 0 ? uint32_t(target - end) : 0);
  finish(o);
  return end - 4;
}

Emitter::Error Emitter::jumpLocal(int cc, uint32_t index) {
  if (index >= local_at_.size() || cc >= 16) return reportError(asmjit::DebugUtils::errored(asmjit::kErrorInvalidLabel));
  if (remainingSpace() < 16) {
    // What asmjit's encoder does before an instruction: a fixed buffer (the tier's) is full,
    // any other grows.
    size_t at = offset();
    if (asmjit::Error e = _code->growBuffer(&_section->_buffer, 16)) return reportError(e);
    _bufferData = _section->_buffer.data();
    _bufferEnd = _bufferData + _section->_buffer.capacity();
    _bufferPtr = _bufferData + at;
  }
  int64_t field = writeJump(cc, local_at_[index]);
  if (local_at_[index] < 0) {
    links_.push_back({uint32_t(field), local_head_[index]});
    local_head_[index] = uint32_t(links_.size() - 1);
  }
  return asmjit::kErrorOk;
}

Emitter::Error Emitter::bind(const asmjit::Label& l) {
  if (!isLocal(l)) return Base::bind(l);
  uint32_t index = l.id() & ~kLocalTag;
  if (index >= local_at_.size() || local_at_[index] >= 0)
    return reportError(asmjit::DebugUtils::errored(asmjit::kErrorInvalidLabel));
  auto at = int64_t(offset());
  local_at_[index] = at;
  for (uint32_t k = local_head_[index]; k != kNoLink; k = links_[k].next) {
    auto rel = uint32_t(at - int64_t(links_[k].at) - 4);
    std::memcpy(_bufferData + links_[k].at, &rel, 4);
  }
  local_head_[index] = kNoLink;
  return asmjit::kErrorOk;
}

bool Emitter::endLocals() const {
  for (uint32_t head : local_head_)
    if (head != kNoLink) return false;
  return true;
}

Emitter::Error Emitter::jump(int cc, const asmjit::Label& l) {
  if (isLocal(l)) return jumpLocal(cc, l.id() & ~kLocalTag);
  asmjit::InstId id = cc < 0 ? asmjit::x86::Inst::kIdJmp : asmjit::x86::Inst::jccFromCond(asmjit::x86::CondCode(cc));
  asmjit::LabelEntry* le = _code->labelEntry(l);
  if (!directOk() || !le || cc >= 16 || (le->isBound() && le->section() != _section)) return _emitI(id, l);
  int64_t field = writeJump(cc, le->isBound() ? int64_t(le->offset()) : -1);
  if (!le->isBound()) {
    asmjit::OffsetFormat format;
    format.resetToSimpleValue(asmjit::OffsetType::kSignedOffset, 4);
    if (!_code->newLabelLink(le, _section->id(), size_t(field), -4, format))
      return reportError(asmjit::DebugUtils::errored(asmjit::kErrorOutOfMemory));
  }
  return asmjit::kErrorOk;
}

}  // namespace strata::jit
