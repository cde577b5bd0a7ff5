// The code generator's machinery: frame, registers, the virtual stack, trap stubs, sites.
#include "jit/codegen.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>

#include <fmt/core.h>

#include "jit/stubs.h"

namespace strata::jit {

using asmjit::Label;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

namespace {

// Allocation order: registers no instruction needs for itself first; rax, rcx and rdx last
// (division and shifts take them). r11 is the scratch register, r14 the memory base, r15 the
// vmctx; rsp and rbp hold the frame.
constexpr uint8_t kGprOrder[] = {Gp::kIdSi, Gp::kIdDi, Gp::kIdR8, Gp::kIdR9, Gp::kIdR10, Gp::kIdR12,
                                 Gp::kIdR13, Gp::kIdBx, Gp::kIdAx, Gp::kIdCx, Gp::kIdDx};
constexpr uint8_t kXmmCount = 15;  // xmm15 is the scratch register

// Overwrites n bytes of code with the recommended multi-byte nops (Intel SDM, NOP), at most
// 8 bytes each: code that onEnd finds unneeded (a leaf's stack check: 8 + 8 + 6).
void fillNops(uint8_t* p, size_t n) {
  static const uint8_t kNops[9][8] = {{},
                                      {0x90},
                                      {0x66, 0x90},
                                      {0x0f, 0x1f, 0x00},
                                      {0x0f, 0x1f, 0x40, 0x00},
                                      {0x0f, 0x1f, 0x44, 0x00, 0x00},
                                      {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
                                      {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
                                      {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}};
  for (size_t k; n > 0; p += k, n -= k) {
    k = std::min<size_t>(n, 8);
    std::memcpy(p, kNops[k], k);
  }
}

// The first register of kGprOrder not in `used`, or -1, without the loop: that order is the
// ids 6, 7, 8, 9, 10, 12, 13 ascending (rsi .. r13), then rbx (3), then rax, rcx, rdx (0..2).
constexpr int firstFreeGpr(uint32_t used) {
  uint32_t free = ~used;
  if (uint32_t m = free & 0x37c0u) return std::countr_zero(m);
  if (free & 0x8u) return 3;
  if (uint32_t m = free & 0x7u) return std::countr_zero(m);
  return -1;
}

constexpr bool firstFreeGprFollowsOrder() {
  for (uint32_t used = 0; used < (1u << 16); ++used) {
    int want = -1;
    for (uint8_t id : kGprOrder) {
      if (!(used & (1u << id))) {
        want = id;
        break;
      }
    }
    if (firstFreeGpr(used) != want) return false;
  }
  return true;
}
static_assert(firstFreeGprFollowsOrder());

}  // namespace

FuncCompiler::FuncCompiler(ModuleState& ms, uint32_t func_index, vm::FuncCodeInfo& info)
    : ms_(ms), module_(*ms.module), func_index_(func_index), info_(info) {
  swapScratch();
  clearArrays();
  type_ = &module_.funcType(func_index);
  info_.func_index = func_index;
}

FuncCompiler::~FuncCompiler() { swapScratch(); }

void FuncCompiler::swapScratch() {
  Scratch& s = scratch_;
  local_kinds_.swap(s.local_kinds), stack_.swap(s.stack), ctrls_.swap(s.ctrls), stubs_.swap(s.stubs);
  table_entries_.swap(s.table_entries);
  local_cache_.swap(s.local_cache), local_dirty_.swap(s.local_dirty), cached_.swap(s.cached);
  dead_at_.swap(s.dead_at), dead_saved_.swap(s.dead_saved), base_loads_.swap(s.base_loads), wasm_map_.swap(s.wasm_map);
}

void FuncCompiler::clearArrays() {
  local_kinds_.clear(), stack_.clear(), ctrls_.clear(), stubs_.clear(), table_entries_.clear();
  local_cache_.clear(), local_dirty_.clear(), cached_.clear(), dead_at_.clear(), dead_saved_.clear(), base_loads_.clear(), wasm_map_.clear();
}

int32_t FuncCompiler::localDisp(uint32_t i) const {
  if (i < num_params_) return 16 + 16 * int32_t(i);
  return -16 - 16 * int32_t(i - num_params_ + 1);
}

// ---- registers ----

int FuncCompiler::freeGpr(uint32_t avoid) const { return firstFreeGpr(gpr_used_ | avoid); }

int FuncCompiler::freeXmmReg() const {
  uint32_t free = ~xmm_used_ & ((1u << kXmmCount) - 1);
  return free ? std::countr_zero(free) : -1;  // the lowest: xmm0 first
}

Gp FuncCompiler::allocGpr(uint32_t avoid) {
  for (;;) {
    if (int id = firstFreeGpr(gpr_used_ | avoid); id >= 0) {
      take(Cls::Gpr, uint8_t(id));
      return gpq(uint8_t(id));
    }
    if (!dropOneCache(Cls::Gpr, avoid)) spillOne(Cls::Gpr, avoid);
  }
}

Xmm FuncCompiler::allocXmm(uint32_t avoid) {
  for (;;) {
    if (uint32_t free = ~(xmm_used_ | avoid) & ((1u << kXmmCount) - 1)) {
      auto id = uint8_t(std::countr_zero(free));  // the lowest: xmm0 first, as before
      take(Cls::Xmm, id);
      return xmm(id);
    }
    if (!dropOneCache(Cls::Xmm, avoid)) spillOne(Cls::Xmm, avoid);
  }
}

void FuncCompiler::release(const Val& v) {
  if (v.loc != Loc::Reg) return;
  (clsOf(v.kind) == Cls::Gpr ? gpr_used_ : xmm_used_) &= ~(1u << v.reg);
}

// The deepest entry is spilled: the top of the stack is used soonest.
void FuncCompiler::spillOne(Cls c, uint32_t avoid) {
  for (size_t i = 0; i < stack_.size(); ++i) {
    Val& v = stack_[i];
    if (v.loc == Loc::Reg && clsOf(v.kind) == c && !(avoid & (1u << v.reg))) {
      spillEntry(i);
      return;
    }
  }
  error_ = makeError(ErrorKind::Unsupported, wasm_offset_, "baseline: out of registers");
  // Keep going with a register nobody owns: the module is rejected anyway.
  (c == Cls::Gpr ? gpr_used_ : xmm_used_) = 0;
}

void FuncCompiler::evict(Cls c, uint8_t id) {
  uint32_t& used = c == Cls::Gpr ? gpr_used_ : xmm_used_;
  if (!(used & (1u << id))) return;
  for (uint32_t local : cached_) {
    if (local_cache_[local] == int(id) && clsOf(local_kinds_[local]) == c) {
      dropCache(local);
      return;
    }
  }
  for (size_t i = 0; i < stack_.size(); ++i) {
    Val& v = stack_[i];
    if (v.loc == Loc::Reg && clsOf(v.kind) == c && v.reg == id) {
      if (c == Cls::Gpr) {
        Gp to = allocGpr(1u << id);
        a().mov(to, gpq(id));
        v.reg = uint8_t(to.id());
      } else {
        Xmm to = allocXmm(1u << id);
        a().movaps(to, xmm(id));
        v.reg = uint8_t(to.id());
      }
      used &= ~(1u << id);
      return;
    }
  }
  used &= ~(1u << id);
}

// ---- entries ----

void FuncCompiler::pushConst(ValKind k, uint64_t lo, uint64_t hi) {
  Val v;
  v.loc = Loc::Const;
  v.kind = k;
  v.imm = lo;
  v.imm_hi = hi;
  stack_.push_back(v);
}

FuncCompiler::Val FuncCompiler::pop() {
  Val v = stack_.back();
  stack_.pop_back();
  release(v);
  return v;
}

void FuncCompiler::materializeTop() {
  Val& v = top();
  Gp r = allocGpr();
  a().set(v.cc, gpb(r.id()));
  a().movzx(r.r32(), gpb(r.id()));
  v.loc = Loc::Reg;
  v.reg = uint8_t(r.id());
}

Gp FuncCompiler::toGprSlow(Val& v, uint32_t avoid) {
  switch (v.loc) {
    case Loc::Reg: return gpq(v.reg);
    case Loc::Flags: {
      Gp r = allocGpr(avoid);
      a().set(v.cc, gpb(r.id()));
      a().movzx(r.r32(), gpb(r.id()));
      v.loc = Loc::Reg;
      v.reg = uint8_t(r.id());
      return r;
    }
    case Loc::Const: {
      Gp r = allocGpr(avoid);
      if (is64(v.kind) || v.kind == ValKind::F64) a().mov(r, asmjit::imm(int64_t(v.imm)));
      else a().mov(r.r32(), asmjit::imm(uint32_t(v.imm)));
      v.loc = Loc::Reg;
      v.reg = uint8_t(r.id());
      return r;
    }
    case Loc::Mem: {
      int c = cacheOf(v);
      Gp r = allocGpr(avoid | (c >= 0 ? 1u << c : 0));
      if (c >= 0) a().mov(r, gpq(c));
      else if (is64(v.kind)) a().mov(r, qword_ptr(rbp, v.disp));
      else a().mov(r.r32(), dword_ptr(rbp, v.disp));
      v.loc = Loc::Reg;
      v.reg = uint8_t(r.id());
      return r;
    }
  }
  return r11;
}

Xmm FuncCompiler::toXmmSlow(Val& v, uint32_t avoid) {
  if (v.loc == Loc::Reg) return xmm(v.reg);
  int c = cacheOf(v);
  Xmm r = allocXmm(avoid | (c >= 0 ? 1u << c : 0));
  if (c >= 0) {
    a().movaps(r, xmm(c));
  } else if (v.loc == Loc::Const) {
    if (v.kind == ValKind::V128) {
      a().mov(r11, asmjit::imm(int64_t(v.imm)));
      a().movq(r, r11);
      a().mov(r11, asmjit::imm(int64_t(v.imm_hi)));
      a().pinsrq(r, r11, 1);
    } else if (v.imm == 0) {
      a().xorps(r, r);
    } else {
      a().mov(r11, asmjit::imm(int64_t(v.imm)));
      a().movq(r, r11);
    }
  } else {
    switch (v.kind) {
      case ValKind::F32: a().movss(r, dword_ptr(rbp, v.disp)); break;
      case ValKind::F64: a().movsd(r, qword_ptr(rbp, v.disp)); break;
      default: a().movups(r, xmmword_ptr(rbp, v.disp)); break;
    }
  }
  v.loc = Loc::Reg;
  v.reg = uint8_t(r.id());
  return r;
}

void FuncCompiler::storeImm64(const asmjit::x86::Mem& m, uint64_t bits) {
  if (int64_t(bits) == int64_t(int32_t(bits))) {
    a().mov(m, asmjit::imm(int32_t(bits)));
  } else {
    a().mov(r11, asmjit::imm(int64_t(bits)));
    a().mov(m, r11);
  }
}

void FuncCompiler::storeTo(const Val& v, int32_t disp) {
  switch (v.loc) {
    case Loc::Reg:
      switch (v.kind) {
        case ValKind::I32: a().mov(dword_ptr(rbp, disp), gpd(v.reg)); break;
        case ValKind::F32: a().movss(dword_ptr(rbp, disp), xmm(v.reg)); break;
        case ValKind::F64: a().movsd(qword_ptr(rbp, disp), xmm(v.reg)); break;
        case ValKind::V128: a().movups(xmmword_ptr(rbp, disp), xmm(v.reg)); break;
        default: a().mov(qword_ptr(rbp, disp), gpq(v.reg)); break;
      }
      return;
    case Loc::Flags:
      // One 4-byte store (through the scratch register): the later 4-byte load of a value
      // written by three narrower stores could not be forwarded from them.
      a().set(v.cc, r11b);
      a().movzx(r11d, r11b);
      a().mov(dword_ptr(rbp, disp), r11d);
      return;
    case Loc::Const: {
      if (v.kind == ValKind::I32 || v.kind == ValKind::F32) a().mov(dword_ptr(rbp, disp), asmjit::imm(uint32_t(v.imm)));
      else storeImm64(qword_ptr(rbp, disp), v.imm);
      if (v.kind == ValKind::V128) storeImm64(qword_ptr(rbp, disp + 8), v.imm_hi);
      return;
    }
    case Loc::Mem:
      if (int c = cacheOf(v); c >= 0) {
        // Into the local's own home only when the cache is newer (a result over the parameter
        // it returns).
        if (v.disp == disp && !local_dirty_[size_t(localOfDisp(disp))]) return;
        Val r = v;
        r.loc = Loc::Reg;
        r.reg = uint8_t(c);
        storeTo(r, disp);
        return;
      }
      if (v.disp == disp) return;
      if (v.kind == ValKind::V128) {
        a().movups(xmm15, xmmword_ptr(rbp, v.disp));
        a().movups(xmmword_ptr(rbp, disp), xmm15);
      } else if (v.kind == ValKind::I32 || v.kind == ValKind::F32) {
        a().mov(r11d, dword_ptr(rbp, v.disp));
        a().mov(dword_ptr(rbp, disp), r11d);
      } else {
        a().mov(r11, qword_ptr(rbp, v.disp));
        a().mov(qword_ptr(rbp, disp), r11);
      }
      return;
  }
}

void FuncCompiler::spillEntry(size_t pos) {
  Val& v = stack_[pos];
  int32_t own = slotDisp(pos);
  if (v.loc == Loc::Mem && v.disp == own) return;
  storeTo(v, own);
  release(v);
  v.loc = Loc::Mem;
  v.disp = own;
  max_height_ = std::max(max_height_, pos + 1);
}

void FuncCompiler::spillAll() {
  for (size_t i = 0; i < stack_.size(); ++i) spillEntry(i);
}

void FuncCompiler::spillRegs() {
  flushCaches();  // a call clobbers every register: the homes take the values first
  clearCaches();
  for (size_t i = 0; i < stack_.size(); ++i)
    if (stack_[i].loc == Loc::Reg || stack_[i].loc == Loc::Flags) spillEntry(i);
}

void FuncCompiler::spillAliasesOf(int32_t disp) {
  for (size_t i = 0; i < stack_.size(); ++i)
    if (stack_[i].loc == Loc::Mem && stack_[i].disp == disp && disp != slotDisp(i)) spillEntry(i);
}

// ---- the register cache of locals ----

void FuncCompiler::setCache(uint32_t local, int reg, bool dirty) {
  forgetCache(local);
  local_cache_[local] = int8_t(reg);
  local_dirty_[local] = dirty;
  dirty_n_ += dirty;
  cached_.push_back(local);
  take(clsOf(local_kinds_[local]), uint8_t(reg));
}

void FuncCompiler::storeHome(uint32_t local) {
  Val v;
  v.loc = Loc::Reg;
  v.kind = local_kinds_[local];
  v.reg = uint8_t(local_cache_[local]);
  storeTo(v, localDisp(local));
}

void FuncCompiler::loadHome(uint32_t local, uint8_t r) {
  int32_t d = localDisp(local);
  switch (local_kinds_[local]) {
    case ValKind::I32: a().mov(gpd(r), dword_ptr(rbp, d)); break;
    case ValKind::F32: a().movss(xmm(r), dword_ptr(rbp, d)); break;
    case ValKind::F64: a().movsd(xmm(r), qword_ptr(rbp, d)); break;
    case ValKind::V128: a().movups(xmm(r), xmmword_ptr(rbp, d)); break;
    default: a().mov(gpq(r), qword_ptr(rbp, d)); break;
  }
}

void FuncCompiler::dropCache(uint32_t local) {
  if (local_cache_[local] < 0) return;
  if (local_dirty_[local]) storeHome(local);
  forgetCached(local);
}

void FuncCompiler::forgetCached(uint32_t local) {
  int r = local_cache_[local];
  (clsOf(local_kinds_[local]) == Cls::Gpr ? gpr_used_ : xmm_used_) &= ~(1u << r);
  local_cache_[local] = -1;
  dirty_n_ -= local_dirty_[local];
  local_dirty_[local] = false;
  // At most one entry per register: the list is short.
  auto it = std::find(cached_.begin(), cached_.end(), local);
  *it = cached_.back();
  cached_.pop_back();
}

// A back edge into `loop` (its index in ctrls_, else -1) does not store the locals dead at its
// head, nor, when its head takes bindings dirty (Ctrl::dirty_bindings), those it binds to the
// register they are in (establishCaches moves the others, or loads them from the homes this
// flush writes).
void FuncCompiler::flushDirty(bool keep_dirty, int32_t loop, int32_t keep) {
  uint32_t left = dirty_n_;  // the walk stops at the last dirty cache
  const Ctrl* l = loop >= 0 ? &ctrls_[size_t(loop)] : nullptr;
  // Only a loop that takes its bindings dirty keeps them unstored: in a loop with calls, a label
  // assumes the homes of its bindings current (an inner loop without calls may have left one
  // dirty in the register the outer loop binds).
  const CacheState* kept = keep >= 0 && ctrls_[size_t(keep)].dirty_bindings ? &ctrls_[size_t(keep)].at_label : nullptr;
  for (uint32_t local : cached_) {
    if (!local_dirty_[local]) continue;
    if ((l && (dead_at_[local] == loop || (l->dirty_bindings && boundTo(l->at_label, local) == local_cache_[local]))) ||
        (kept && boundTo(*kept, local) == local_cache_[local])) {
      if (--left == 0) return;  // stays dirty (the code after a conditional edge has it so)
      continue;
    }
    storeHome(local);
    if (!keep_dirty) local_dirty_[local] = false, --dirty_n_;
    if (--left == 0) return;
  }
}

void FuncCompiler::clearCaches() {
  // forgetCache for each, without its search of the list (at labels and calls: often). Dirty
  // values are lost: the callers have flushed them, or the code that follows is dead. The
  // flags of uncached locals are left as they are: nothing reads one before setCache sets it.
  for (uint32_t local : cached_) {
    int r = local_cache_[local];
    (clsOf(local_kinds_[local]) == Cls::Gpr ? gpr_used_ : xmm_used_) &= ~(1u << r);
    local_cache_[local] = -1;
  }
  cached_.clear();
  dirty_n_ = 0;
}

void FuncCompiler::retakeCaches() {
  gpr_used_ = xmm_used_ = 0;
  for (uint32_t local : cached_) take(clsOf(local_kinds_[local]), uint8_t(local_cache_[local]));
}

// A cache the innermost loop's head bound goes last: dropping it costs a reload on every
// back edge, and the back edge a jump of its own.
bool FuncCompiler::dropOneCache(Cls c, uint32_t avoid) {
  uint32_t bound = 0;
  if (innermost_loop_ >= 0) {
    const CacheState& s = ctrls_[size_t(innermost_loop_)].at_label;
    for (uint8_t j = 0; j < s.n; ++j)
      if (local_cache_[s.local[j]] == s.reg[j] && clsOf(local_kinds_[s.local[j]]) == c) bound |= 1u << s.reg[j];
  }
  for (uint32_t skip : {avoid | bound, avoid}) {
    for (uint32_t local : cached_) {
      int r = local_cache_[local];
      if (clsOf(local_kinds_[local]) == c && !(skip & (1u << r))) {
        dropCache(local);
        return true;
      }
    }
  }
  return false;
}

// ---- the caches at labels ----

FuncCompiler::CacheState FuncCompiler::captureCaches() const {
  CacheState s;
  s.all = false;
  for (uint32_t local : cached_) {
    if (s.n == CacheState::kMax) break;
    s.local[s.n] = local;
    s.reg[s.n] = local_cache_[local];
    ++s.n;
  }
  return s;
}

void FuncCompiler::meet(CacheState& s, const CacheState& t) {
  if (t.all) return;
  if (s.all) {
    s = t;
    return;
  }
  uint8_t kept = 0;
  for (uint8_t i = 0; i < s.n; ++i) {
    for (uint8_t j = 0; j < t.n; ++j) {
      if (t.local[j] == s.local[i] && t.reg[j] == s.reg[i]) {
        s.local[kept] = s.local[i];
        s.reg[kept] = s.reg[i];
        ++kept;
        break;
      }
    }
  }
  s.n = kept;
}

// meet(s, captureCaches()) without the copy: the bindings of s that hold now.
void FuncCompiler::meetNow(CacheState& s) const {
  if (s.all) {
    s = captureCaches();
    return;
  }
  uint8_t kept = 0;
  for (uint8_t i = 0; i < s.n; ++i) {
    if (local_cache_[s.local[i]] != s.reg[i]) continue;
    s.local[kept] = s.local[i];
    s.reg[kept] = s.reg[i];
    ++kept;
  }
  s.n = kept;
}

void FuncCompiler::adoptCaches(const CacheState& s) {
  clearCaches();
  if (s.all) return;
  for (uint8_t i = 0; i < s.n; ++i) setCache(s.local[i], s.reg[i]);
}

int FuncCompiler::boundTo(const CacheState& s, uint32_t local) {
  for (uint8_t i = 0; i < s.n; ++i)
    if (s.local[i] == local) return s.reg[i];
  return -1;
}

bool FuncCompiler::cachesHold(const CacheState& s) const {
  for (uint8_t i = 0; i < s.n; ++i)
    if (local_cache_[s.local[i]] != s.reg[i]) return false;
  return true;
}

// Emitted on a back edge (after the label's values are in their slots, so every register is
// free to overwrite): each binding of the loop head is made to hold again. Register moves
// first, and only from registers that no binding writes, so no move overwrites a source still
// to be read; the rest load from the locals' homes, which the branch has just flushed.
// The compiler's own cache state is left alone: the code after a conditional branch continues
// with it.
void FuncCompiler::establishCaches(const CacheState& s) {
  uint32_t dst[2] = {0, 0};
  for (uint8_t i = 0; i < s.n; ++i) dst[int(clsOf(local_kinds_[s.local[i]]))] |= 1u << s.reg[i];
  uint32_t moved = 0;
  for (uint8_t i = 0; i < s.n; ++i) {
    int cur = local_cache_[s.local[i]];
    Cls c = clsOf(local_kinds_[s.local[i]]);
    if (cur == s.reg[i]) {
      moved |= 1u << i;
    } else if (cur >= 0 && !(dst[int(c)] & (1u << cur))) {
      if (c == Cls::Gpr) a().mov(gpq(uint8_t(s.reg[i])), gpq(uint8_t(cur)));
      else a().movaps(xmm(uint8_t(s.reg[i])), xmm(uint8_t(cur)));
      moved |= 1u << i;
    }
  }
  for (uint8_t i = 0; i < s.n; ++i)
    if (!(moved & (1u << i))) loadHome(s.local[i], uint8_t(s.reg[i]));
}

FuncCompiler::CacheState FuncCompiler::edgeState(const CacheState& b) const {
  CacheState s;
  s.all = false;
  uint32_t taken[2] = {0, 0};
  for (uint8_t i = 0; i < b.n; ++i) {
    s.local[s.n] = b.local[i];
    s.reg[s.n] = b.reg[i];
    ++s.n;
    taken[int(clsOf(local_kinds_[b.local[i]]))] |= 1u << b.reg[i];
  }
  // The other caches hold across the edge's code unless a binding's register is theirs.
  for (uint32_t local : cached_) {
    if (s.n == CacheState::kMax) break;
    int r = local_cache_[local];
    if ((taken[int(clsOf(local_kinds_[local]))] & (1u << r)) || boundTo(b, local) >= 0) continue;
    s.local[s.n] = local;
    s.reg[s.n] = int8_t(r);
    ++s.n;
  }
  return s;
}

void FuncCompiler::holdBindings(const CacheState& b) {
  // Stores (of a dirty value leaving its register) and loads only: the flags of an if's
  // condition survive.
  for (uint8_t i = 0; i < b.n; ++i)
    if (local_cache_[b.local[i]] >= 0 && local_cache_[b.local[i]] != b.reg[i]) dropCache(b.local[i]);
  for (uint8_t i = 0; i < b.n; ++i) {
    uint32_t l = b.local[i];
    if (local_cache_[l] == b.reg[i]) continue;
    evict(clsOf(local_kinds_[l]), uint8_t(b.reg[i]));
    loadHome(l, uint8_t(b.reg[i]));
    setCache(l, b.reg[i]);
  }
}

void FuncCompiler::markBindingsDirty(int32_t keep) {
  const Ctrl& l = ctrls_[size_t(keep)];
  for (uint8_t i = 0; i < l.at_label.n; ++i) {
    uint32_t local = l.at_label.local[i];
    if ((l.stale_bindings & (1u << i)) && local_cache_[local] == l.at_label.reg[i] && !local_dirty_[local])
      local_dirty_[local] = 1, ++dirty_n_;
  }
}

void FuncCompiler::edgeInto(Ctrl& t, bool keep_dirty) {
  flushFor(t, keep_dirty);
  if (t.keep_loop >= 0 && !cachesHold(ctrls_[size_t(t.keep_loop)].at_label))
    establishCaches(ctrls_[size_t(t.keep_loop)].at_label);
  meetInPlace(t);
}

void FuncCompiler::meetInPlace(Ctrl& t) {
  if (t.keep_loop < 0) return meetNow(t.at_label);
  const CacheState& b = ctrls_[size_t(t.keep_loop)].at_label;
  // The first edge takes the whole state, and one that could exceed kMax is cut as edgeState
  // cuts it; any other is met without building edgeState(b) (in `large`, 51,000 edges, a sixth
  // of its compile went to building and meeting states of a dozen bindings each).
  if (t.at_label.all || b.n + cached_.size() > CacheState::kMax) return meet(t.at_label, edgeState(b));
  meetEdge(t.at_label, b);
}

// meet(s, edgeState(b)) for an edgeState(b) that is not cut: a binding of s stays when b binds
// its local to the same register, or when b does not bind its local, the cache holds it in that
// register now, and no binding of b takes the register.
void FuncCompiler::meetEdge(CacheState& s, const CacheState& b) const {
  uint32_t taken[2] = {0, 0};
  for (uint8_t i = 0; i < b.n; ++i) taken[int(clsOf(local_kinds_[b.local[i]]))] |= 1u << b.reg[i];
  uint8_t kept = 0;
  for (uint8_t i = 0; i < s.n; ++i) {
    uint32_t local = s.local[i];
    int r = boundTo(b, local);
    bool holds = r >= 0 ? r == s.reg[i]
                        : local_cache_[local] == s.reg[i] && !(taken[int(clsOf(local_kinds_[local]))] & (1u << s.reg[i]));
    if (!holds) continue;
    s.local[kept] = local;
    s.reg[kept] = s.reg[i];
    ++kept;
  }
  s.n = kept;
}

int FuncCompiler::loopRegFor(uint32_t local) const {
  int r = loopBound(local);
  if (r < 0) return -1;
  uint32_t used = clsOf(local_kinds_[local]) == Cls::Gpr ? gpr_used_ : xmm_used_;
  return !(used & (1u << r)) || local_cache_[local] == r ? r : -1;
}

// ---- traps and sites ----

Label FuncCompiler::trapLabel(uint32_t kind) {
  // Only the current instruction's stubs can be shared, and they are the last ones made.
  for (auto it = stubs_.rbegin(); it != stubs_.rend() && it->wasm == uint32_t(wasm_offset_); ++it)
    if (it->kind == kind) return it->label;
  TrapStub s{a().newLocal(), kind, uint32_t(wasm_offset_)};
  stubs_.push_back(s);
  return s.label;
}

void FuncCompiler::siteCall(const ir::FuncType* area_args) {
  makes_calls_ = true;  // every call of a wasm function records its site (leaves make none)
  auto pc = uint32_t(a().offset() - code_start_);
  ms_.sites->push_back({pc, uint32_t(wasm_offset_), vm::SiteKind::Call, {}});
  // The stack map (docs/gc.md "Roots in machine-code frames"): before every call the operands
  // were spilled, so each reference operand is in memory, in its slot or a local's home (the
  // homes are also in the function's FrameRefs rows: listed twice, marked twice).
  for (size_t pos = 0; pos < stack_.size(); ++pos) {
    const Val& v = stack_[pos];
    if (v.kind == ValKind::Ref && v.loc == Loc::Mem)
      ms_.sites->push_back({pc, vm::SlotRef::fromFp(v.disp), vm::SiteKind::StackRefs, {}});
  }
  if (area_args) {
    for (size_t i = 0; i < area_args->params.size(); ++i)
      if (area_args->params[i].kind == ValKind::Ref)
        ms_.sites->push_back({pc, vm::SlotRef::fromSp(16 * int32_t(i)), vm::SiteKind::StackRefs, {}});
  }
}

void FuncCompiler::recordExit() {
  a().mov(r11, qword_ptr(r15, offsetof(vm::VMContext, store_ctx)));
  a().mov(qword_ptr(r11, offsetof(vm::VMStoreContext, exit_fp)), rbp);
  a().mov(qword_ptr(r11, offsetof(vm::VMStoreContext, exit_sp)), rsp);
}

void FuncCompiler::siteFault() {
  ms_.sites->push_back({uint32_t(a().offset() - code_start_), uint32_t(wasm_offset_), vm::SiteKind::Fault,
                        vm::TrapKind::MemoryOutOfBounds});
}

void FuncCompiler::checkInterrupt() {
  if (!ms_.options.epoch_interruption) return;
  a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, store_ctx)));
  a().mov(rcx, qword_ptr(rax, offsetof(vm::VMStoreLimits, epoch_counter)));
  a().mov(rcx, qword_ptr(rcx));
  a().cmp(rcx, qword_ptr(rax, offsetof(vm::VMStoreLimits, epoch_deadline)));
  trapIf(CondCode::kAE, uint32_t(vm::TrapKind::Interrupt));
}

