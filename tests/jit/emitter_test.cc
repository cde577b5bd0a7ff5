// jit::Emitter's direct encodings give asmjit's bytes, for every register, size, addressing
// form and immediate class (so the generated code is the same with or without them).
#include "jit/emitter.h"

#include <gtest/gtest.h>

#include <functional>
#include <type_traits>
#include <string>
#include <vector>

namespace strata::jit {
namespace {

namespace x86 = asmjit::x86;
using asmjit::imm;

// Bytes of one instruction emitted through `direct` (Emitter) and through plain asmjit.
struct Pair {
  std::vector<uint8_t> ours, theirs;
  bool direct_taken = false;
};

// A code holder over a fixed external buffer, as compileInto sets it up (the direct path needs
// room at the cursor).
struct Holder {
  uint8_t storage[4096];
  asmjit::CodeHolder code;
  Holder() {
    code.init(asmjit::Environment::host());
    asmjit::CodeBuffer& b = code.textSection()->_buffer;
    b._data = storage;
    b._capacity = sizeof storage;
    b._size = 0;
    b._flags = asmjit::CodeBufferFlags::kIsExternal | asmjit::CodeBufferFlags::kIsFixed;
  }
};

Pair emitBoth(const std::function<void(x86::Assembler&)>& f) {
  Pair p;
  for (int k = 0; k < 2; ++k) {
    Holder h;
    asmjit::CodeHolder& code = h.code;
    std::vector<uint8_t>& out = k == 0 ? p.ours : p.theirs;
    if (k == 0) {
      Emitter e(&code);
      p.direct_taken = e.directOk();
      f(e);
    } else {
      x86::Assembler a(&code);
      f(a);
    }
    const asmjit::CodeBuffer& b = code.textSection()->buffer();
    out.assign(b.data(), b.data() + b.size());
  }
  return p;
}

std::string hex(const std::vector<uint8_t>& v) {
  std::string s;
  for (uint8_t b : v) s += "0123456789abcdef"[b >> 4], s += "0123456789abcdef"[b & 15], s += ' ';
  return s;
}

// Emitter's overloads are not virtual: the lambda must call them on an Emitter.
#define EXPECT_SAME(label, body)                                                                  \
  do {                                                                                            \
    Pair p_ = emitBoth([&](x86::Assembler& a_) {                                                  \
      if (auto* e = dynamic_cast<Emitter*>(&a_)) { auto& a = *e; body; } else { auto& a = a_; body; } \
    });                                                                                           \
    EXPECT_EQ(hex(p_.ours), hex(p_.theirs)) << label;                                             \
    EXPECT_FALSE(p_.ours.empty()) << label;                                                       \
    EXPECT_TRUE(p_.direct_taken) << label;                                                       \
  } while (0)

std::vector<x86::Mem> mems(uint32_t size) {
  std::vector<x86::Mem> out;
  for (uint32_t base = 0; base < 16; ++base) {
    for (int32_t disp : {0, 8, -8, 127, -128, 128, -129, 4096, -100000}) {
      out.push_back(x86::ptr(x86::gpq(base), disp, size));
      for (uint32_t index : {0u, 5u, 9u, 13u})
        if (index != 4) out.push_back(x86::ptr(x86::gpq(base), x86::gpq(index), base % 4, disp, size));
    }
  }
  // No base: [index*scale + disp32].
  for (uint32_t index : {0u, 5u, 9u, 13u, 15u})
    for (int32_t disp : {0, 8, -8, 127, 128, -100000})
      for (uint32_t shift = 0; shift < 4; ++shift)
        out.push_back(x86::ptr(uint64_t(int64_t(disp)), x86::gpq(index), shift, size));
  return out;
}

const int64_t kImms[] = {0, 1, -1, 127, -128, 128, -129, 0x7fffffff, -0x80000000LL, 0x80000000LL, 0xffffffffLL,
                         0x100000000LL, -0x80000001LL, 0x123456789abcdefLL};

TEST(Emitter, DirectPathIsTaken) {
  Holder h;
  Emitter e(&h.code);
  EXPECT_TRUE(e.directOk());
  e.mov(x86::eax, x86::ecx);
  EXPECT_EQ(e.offset(), 2u);
  EXPECT_EQ(h.code.textSection()->buffer().size(), 2u);
}

TEST(Emitter, GeneralRegisters) {
  for (uint32_t i = 0; i < 16; ++i) {
    for (uint32_t j = 0; j < 16; ++j) {
      for (bool w : {false, true}) {
        x86::Gp d = w ? x86::Gp(x86::gpq(i)) : x86::Gp(x86::gpd(i));
        x86::Gp s = w ? x86::Gp(x86::gpq(j)) : x86::Gp(x86::gpd(j));
        std::string l = std::to_string(i) + "," + std::to_string(j) + (w ? " q" : " d");
        EXPECT_SAME("mov " + l, a.mov(d, s));
        EXPECT_SAME("add " + l, a.add(d, s));
        EXPECT_SAME("sub " + l, a.sub(d, s));
        EXPECT_SAME("and " + l, a.and_(d, s));
        EXPECT_SAME("or " + l, a.or_(d, s));
        EXPECT_SAME("xor " + l, a.xor_(d, s));
        EXPECT_SAME("cmp " + l, a.cmp(d, s));
        EXPECT_SAME("test " + l, a.test(d, s));
        EXPECT_SAME("imul " + l, a.imul(d, s));
        EXPECT_SAME("movzx " + l, a.movzx(d, x86::gpb(j)));
        EXPECT_SAME("movaps " + l, a.movaps(x86::xmm(i), x86::xmm(j)));
        x86::Xmm xd = x86::xmm(i), xs = x86::xmm(j);
        EXPECT_SAME("addsd " + l, a.addsd(xd, xs));
        EXPECT_SAME("subsd " + l, a.subsd(xd, xs));
        EXPECT_SAME("mulsd " + l, a.mulsd(xd, xs));
        EXPECT_SAME("divsd " + l, a.divsd(xd, xs));
        EXPECT_SAME("addss " + l, a.addss(xd, xs));
        EXPECT_SAME("subss " + l, a.subss(xd, xs));
        EXPECT_SAME("mulss " + l, a.mulss(xd, xs));
        EXPECT_SAME("divss " + l, a.divss(xd, xs));
        EXPECT_SAME("ucomisd " + l, a.ucomisd(xd, xs));
        EXPECT_SAME("ucomiss " + l, a.ucomiss(xd, xs));
        EXPECT_SAME("xorps " + l, a.xorps(xd, xs));
      }
    }
    for (bool w : {false, true}) {
      x86::Gp d = w ? x86::Gp(x86::gpq(i)) : x86::Gp(x86::gpd(i));
      for (int64_t n : {0, 1, 2, 31, 63}) {
        EXPECT_SAME("shl", a.shl(d, imm(n)));
        EXPECT_SAME("shr", a.shr(d, imm(n)));
        EXPECT_SAME("sar", a.sar(d, imm(n)));
        EXPECT_SAME("rol", a.rol(d, imm(n)));
        EXPECT_SAME("ror", a.ror(d, imm(n)));
      }
      EXPECT_SAME("shl cl", a.shl(d, x86::cl));
      EXPECT_SAME("sar cl", a.sar(d, x86::cl));
      EXPECT_SAME("ror cl", a.ror(d, x86::cl));
      for (int64_t v : kImms) {
        if (!asmjit::Support::isInt32(v)) continue;
        for (uint32_t j : {0u, 5u, 12u})
          EXPECT_SAME("imul ri", a.imul(d, w ? x86::Gp(x86::gpq(j)) : x86::Gp(x86::gpd(j)), imm(v)));
      }
    }
    for (uint32_t cc = 0; cc < 16; ++cc) EXPECT_SAME("set", a.set(x86::CondCode(cc), x86::gpb(i)));
  }
}

// select's cmov under every condition, between every pair of registers of both widths.
TEST(Emitter, ConditionalMoves) {
  for (int cc = 0; cc < 16; ++cc)
    for (uint32_t d = 0; d < 16; ++d)
      for (uint32_t r : {0u, 4u, 5u, 8u, 13u, 15u}) {
        std::string label = "cmov cc " + std::to_string(cc) + " " + std::to_string(d) + "," + std::to_string(r);
        EXPECT_SAME(label, a.cmov(x86::CondCode(cc), x86::gpd(d), x86::gpd(r)));
        EXPECT_SAME(label, a.cmov(x86::CondCode(cc), x86::gpq(d), x86::gpq(r)));
      }
}

TEST(Emitter, Immediates) {
  for (uint32_t i = 0; i < 16; ++i) {
    for (int64_t v : kImms) {
      std::string l = std::to_string(i) + " " + std::to_string(v);
      EXPECT_SAME("mov q " + l, a.mov(x86::gpq(i), imm(v)));
      if (asmjit::Support::isInt32(v) || asmjit::Support::isUInt32(v)) {
        EXPECT_SAME("mov d " + l, a.mov(x86::gpd(i), imm(v)));
        EXPECT_SAME("add d " + l, a.add(x86::gpd(i), imm(v)));
        EXPECT_SAME("cmp d " + l, a.cmp(x86::gpd(i), imm(v)));
        EXPECT_SAME("and d " + l, a.and_(x86::gpd(i), imm(v)));
      }
      if (asmjit::Support::isInt32(v)) {
        EXPECT_SAME("add q " + l, a.add(x86::gpq(i), imm(v)));
        EXPECT_SAME("sub q " + l, a.sub(x86::gpq(i), imm(v)));
        EXPECT_SAME("xor q " + l, a.xor_(x86::gpq(i), imm(v)));
        EXPECT_SAME("or q " + l, a.or_(x86::gpq(i), imm(v)));
      }
    }
  }
}

TEST(Emitter, Memory) {
  for (uint32_t size : {4u, 8u}) {
    for (const x86::Mem& m : mems(size)) {
      for (uint32_t r : {0u, 3u, 4u, 5u, 8u, 12u, 13u, 15u}) {
        x86::Gp g = size == 8 ? x86::Gp(x86::gpq(r)) : x86::Gp(x86::gpd(r));
        EXPECT_SAME("mov load", a.mov(g, m));
        EXPECT_SAME("mov store", a.mov(m, g));
        EXPECT_SAME("lea", a.lea(g, m));
        EXPECT_SAME("add rm", a.add(g, m));
        EXPECT_SAME("add mr", a.add(m, g));
        EXPECT_SAME("cmp rm", a.cmp(g, m));
        EXPECT_SAME("cmp mr", a.cmp(m, g));
        EXPECT_SAME("imul rm", a.imul(g, m));
        EXPECT_SAME("movss load", a.movss(x86::xmm(r), m));
        EXPECT_SAME("movss store", a.movss(m, x86::xmm(r)));
        EXPECT_SAME("movsd load", a.movsd(x86::xmm(r), m));
        EXPECT_SAME("movsd store", a.movsd(m, x86::xmm(r)));
        EXPECT_SAME("movups load", a.movups(x86::xmm(r), m));
        EXPECT_SAME("movups store", a.movups(m, x86::xmm(r)));
      }
      for (int64_t v : kImms) {
        if (size == 8 ? !asmjit::Support::isInt32(v) : !(asmjit::Support::isInt32(v) || asmjit::Support::isUInt32(v)))
          continue;
        EXPECT_SAME("mov mi", a.mov(m, imm(v)));
        EXPECT_SAME("cmp mi", a.cmp(m, imm(v)));
        EXPECT_SAME("add mi", a.add(m, imm(v)));
      }
    }
  }
  // The extending loads, into every register of both widths.
  for (uint32_t size : {1u, 2u, 4u})
    for (const x86::Mem& m : mems(size))
      for (uint32_t r : {0u, 3u, 4u, 5u, 8u, 12u, 13u, 15u}) {
        if (size == 4) {
          EXPECT_SAME("movsxd", a.movsxd(x86::gpq(r), m));
          continue;
        }
        EXPECT_SAME("movzx 32", a.movzx(x86::gpd(r), m));
        EXPECT_SAME("movzx 64", a.movzx(x86::gpq(r), m));
        EXPECT_SAME("movsx 32", a.movsx(x86::gpd(r), m));
        EXPECT_SAME("movsx 64", a.movsx(x86::gpq(r), m));
      }
  // lea of a 32-bit result from a 64-bit address (the generator's i32.add of a cached local).
  for (const x86::Mem& m : mems(0)) EXPECT_SAME("lea d", a.lea(x86::edi, m));
}

// Every jump case: unconditional (cc -1) and under every condition, with gaps around rel8's reach.
void forEachJump(const std::function<void(int cc, int gap, const std::string& label)>& f) {
  for (int cc = -1; cc < 16; ++cc)
    for (int gap : {0, 3, 120, 125, 126, 127, 128, 129, 130, 300})
      f(cc, gap, "cc " + std::to_string(cc) + " gap " + std::to_string(gap));
}

template <class A>
void jumpTo(A& a, int cc, asmjit::Label l) {
  if (cc < 0) a.jmp(l);
  else a.j(x86::CondCode(cc), l);
}

// Jumps to labels: forward (a link, filled in at bind), backward in rel8 reach and beyond it,
// unconditional and under every condition, and the unresolved-link count back to zero.
TEST(Emitter, JumpsToLabels) {
  forEachJump([](int cc, int gap, const std::string& label) {
    EXPECT_SAME(label + " forward", {
      asmjit::Label l = a.newLabel();
      jumpTo(a, cc, l);
      for (int i = 0; i < gap; ++i) a.nop();
      a.bind(l);
      EXPECT_EQ(a.code()->unresolvedLinkCount(), 0u);
    });
    EXPECT_SAME(label + " backward", {
      asmjit::Label l = a.newLabel();
      a.bind(l);
      for (int i = 0; i < gap; ++i) a.nop();
      jumpTo(a, cc, l);
    });
  });
}

// A function's own labels (Emitter::newLocal): the same bytes as asmjit's labels, for one and
// for several jumps to a label, either way, near and far.
TEST(Emitter, LocalLabelsEncodeAsAsmjitLabels) {
  auto newL = [](auto& a) {
    if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Emitter>) return a.newLocal();
    else return a.newLabel();
  };
  forEachJump([&](int cc, int gap, const std::string& label) {
    EXPECT_SAME(label + " forward, three jumps", {
      asmjit::Label l = newL(a);
      asmjit::Label other = newL(a);
      jumpTo(a, cc, l);
      a.nop();
      jumpTo(a, cc, other);
      jumpTo(a, cc, l);
      for (int i = 0; i < gap; ++i) a.nop();
      a.bind(other);
      jumpTo(a, cc, l);
      a.bind(l);
    });
    EXPECT_SAME(label + " backward, twice", {
      asmjit::Label l = newL(a);
      a.bind(l);
      for (int i = 0; i < gap; ++i) a.nop();
      jumpTo(a, cc, l);
      jumpTo(a, cc, l);
    });
  });
}

TEST(Emitter, LocalLabelsLeftUnboundOrBoundTwiceAreErrors) {
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
  struct Errors : asmjit::ErrorHandler {
    int count = 0;
    void handleError(asmjit::Error, const char*, asmjit::BaseEmitter*) override { ++count; }
  } errors;
  code.setErrorHandler(&errors);
  Emitter a(&code);
  a.beginLocals();
  asmjit::Label l = a.newLocal(), m = a.newLocal();
  EXPECT_TRUE(Emitter::isLocal(l));
  a.jmp(l);
  a.jz(m);
  EXPECT_FALSE(a.endLocals());
  a.bind(l);
  EXPECT_FALSE(a.endLocals());  // m is still waited for
  a.bind(m);
  EXPECT_TRUE(a.endLocals());
  EXPECT_EQ(errors.count, 0);
  a.bind(m);
  EXPECT_EQ(errors.count, 1);
  // After beginLocals, the last function's labels are gone.
  a.beginLocals();
  a.jmp(l);
  EXPECT_EQ(errors.count, 2);
}

}  // namespace
}  // namespace strata::jit
