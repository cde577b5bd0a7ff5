// The assembler the code generator writes through: asmjit's x86::Assembler, with the forms the
// generator emits most encoded here directly.
//
// Why: asmjit's generic Assembler::_emit (operand signature matching, instruction database
// lookups, validation of the combination) cost about 230 machine instructions per instruction
// emitted, a quarter of the tier's compile time. The generator's output is dominated by a
// handful of forms: mov/lea/ALU/test/imul of 32- and 64-bit registers, [base + index*scale +
// disp] operands and immediates, setcc/movzx of byte registers, and the SSE moves. Each of
// those overloads below checks that its operands are in the simple subset and writes the bytes
// itself; anything else (labels, rip-relative operands, segment or 8/16-bit registers, pending
// prefixes such as rep, a logger) goes to asmjit as before. The encodings are the ones asmjit
// picks (tests/jit/emitter_test.cc compares every form with asmjit's bytes), so the generated
// code does not change. The bytes go straight into asmjit's buffer at its cursor
// (BaseAssembler::_bufferPtr), so labels, offsets and asmjit's own later instructions see them.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace strata::jit {

class Emitter : public asmjit::x86::Assembler {
 public:
  using Gp = asmjit::x86::Gp;
  using Xmm = asmjit::x86::Xmm;
  using Mem = asmjit::x86::Mem;
  using Imm = asmjit::Imm;
  using Error = asmjit::Error;
  using Base = asmjit::x86::Assembler;

  explicit Emitter(asmjit::CodeHolder* code) : Base(code) {}

  // asmjit's overloads stay visible; the ones declared below take precedence for their types.
  using Base::add;
  using Base::addsd;
  using Base::addss;
  using Base::divsd;
  using Base::divss;
  using Base::mulsd;
  using Base::mulss;
  using Base::subsd;
  using Base::subss;
  using Base::ucomisd;
  using Base::ucomiss;
  using Base::xorps;
  using Base::and_;
  using Base::cmov;
  using Base::cmp;
  using Base::imul;
  using Base::j;
  using Base::jmp;
  using Base::lea;
  using Base::mov;
  using Base::movaps;
  using Base::movsd;
  using Base::movss;
  using Base::movups;
  using Base::movsx;
  using Base::movsxd;
  using Base::movzx;
  using Base::or_;
  using Base::rol;
  using Base::ror;
  using Base::sar;
  using Base::shl;
  using Base::shr;
  using Base::set;
  using Base::sub;
  using Base::test;
  using Base::xor_;

  // x86 ALU group numbers (the /digit of 81/83 and opcode = digit * 8 + 1 or + 3).
  enum Alu : uint8_t { kAdd = 0, kOr = 1, kAnd = 4, kSub = 5, kXor = 6, kCmp = 7 };

  Error mov(const Gp& d, const Gp& s) { return rr(0x89, s, d, asmjit::x86::Inst::kIdMov); }
  Error mov(const Gp& d, const Mem& m) { return rm(0x8b, d, m, asmjit::x86::Inst::kIdMov); }
  Error mov(const Mem& m, const Gp& s) { return rm(0x89, s, m, asmjit::x86::Inst::kIdMov); }
  Error mov(const Gp& d, const Imm& i);
  Error mov(const Mem& m, const Imm& i);
  Error lea(const Gp& d, const Mem& m) { return rm(0x8d, d, m, asmjit::x86::Inst::kIdLea); }
  Error imul(const Gp& d, const Gp& s) { return rr2(0x0faf, d, s, asmjit::x86::Inst::kIdImul); }
  Error imul(const Gp& d, const Mem& m) { return rm2(0x0faf, d, m, asmjit::x86::Inst::kIdImul); }
  Error test(const Gp& a, const Gp& b) { return rr(0x85, b, a, asmjit::x86::Inst::kIdTest); }

#define STRATA_ALU(name, n, id)                                                   \
  Error name(const Gp& d, const Gp& s) { return rr(n * 8 + 1, s, d, id); }        \
  Error name(const Gp& d, const Mem& m) { return rm(n * 8 + 3, d, m, id); }       \
  Error name(const Mem& m, const Gp& s) { return rm(n * 8 + 1, s, m, id); }       \
  Error name(const Gp& d, const Imm& i) { return aluImm(n, d, i, id); }           \
  Error name(const Mem& m, const Imm& i) { return aluImm(n, m, i, id); }
  STRATA_ALU(add, kAdd, asmjit::x86::Inst::kIdAdd)
  STRATA_ALU(or_, kOr, asmjit::x86::Inst::kIdOr)
  STRATA_ALU(and_, kAnd, asmjit::x86::Inst::kIdAnd)
  STRATA_ALU(sub, kSub, asmjit::x86::Inst::kIdSub)
  STRATA_ALU(xor_, kXor, asmjit::x86::Inst::kIdXor)
  STRATA_ALU(cmp, kCmp, asmjit::x86::Inst::kIdCmp)
#undef STRATA_ALU