// Fuel (Config::consume_fuel) is charged like the interpreter charges it, so both tiers trap
// after the same instruction: at the function's entry and at every loop head, the number of
// wasm instructions from there to the next such point in code order (patched when known).
void FuncCompiler::chargeFuel() {
  if (!ms_.options.consume_fuel) return;
  patchFuel();
  a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, store_ctx)));
  static const uint8_t kSubRax8[] = {0x48, 0x81, 0x68, uint8_t(offsetof(vm::VMStoreLimits, fuel_remaining))};
  const uint8_t zero[4] = {};
  a().embed(kSubRax8, sizeof kSubRax8);  // sub qword [rax + fuel_remaining], imm32
  fuel_at_ = uint32_t(a().offset());
  a().embed(zero, 4);
  trapIf(CondCode::kS, uint32_t(vm::TrapKind::OutOfFuel));
  fuel_count_ = 0;
  has_fuel_ = true;
}

void FuncCompiler::patchFuel() {
  if (!has_fuel_) return;
  uint8_t* buf = a().code()->textSection()->buffer().data();
  auto n = int32_t(fuel_count_);
  std::memcpy(buf + fuel_at_, &n, 4);
}

void FuncCompiler::callExtern(uint32_t id) {
  a().call(ms_.externSlot(id));
  makes_calls_ = true;
}