  Error imul(const Gp& d, const Gp& s, const Imm& i);
  // select's conditional move (0F 40+cc /r; the condition codes are the encoding's).
  Error cmov(asmjit::x86::CondCode cc, const Gp& d, const Gp& s) {
    return rr2(0x0f40 | uint32_t(cc), d, s, asmjit::x86::Inst::cmovccFromCond(cc));
  }

  // Shifts and rotations (group 2: the /digit of C1 and D3) by an immediate or by cl.
  enum Shift : uint8_t { kRol = 0, kRor = 1, kShl = 4, kShr = 5, kSar = 7 };
#define STRATA_SHIFT(name, n, id)                                                 \
  Error name(const Gp& d, const Imm& i) { return shiftImm(n, d, i, id); }         \
  Error name(const Gp& d, const Gp& c) { return shiftCl(n, d, c, id); }
  STRATA_SHIFT(rol, kRol, asmjit::x86::Inst::kIdRol)
  STRATA_SHIFT(ror, kRor, asmjit::x86::Inst::kIdRor)
  STRATA_SHIFT(shl, kShl, asmjit::x86::Inst::kIdShl)
  STRATA_SHIFT(shr, kShr, asmjit::x86::Inst::kIdShr)
  STRATA_SHIFT(sar, kSar, asmjit::x86::Inst::kIdSar)
#undef STRATA_SHIFT

  // Jumps to a label, encoded here: asmjit's general encoder cost ~300 host instructions a jump
  // (large.wasm: 48,000 branches, 4% of its compile). The same bytes as asmjit's: a bound label
  // in reach gets rel8, any other rel32, and an unbound one a link (rel32 field, addend -4)
  // filled in when the label is bound (by asmjit, or by bind() below for a local label).
  Error jmp(const asmjit::Label& l) { return jump(-1, l); }
  Error j(asmjit::x86::CondCode cc, const asmjit::Label& l) { return jump(int(cc), l); }
  Error jz(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kZ), l); }
  Error je(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kE), l); }
  Error jne(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kNE), l); }
  Error ja(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kA), l); }
  Error jb(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kB), l); }
  Error jc(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kC), l); }
  Error jnp(const asmjit::Label& l) { return jump(int(asmjit::x86::CondCode::kNP), l); }

  // Labels local to one function (its blocks, branches and trap stubs), kept here rather than
  // in asmjit: an asmjit label is an entry and each forward jump a link allocated in the
  // CodeHolder's zone, which lives until the chunk is placed (large.wasm: ~70 bytes a label,
  // 16 labels a function, 4 MB of fresh pages), and its bind and link code was 4% of the
  // compile. A local label is an index here; a forward jump records the rel32 field's offset,
  // patched when the label is bound. Only jumps (jmp, jcc) and bind take one: any other use
  // (asmjit's encoder, a rip-relative operand) is an assembler error. beginLocals() at each
  // function's start forgets the last function's; endLocals() fails if a jump was left unbound.
  asmjit::Label newLocal() {
    local_at_.push_back(-1);
    local_head_.push_back(kNoLink);
    return asmjit::Label(kLocalTag | uint32_t(local_at_.size() - 1));
  }
  static bool isLocal(const asmjit::Label& l) { return (l.id() & kLocalTag) != 0 && l.id() != asmjit::Globals::kInvalidId; }
  void beginLocals() {
    local_at_.clear();
    local_head_.clear();
    links_.clear();
  }
  bool endLocals() const;
  Error bind(const asmjit::Label& l) override;

  Error set(asmjit::x86::CondCode cc, const Gp& r);
  Error movzx(const Gp& d, const Gp& s);
  // The extending loads of memory.load8/16 and i64.load32_s (fft: 120 of them went through
  // asmjit's encoder, ~250 host instructions each): 0F B6/B7 zero-, 0F BE/BF sign-extend a byte
  // or a word; REX.W 63 sign-extends a dword to 64 bits.
  Error movzx(const Gp& d, const Mem& m) { return extLoad(0x0fb6, d, m, asmjit::x86::Inst::kIdMovzx); }
  Error movsx(const Gp& d, const Mem& m) { return extLoad(0x0fbe, d, m, asmjit::x86::Inst::kIdMovsx); }
  Error movsxd(const Gp& d, const Mem& m) {
    return d.isGpq() ? rm(0x63, d, m, asmjit::x86::Inst::kIdMovsxd) : _emitI(asmjit::x86::Inst::kIdMovsxd, d, m);
  }

  // SSE moves: prefix (0 = none), the load and store opcodes (second byte after 0F).
  Error movss(const Xmm& d, const Mem& m) { return sse(0xf3, 0x10, d.id(), m, asmjit::x86::Inst::kIdMovss, d, m); }
  Error movss(const Mem& m, const Xmm& s) { return sse(0xf3, 0x11, s.id(), m, asmjit::x86::Inst::kIdMovss, m, s); }
  Error movsd(const Xmm& d, const Mem& m) { return sse(0xf2, 0x10, d.id(), m, asmjit::x86::Inst::kIdMovsd, d, m); }
  Error movsd(const Mem& m, const Xmm& s) { return sse(0xf2, 0x11, s.id(), m, asmjit::x86::Inst::kIdMovsd, m, s); }
  Error movups(const Xmm& d, const Mem& m) { return sse(0, 0x10, d.id(), m, asmjit::x86::Inst::kIdMovups, d, m); }
  Error movups(const Mem& m, const Xmm& s) { return sse(0, 0x11, s.id(), m, asmjit::x86::Inst::kIdMovups, m, s); }
  Error movaps(const Xmm& d, const Xmm& s) { return sseRR(0, 0x28, d, s, asmjit::x86::Inst::kIdMovaps); }
  // Scalar float arithmetic and compares between registers (large.wasm: 33,000 of its
  // instructions went to asmjit's encoder): prefix (0 none), the opcode after 0F.
#define STRATA_SSE_RR(name, prefix, op, id) \
  Error name(const Xmm& d, const Xmm& s) { return sseRR(prefix, op, d, s, asmjit::x86::Inst::id); }
  STRATA_SSE_RR(addsd, 0xf2, 0x58, kIdAddsd)
  STRATA_SSE_RR(subsd, 0xf2, 0x5c, kIdSubsd)
  STRATA_SSE_RR(mulsd, 0xf2, 0x59, kIdMulsd)
  STRATA_SSE_RR(divsd, 0xf2, 0x5e, kIdDivsd)
  STRATA_SSE_RR(addss, 0xf3, 0x58, kIdAddss)
  STRATA_SSE_RR(subss, 0xf3, 0x5c, kIdSubss)
  STRATA_SSE_RR(mulss, 0xf3, 0x59, kIdMulss)
  STRATA_SSE_RR(divss, 0xf3, 0x5e, kIdDivss)
  STRATA_SSE_RR(ucomisd, 0x66, 0x2e, kIdUcomisd)
  STRATA_SSE_RR(ucomiss, 0, 0x2e, kIdUcomiss)
  STRATA_SSE_RR(xorps, 0, 0x57, kIdXorps)
#undef STRATA_SSE_RR

  // Whether the direct path may write now (no pending prefix or option, no logger, room for
  // the longest form); public for the test.
  bool directOk() const {
    return remainingSpace() >= 16 && uint32_t(_instOptions | _forcedInstOptions) == 0 && !_extraReg.isReg() &&
           _inlineComment == nullptr;
  }

 private:
  // Operand checks: 32/64-bit general registers, and memory as [base + index*scale + disp32]
  // or [index*scale + disp32] with 64-bit registers (no label, rip, segment or absolute
  // address). The form without a base is the generator's lea for a multiply or shift by 2, 4
  // or 8 plus a constant (large.wasm: 18,000 of them went to asmjit's encoder).
  static bool gp(const Gp& r) { return r.isGpd() || r.isGpq(); }
  static bool simpleMem(const Mem& m) {
    auto index_ok = [&] { return m.indexType() == asmjit::RegType::kX86_Gpq && m.indexId() != 4; };
    if (m.hasBaseReg()) [[likely]]
      return m.baseType() == asmjit::RegType::kX86_Gpq && !m.hasSegment() && (!m.hasIndex() || index_ok());
    return !m.hasBase() && m.hasIndex() && index_ok() && !m.hasSegment() && m.offset() == int64_t(m.offsetLo32());
  }

  // The write cursor, kept in a local while an instruction is encoded: byte stores through the
  // member itself would make the compiler reload it after each (a uint8_t store may alias it).
  struct Out {
    uint8_t* p;
    void byte(uint32_t b) { *p++ = uint8_t(b); }
    void dword(uint32_t v) {
      std::memcpy(p, &v, 4);
      p += 4;
    }
    // REX with W, R (reg), X (index), B (base or rm); `force`: a byte register that needs it.
    void rex(bool w, uint32_t reg, uint32_t index, uint32_t base, bool force = false) {
      uint32_t r = (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((base >> 3) & 1);
      if (r || force) byte(0x40 | r);
    }
    void modrmMem(uint32_t reg, const Mem& m);
    // [base + disp] without an index: mod 00 carries no displacement, except that base 101
    // (rbp, r13) then means rip or no base, so it always carries one; base 100 (rsp, r12)
    // means a SIB byte follows.
    void modrmBaseDisp(uint32_t reg, uint32_t base, int32_t disp) {
      base &= 7;
      uint32_t mod = disp == 0 && base != 5 ? 0x00 : int8_t(disp) == disp ? 0x40 : 0x80;
      byte(mod | (reg & 7) << 3 | base);
      if (base == 4) byte(0x24);  // SIB: no index, base rsp/r12
      if (mod == 0x40) byte(uint32_t(disp));
      else if (mod == 0x80) dword(uint32_t(disp));
    }
    void modrmReg(uint32_t reg, uint32_t rm) { byte(0xc0 | (reg & 7) << 3 | (rm & 7)); }
  };
  // After a direct write: asmjit's cursor and section size move as after its own.
  void finish(const Out& o) {
    _bufferPtr = o.p;
    auto off = size_t(o.p - _bufferData);
    if (off > _section->_buffer._size) _section->_buffer._size = off;
  }
  static uint32_t memIndex(const Mem& m) { return m.hasIndex() ? m.indexId() : 0; }
  // Without a base register, baseId() holds the high half of an absolute address.
  static uint32_t memBase(const Mem& m) { return m.hasBaseReg() ? m.baseId() : 0; }

  // op r/m(rmr), reg: one-byte opcode, both general registers of one size.
  Error rr(uint32_t op, const Gp& reg, const Gp& rmr, asmjit::InstId id);
  // Two-byte 0F xx opcode, reg <- r/m.
  Error rr2(uint32_t op, const Gp& reg, const Gp& rmr, asmjit::InstId id);
  // The most frequent memory form, [base + disp] with a 64-bit base (frame slots, locals,
  // the instance), recognized by one compare of the operand's signature (any access size)
  // and encoded inline; everything else goes through rmGeneral.
  Error rm(uint32_t op, const Gp& reg, const Mem& m, asmjit::InstId id) {
    if ((m.signature().bits() & ~asmjit::OperandSignature::kSizeMask) != kBaseDispSig || !gp(reg) || !directOk())
      return rmGeneral(op, reg, m, id);
    Out o{_bufferPtr};
    uint32_t base = m.baseId();
    o.rex(reg.isGpq(), reg.id(), 0, base);
    o.byte(op);
    o.modrmBaseDisp(reg.id(), base, m.offsetLo32());
    finish(o);
    return asmjit::kErrorOk;
  }
  static inline const uint32_t kBaseDispSig = asmjit::x86::ptr(asmjit::x86::rax, 0).signature().bits();
  Error rmGeneral(uint32_t op, const Gp& reg, const Mem& m, asmjit::InstId id);
  Error rm2(uint32_t op, const Gp& reg, const Mem& m, asmjit::InstId id);
  // movzx/movsx from memory: `op` the byte form, +1 the word form, by the operand's size.
  Error extLoad(uint32_t op, const Gp& d, const Mem& m, asmjit::InstId id) {
    if (m.size() != 1 && m.size() != 2) return _emitI(id, d, m);
    return rm2(op + (m.size() == 2), d, m, id);
  }
  Error aluImm(uint32_t n, const Gp& d, const Imm& i, asmjit::InstId id);
  Error aluImm(uint32_t n, const Mem& m, const Imm& i, asmjit::InstId id);
  Error shiftImm(uint32_t n, const Gp& d, const Imm& i, asmjit::InstId id);
  Error shiftCl(uint32_t n, const Gp& d, const Gp& c, asmjit::InstId id);
  Error sse(uint32_t prefix, uint32_t op, uint32_t reg, const Mem& m, asmjit::InstId id, const asmjit::Operand& o0,
            const asmjit::Operand& o1);
  Error sseRR(uint32_t prefix, uint32_t op, const Xmm& d, const Xmm& s, asmjit::InstId id);
  Error jump(int cc, const asmjit::Label& l);  // cc -1: jmp
  Error jumpLocal(int cc, uint32_t index);
  // Writes jmp/jcc to `target` (a text offset; -1: unbound, a rel32 of zero); returns the offset
  // of its rel32 field, -1 for the rel8 form. Room for 6 bytes is the caller's.
  int64_t writeJump(int cc, int64_t target);

  static constexpr uint32_t kLocalTag = 0x40000000;  // asmjit's own label ids are small indices
  static constexpr uint32_t kNoLink = UINT32_MAX;
  struct Link {
    uint32_t at;    // offset of the rel32 field in the text section
    uint32_t next;  // the label's next link, or kNoLink
  };
  std::vector<int64_t> local_at_;     // bound offset, or -1
  std::vector<uint32_t> local_head_;  // first unresolved link
  std::vector<Link> links_;
};

}  // namespace strata::jit