void FuncCompiler::reloadContext() {
  a().mov(r15, qword_ptr(rbp, -8));
  loadMemoryBase();
}

// r14 = memory 0's base. Recorded so that onEnd can turn every such load into a nop when the
// function never used it (calls made from a function without memory accesses pay nothing).
void FuncCompiler::loadMemoryBase() {
  if (module_.memories.empty()) return;
  auto at = uint32_t(a().offset());
  a().mov(r14, qword_ptr(r15, offsetof(vm::VMContext, memory0_base)));
  base_loads_.emplace_back(at, uint32_t(a().offset()) - at);
}

void FuncCompiler::unsupported(const decode::Instr& in) {
  if (error_) error_ = makeError(ErrorKind::Unsupported, in.offset, fmt::format("baseline: {} is not supported", ir::opcodeText(in.op)));
}

// ---- the function ----

void FuncCompiler::onLocals(std::span<const ir::ValType> locals) {
  a().beginLocals();
  num_params_ = uint32_t(type_->params.size());
  num_decl_ = uint32_t(locals.size()) - num_params_;
  for (const ir::ValType& t : locals) local_kinds_.push_back(t.kind);
  local_cache_.assign(locals.size(), -1);
  local_dirty_.assign(locals.size(), 0);
  dirty_n_ = 0;
  dead_at_.assign(locals.size(), -1);
  scan_budget_ = 4 * uint64_t(module_.functions[func_index_].body.size) + 65536;
  max_depth_ = module_.functions[func_index_].body.size / 2 + 2;
  wasm_offset_ = module_.functions[func_index_].body.offset;

  a().align(asmjit::AlignMode::kCode, 16);
  code_start_ = uint32_t(a().offset());
  info_.start = code_start_;
  a().push(rbp);
  a().mov(rbp, rsp);
  a().mov(r15, rdi);
  loadMemoryBase();
  // Stack check against the frame's lowest address (both immediates patched in onEnd).
  static const uint8_t kMovRaxRsp[] = {0x48, 0x89, 0xe0}, kSubRax[] = {0x48, 0x2d}, kSubRsp[] = {0x48, 0x81, 0xec};
  const uint8_t zero[4] = {};
  check_at_ = uint32_t(a().offset());
  a().embed(kMovRaxRsp, 3);
  a().embed(kSubRax, 2);
  frame_at_[0] = uint32_t(a().offset());
  a().embed(zero, 4);
  a().mov(rcx, qword_ptr(r15, offsetof(vm::VMContext, store_ctx)));
  a().cmp(rax, qword_ptr(rcx, offsetof(vm::VMStoreLimits, stack_limit)));
  trapIf(CondCode::kB, uint32_t(vm::TrapKind::CallStackExhausted));
  check_end_ = uint32_t(a().offset());
  a().embed(kSubRsp, 3);
  frame_at_[1] = uint32_t(a().offset());
  a().embed(zero, 4);
  a().mov(qword_ptr(rbp, -8), r15);
  // The reference parameters and locals: in their homes at every call (reference locals are
  // written through), so one list serves every call site of the function (SiteKind::FrameRefs).
  for (uint32_t i = 0; i < uint32_t(locals.size()); ++i)
    if (locals[i].kind == ValKind::Ref)
      ms_.sites->push_back({0, vm::SlotRef::fromFp(localDisp(i)), vm::SiteKind::FrameRefs, {}});
  // The size of the argument area the caller gave (r10d, in slots), for tail calls.
  area_store_at_ = uint32_t(a().offset());
  a().mov(dword_ptr(rbp, kAreaDisp), r10d);
  // Declared locals start at zero (spec 4.4.10: default values).
  if (num_decl_ > 0) {
    if (num_decl_ <= 8) {
      for (uint32_t i = 0; i < num_decl_; ++i) {
        int32_t d = localDisp(num_params_ + i);
        a().mov(qword_ptr(rbp, d), 0);
        if (local_kinds_[num_params_ + i] == ValKind::V128) a().mov(qword_ptr(rbp, d + 8), 0);
      }
    } else if (num_decl_ <= kZeroStoresMax) {
      // One 16-byte store per slot: `rep stosq` has a start-up cost of tens of cycles: a tenth of a
      // recursive quicksort's time with its ten declared locals.
      a().xorps(xmm15, xmm15);
      for (uint32_t i = 0; i < num_decl_; ++i) a().movups(xmmword_ptr(rbp, localDisp(num_params_ + i)), xmm15);
    } else {
      a().lea(rdi, qword_ptr(rbp, localDisp(num_params_ + num_decl_ - 1)));
      a().mov(ecx, 2 * num_decl_);
      a().xor_(eax, eax);
      a().rep().stosq();
    }
  }
  checkInterrupt();
  chargeFuel();

  Ctrl f;
  f.kind = Ctrl::Function;
  f.label = a().newLocal();
  f.sig.results = type_->results.data();
  f.sig.num_results = uint32_t(type_->results.size());
  ctrls_.push_back(std::move(f));
}

void FuncCompiler::onInstr(const decode::Instr& in, const validate::InstrContext& c) {
  wasm_offset_ = in.offset;
  if (!error_) return;
  if (!c.reachable || dead_) {
    visitDead(in);
    return;
  }
  if (ms_.options.wasm_map) recordWasmOffset(in.offset);
  ++fuel_count_;
  visit(in, c);
}

// Out of line: with the vector's growth inlined, onInstr saved and restored six registers on
// every instruction (about 3% of a compile), where without it it is a few compares and a jump.
void FuncCompiler::recordWasmOffset(uint64_t wasm) {
  wasm_map_.emplace_back(uint32_t(a().offset() - code_start_), uint32_t(wasm));
}

void FuncCompiler::onEnd() {
  patchFuel();
  emitBarrierStubs();
  for (const TrapStub& s : stubs_) {
    a().bind(s.label);
    if (s.kind == kDynamic) {
      a().lea(edi, dword_ptr(rax, -1));
    } else {
      a().mov(edi, s.kind);
    }
    if (s.kind == uint32_t(vm::TrapKind::UninitializedElement)) a().mov(r9, rax);  // the index
    a().mov(esi, s.wasm);
    a().call(ms_.trap_tramp);
  }
  emitHandlerTable();
  if (!a().endLocals() && error_) error_ = makeError(ErrorKind::Unsupported, wasm_offset_, "baseline: a jump to a label never bound");
  info_.size = uint32_t(a().offset()) - code_start_;
  info_.wasm_map.assign(wasm_map_.begin(), wasm_map_.end());
  ms_.sites_end.push_back(uint32_t(ms_.sites->size()));  // the info borrows them when the chunk is done
  // The frame: vmctx (+ padding), declared locals, stack slots, argument area; 16-byte multiple
  // so that rsp stays 16-byte aligned at calls.
  uint64_t frame = 16 + 16 * uint64_t(num_decl_) + 16 * uint64_t(max_height_) + 16 * uint64_t(max_out_);
  if (frame > (uint64_t(1) << 30)) {
    error_ = makeError(ErrorKind::Unsupported, wasm_offset_, "baseline: frame too large");
    return;
  }
  uint8_t* buf = a().code()->textSection()->buffer().data();
  if (!uses_memory_base_)
    for (auto [at, size] : base_loads_) fillNops(buf + at, size);
  if (!uses_area_) fillNops(buf + area_store_at_, 4);  // mov [rbp-16], r10d is 4 bytes
  auto f32 = uint32_t(frame);
  // The frame's base is rbp - 0 and rbp = rsp at entry - 8 (return address pushed, rbp pushed).
  std::memcpy(buf + frame_at_[0], &f32, 4);
  std::memcpy(buf + frame_at_[1], &f32, 4);
  if (handler_table_at_ >= 0) std::memcpy(buf + code_start_ + handler_table_at_, &f32, 4);  // HandlerTableHeader::frame
  // A leaf (no call of any kind but to a trap stub) with a small frame skips its stack
  // check: it cannot recurse, so it goes at most its frame below the limit, and the limit
  // stays at least 64 KiB above the thread's guard page (runtime/entry.cc kStackGuardSpan),
  // room for its frame and a trap's unwinding. Its callers have checked theirs.
  if (!makes_calls_ && frame <= kLeafFrameMax) {
    // Long nops rather than a jump over the check: a taken jump in every call of a small
    // leaf cost more (richards on baseline: 0.98 with them).
    fillNops(buf + check_at_, check_end_ - check_at_);
  }
}

}  // namespace strata::jit
