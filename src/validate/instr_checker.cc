// Operand/control stacks and the typing of control, parametric, variable and fixed-signature
// instructions (spec 3.3 and the appendix's validation algorithm).
#include "validate/instr_checker.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "support/populate.h"
#include "validate/opcode_facts.h"

namespace strata::validate {

using ir::Opcode;
using ir::ValKind;
using ir::ValType;

void InstrChecker::beginFunction(std::span<const ValType> locals, const ir::FuncType& type, size_t body_bytes) {
  const_expr_ = false;
  max_depth_ = body_bytes / 2 + 2;
  fast_ = !record_ && fast_ok_;
  func_type_ = &type;
  locals_.assign(locals.begin(), locals.end());
  local_init_.assign(locals.size(), 1);
  // Parameters are initialised; declared locals only if they have a default (spec 3.4.x).
  for (size_t i = type.params.size(); i < locals.size(); ++i)
    local_init_[i] = TypeContext::defaultable(locals[i]);
  init_marks_.clear();
  vals_.clear();
  ctrls_.clear();
  popped_.clear();
  pushed_.clear();
  BlockSig sig;
  sig.results = type.results.data();
  sig.num_results = uint32_t(type.results.size());
  pushFrame(FrameKind::Function, sig);
}

void InstrChecker::beginConstExpr(ValType result, uint32_t visible_globals) {
  const_expr_ = true;
  fast_ = false;
  visible_globals_ = visible_globals;
  func_type_ = nullptr;
  locals_.clear();
  local_init_.clear();
  init_marks_.clear();
  vals_.clear();
  ctrls_.clear();
  popped_.clear();
  pushed_.clear();
  BlockSig sig;
  sig.single = result;
  sig.num_results = 1;
  pushFrame(FrameKind::Function, sig);
}

std::unexpected<Error> InstrChecker::unknown(const char* space, uint64_t index) const {
  return invalid(offset_, fmt::format("unknown {} {}", space, index));
}

// --- operand stack -------------------------------------------------------------------------

void InstrChecker::push(ValType t) {
  vals_.push_back(t);
  if (record_) pushed_.push_back(t);
}

void InstrChecker::pushAll(std::span<const ValType> ts) {
  for (const ValType& t : ts) push(t);
}

Result<ValType> InstrChecker::pop() {
  const ControlFrame& f = ctrls_.back();
  ValType t;
  if (vals_.size() == f.height) {
    // spec 3.3.8: below the frame's base only dead code may pop, and gets the bottom type.
    if (!f.unreachable) return mismatch();
    t = ValType::bot();
  } else {
    t = vals_.back();
    vals_.pop_back();
  }
  if (record_) popped_.push_back(t);
  return t;
}

Result<ValType> InstrChecker::pop(ValType expect) {
  STRATA_CHECK(popAll(std::span(&expect, 1)));
  return last_popped_;
}

// spec appendix pop_vals, checked as one unit like the reference interpreter so that a failure
// names the whole operand list: "type mismatch: instruction requires [i32 i32] but stack has [i64]".
Result<void> InstrChecker::popAll(std::span<const ValType> ts) {
  const ControlFrame& f = ctrls_.back();
  size_t avail = vals_.size() - f.height;
  // The common case: every operand there with exactly the type required (a type is its own
  // subtype), popped without the subtype test and the per-value pop.
  if (avail >= ts.size()) {
    const ValType* top = vals_.data() + vals_.size() - ts.size();
    bool exact = true;
    for (size_t i = 0; i < ts.size(); ++i) exact &= top[i] == ts[i];
    if (exact) {
      if (!ts.empty()) last_popped_ = top[0];  // pop() order: the deepest comes last
      if (record_)
        for (size_t i = ts.size(); i-- > 0;) popped_.push_back(top[i]);
      for (size_t i = 0; i < ts.size(); ++i) vals_.pop_back();
      return {};
    }
  }
  size_t n = std::min(avail, ts.size());
  std::span<const ValType> top(vals_.data() + vals_.size() - n, n);
  bool ok = f.unreachable || avail >= ts.size();
  for (size_t i = 0; ok && i < n; ++i) ok = types_.isSubtype(top[i], ts[ts.size() - n + i]);
  if (!ok) return stackMismatch("instruction", ts, top);
  for (size_t i = 0; i < ts.size(); ++i) last_popped_ = STRATA_TRY(pop());
  return {};
}

std::unexpected<Error> InstrChecker::stackMismatch(const char* what, std::span<const ValType> required,
                                                   std::span<const ValType> actual) const {
  auto list = [](std::span<const ValType> ts) {
    std::string s;
    for (const ValType& t : ts) s += (s.empty() ? "" : " ") + ir::toString(t);
    return s;
  };
  return invalid(offset_, fmt::format("type mismatch: {} requires [{}] but stack has [{}]", what, list(required), list(actual)));
}

Result<ValType> InstrChecker::popRef() {
  ValType t = STRATA_TRY(pop());
  if (t.kind == ValKind::Bot) return ValType::ref(kBotHeap, true);
  if (!t.isRef()) return mismatch();
  return t;
}

void InstrChecker::setUnreachable() {
  vals_.resize(ctrls_.back().height);
  ctrls_.back().unreachable = true;
}

// --- control stack -------------------------------------------------------------------------

void InstrChecker::pushFrame(FrameKind kind, const BlockSig& sig) {
  ControlFrame f;
  f.kind = kind;
  f.height = uint32_t(vals_.size());
  f.init_height = uint32_t(init_marks_.size());
  f.sig = sig;
  support::reserveDeep(ctrls_, max_depth_);
  ctrls_.push_back(f);
  pushAll(ctrls_.back().sig.paramTypes());
}

Result<ControlFrame> InstrChecker::popFrame() {
  if (ctrls_.empty()) return mismatch();
  STRATA_CHECK(popAll(ctrls_.back().sig.resultTypes()));
  ControlFrame f = ctrls_.back();
  if (vals_.size() != f.height) {
    std::span<const ValType> rest(vals_.data() + f.height, vals_.size() - f.height);
    return stackMismatch("block", f.sig.resultTypes(), rest);
  }
  // Local initialisation is scoped to the block (spec 3.3.x): forget marks made inside.
  for (size_t i = f.init_height; i < init_marks_.size(); ++i) local_init_[init_marks_[i]] = 0;
  init_marks_.resize(f.init_height);
  ctrls_.pop_back();
  return f;
}

Result<const ControlFrame*> InstrChecker::label(uint32_t depth) const {
  if (depth >= ctrls_.size()) return fail("unknown label");
  return &ctrls_[ctrls_.size() - 1 - depth];
}

Result<BlockSig> InstrChecker::blockSig(const decode::BlockType& bt) const {
  BlockSig sig;
  switch (bt.kind) {
    case decode::BlockType::Kind::Empty: break;
    case decode::BlockType::Kind::Value:
      if (!types_.valid(bt.value)) return fail("unknown type");
      sig.single = bt.value;
      sig.num_results = 1;
      break;
    case decode::BlockType::Kind::Index: {
      if (!types_.isFunc(bt.index)) return unknown("type", bt.index);
      const ir::FuncType& ft = types_.type(bt.index).func;
      sig.params = ft.params.data();
      sig.num_params = uint32_t(ft.params.size());
      sig.results = ft.results.data();
      sig.num_results = uint32_t(ft.results.size());
      break;
    }
  }
  return sig;
}

// --- dispatch ------------------------------------------------------------------------------

namespace {

// A fixed signature of opcodes.def as value kinds, made by the compiler from the table's letters
// (read-only data): check() types most instructions from it with a few compares, where
// checkFixed maps letters to types and pops through the general subtype test. 'a' (the memory's
// address type) is kAddr, resolved per instruction.
struct FixedSig {
  bool fixed = false;
  uint8_t num_params = 0, num_results = 0;
  bool has_addr = false;
  std::array<ValKind, 4> params{};
  std::array<ValKind, 2> results{};
};
constexpr auto kAddr = ValKind::Bot;

constexpr ValKind kindOfLetter(char c) {
  switch (c) {
    case 'i': return ValKind::I32;
    case 'l': return ValKind::I64;
    case 'f': return ValKind::F32;
    case 'd': return ValKind::F64;
    case 'v': return ValKind::V128;
    default: return kAddr;
  }
}

constexpr FixedSig makeSig(std::string_view params, std::string_view results) {
  FixedSig s;
  if (params == "*" || params.size() > 4 || results.size() > 2) return s;
  s.fixed = true;
  s.num_params = uint8_t(params.size());
  s.num_results = uint8_t(results.size());
  for (size_t i = 0; i < params.size(); ++i) s.params[i] = kindOfLetter(params[i]);
  for (size_t i = 0; i < results.size(); ++i) s.results[i] = kindOfLetter(results[i]);
  s.has_addr = params.find('a') != std::string_view::npos || results.find('a') != std::string_view::npos;
  return s;
}

constexpr FixedSig kFixedSigs[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) makeSig(params, results),
#include "ir/opcodes.def"
#undef OP
};
static_assert(std::size(kFixedSigs) == ir::kNumOpcodes);

constexpr void addFastOp(std::array<FastOp, 256>& t, ir::Opcode op, uint8_t prefix, uint32_t code, std::string_view text,
                         ir::Imm imm, std::string_view params, std::string_view results, ir::Feature feature) {
  if (prefix != 0 || code > 0xff) return;
  FastOp f;
  f.op = op;
  f.feature = feature;
  switch (op) {
    case Opcode::LocalGet: f.cls = FastOp::LocalGet; break;
    case Opcode::LocalSet: f.cls = FastOp::LocalSet; break;
    case Opcode::LocalTee: f.cls = FastOp::LocalTee; break;
    case Opcode::I32Const: f.cls = FastOp::I32Const; break;
    case Opcode::I64Const: f.cls = FastOp::I64Const; break;
    case Opcode::F32Const: f.cls = FastOp::F32Const; break;
    case Opcode::F64Const: f.cls = FastOp::F64Const; break;
    case Opcode::Block: f.cls = FastOp::Block; break;
    case Opcode::Loop: f.cls = FastOp::Loop; break;
    case Opcode::If: f.cls = FastOp::If; break;
    case Opcode::End: f.cls = FastOp::End; break;
    case Opcode::Br: f.cls = FastOp::Br; break;
    case Opcode::BrIf: f.cls = FastOp::BrIf; break;
    case Opcode::Drop: f.cls = FastOp::Drop; break;
    case Opcode::Select: f.cls = FastOp::Select; break;
    case Opcode::GlobalGet: f.cls = FastOp::GlobalGet; break;
    case Opcode::GlobalSet: f.cls = FastOp::GlobalSet; break;
    case Opcode::Call: f.cls = FastOp::Call; break;
    default: {
      FixedSig sig = makeSig(params, results);
      if (imm == ir::Imm::MemArg) {  // a load ("a" -> value) or a store ("a" value -> nothing)
        bool atomic = false;
        f.align_log2 = uint8_t(detail::log2Of(detail::accessBits(text, atomic) / 8));
        if (sig.num_params == 1 && sig.num_results == 1) {
          f.cls = FastOp::Load;
          f.result = sig.results[0];
        } else if (sig.num_params == 2 && sig.num_results == 0) {
          f.cls = FastOp::Store;
          f.params[1] = sig.params[1];
        }
        break;
      }
      if (imm != ir::Imm::None || !sig.fixed || sig.has_addr || sig.num_params < 1 || sig.num_params > 2 ||
          sig.num_results != 1)
        return;
      f.cls = FastOp::Numeric;
      f.num_params = sig.num_params;
      f.params[0] = sig.params[0];
      f.params[1] = sig.params[1];
      f.result = sig.results[0];
    }
  }
  t[code] = f;
}

constexpr std::array<FastOp, 256> makeFastOps() {
  std::array<FastOp, 256> t{};
#define OP(name, prefix, code, text, imm, params, results, feature) \
  addFastOp(t, Opcode::name, prefix, code, text, ir::Imm::imm, params, results, ir::Feature::feature);
#include "ir/opcodes.def"
#undef OP
  return t;
}

}  // namespace

constexpr std::array<FastOp, 256> kFastOps = makeFastOps();

// The widths the keywords give (spec 5.4.6 opcodes): i32.load, i64.load, i32.load8_s,
// i64.load32_u, i32.store16, f64.store.
static_assert(kFastOps[0x28].align_log2 == 2 && kFastOps[0x29].align_log2 == 3 && kFastOps[0x2c].align_log2 == 0 &&
              kFastOps[0x35].align_log2 == 2 && kFastOps[0x3b].align_log2 == 1 && kFastOps[0x39].align_log2 == 3);

constexpr uint64_t kFastOpFeatures = [] {
  uint64_t bits = 0;
  for (const FastOp& f : kFastOps)
    if (f.cls != FastOp::None) bits |= uint64_t{1} << unsigned(f.feature);
  return bits;
}();

Result<void> InstrChecker::check(const decode::Instr& in, const decode::InstrReader& r) {
  offset_ = in.offset;
  if (ctrls_.empty()) return malformed(offset_, "section size mismatch");  // code after the final end
  const ControlFrame& frame = ctrls_.back();
  reachable_before_ = !frame.unreachable;
  depth_before_ = uint32_t(ctrls_.size());
  height_before_ = uint32_t(vals_.size());
  // The common case: a fixed signature in live code whose operands are there with the exact
  // kinds (numeric and vector types have no subtypes). Anything else, errors included, takes
  // the general path below, which gives the messages.
  const FixedSig& sig = kFixedSigs[unsigned(in.op)];
  if (sig.fixed && !frame.unreachable && !const_expr_ && vals_.size() - frame.height >= sig.num_params) {
    const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
    ValKind addr = ValKind::I32;
    if (sig.has_addr) {
      uint32_t mem = info.imm == ir::Imm::Memory ? in.idx : in.mem.memory;
      if (mem < env_.module->memories.size()) addr = env_.memoryAddr(mem).kind;
    }
    ValType* top = vals_.data() + vals_.size() - sig.num_params;
    bool ok = true;
    for (size_t i = 0; i < sig.num_params; ++i) {
      ValKind want = sig.params[i] == kAddr ? addr : sig.params[i];
      ok &= top[i].kind == want;
    }
    if (ok) {
      if (info.imm != ir::Imm::None) STRATA_CHECK(checkImmediates(in, info));
      if (record_) {
        popped_.assign(top, top + sig.num_params);
        pushed_.clear();
      }
      for (size_t i = 0; i < sig.num_params; ++i) vals_.pop_back();  // resize() is a call
      for (size_t i = 0; i < sig.num_results; ++i) {
        ValKind k = sig.results[i] == kAddr ? addr : sig.results[i];
        ValType t{k, false, {}};
        vals_.push_back(t);
        if (record_) pushed_.push_back(t);
      }
      return {};
    }
  }
  // local.get/set/tee, the most frequent instructions, in live code with the operand's exact
  // type: the same effect as checkVariable without the general pop.
  if (!record_ && !frame.unreachable && !const_expr_ && in.idx < locals_.size()) {
    const ValType& t = locals_[in.idx];
    if (in.op == Opcode::LocalGet && local_init_[in.idx]) {
      vals_.push_back(t);
      return {};
    }
    if ((in.op == Opcode::LocalSet || in.op == Opcode::LocalTee) && vals_.size() > frame.height &&
        vals_.back() == t) {
      if (!local_init_[in.idx]) {
        local_init_[in.idx] = 1;
        init_marks_.push_back(in.idx);
      }
      if (in.op == Opcode::LocalSet) vals_.pop_back();
      return {};
    }
  }
  if (record_) {
    popped_.clear();
    pushed_.clear();
  }
  if (const_expr_) STRATA_CHECK(checkConstAllowed(in));
  const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
  Result<void> res = info.params != "*" ? checkFixed(in, info) : checkSpecial(in, r);
  if (record_) std::reverse(popped_.begin(), popped_.end());
  return res;
}

Result<void> InstrChecker::checkConstAllowed(const decode::Instr& in) const {
  const ir::Features& f = env_.features;
  switch (in.op) {
    case Opcode::I32Const:
    case Opcode::I64Const:
    case Opcode::F32Const:
    case Opcode::F64Const:
    case Opcode::V128Const:
    case Opcode::RefNull:
    case Opcode::RefFunc:
    case Opcode::GlobalGet:
    case Opcode::End: return {};
    // extended-const (3.0): integer add, sub and mul.
    case Opcode::I32Add:
    case Opcode::I32Sub:
    case Opcode::I32Mul:
    case Opcode::I64Add:
    case Opcode::I64Sub:
    case Opcode::I64Mul:
      if (f.has(ir::Feature::ExtendedConst)) return {};
      break;
    // GC (3.0): allocation and the conversions are constant.
    case Opcode::StructNew:
    case Opcode::StructNewDefault:
    case Opcode::ArrayNew:
    case Opcode::ArrayNewDefault:
    case Opcode::ArrayNewFixed:
    case Opcode::RefI31:
    case Opcode::AnyConvertExtern:
    case Opcode::ExternConvertAny:
      if (f.has(ir::Feature::Gc)) return {};
      break;
    default: break;
  }
  return fail("constant expression required");
}

// Opcodes whose signature is a fixed row of opcodes.def: no per-opcode code (style 2).
Result<void> InstrChecker::checkFixed(const decode::Instr& in, const ir::OpcodeInfo& info) {
  STRATA_CHECK(checkImmediates(in, info));
  ValType addr = ValType::i32();
  if (info.imm == ir::Imm::MemArg || info.imm == ir::Imm::MemArgLane) addr = env_.memoryAddr(in.mem.memory);
  if (info.imm == ir::Imm::Memory) addr = env_.memoryAddr(in.idx);
  auto letter = [&](char c) {
    switch (c) {
      case 'i': return ValType::i32();
      case 'l': return ValType::i64();
      case 'f': return ValType::f32();
      case 'd': return ValType::f64();
      case 'v': return ValType::v128();
      default: return addr;  // 'a'
    }
  };
  std::array<ValType, 4> params;  // the longest fixed signature has four operands
  for (size_t i = 0; i < info.params.size(); ++i) params[i] = letter(info.params[i]);
  STRATA_CHECK(popAll(std::span(params.data(), info.params.size())));
  for (char c : info.results) push(letter(c));
  return {};
}

Result<void> InstrChecker::checkImmediates(const decode::Instr& in, const ir::OpcodeInfo& info) {
  const ir::Module& m = *env_.module;
  switch (info.imm) {
    case ir::Imm::MemArg:
    case ir::Imm::MemArgLane: return checkMemArg(in);
    case ir::Imm::Memory:
      if (in.idx >= m.memories.size()) return unknown("memory", in.idx);
      return {};
    case ir::Imm::Lane:
      if (in.lane >= laneLimit(in.op)) return fail("invalid lane index");
      return {};
    case ir::Imm::Shuffle:
      for (uint8_t lane : in.v128)
        if (lane >= laneLimit(in.op)) return fail("invalid lane index");
      return {};
    case ir::Imm::Data: return checkDataIndex(in.idx);
    case ir::Imm::Elem: return checkElemIndex(in.idx);
    default: return {};
  }
}

Result<void> InstrChecker::checkMemArg(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  if (in.mem.memory >= m.memories.size()) return unknown("memory", in.mem.memory);
  uint32_t natural = naturalAlignLog2(in.op);
  // spec 3.3.7: 2^align must not exceed the access width; atomics need it exact (threads).
  if (in.mem.align_log2 > natural) return fail("alignment must not be larger than natural");
  if (isAtomicAccess(in.op) && in.mem.align_log2 != natural) return fail("alignment must be exact");
  // memory64: a 32-bit memory's offsets must fit its address type.
  if (!m.memories[in.mem.memory].type.limits.is64 && in.mem.offset > 0xffffffffu)
    return fail("offset out of range");
  if (ir::opcodeInfo(in.op).imm == ir::Imm::MemArgLane && in.lane >= laneLimit(in.op))
    return fail("invalid lane index");
  return {};
}

Result<void> InstrChecker::checkDataIndex(uint32_t data) const {
  const ir::Module& m = *env_.module;
  // spec 5.5.x: instructions naming data segments need the data count section ahead of the code.
  // Without any data segment the index is unknown either way; report that, as for text modules.
  if (!m.data_count && !m.datas.empty()) return malformed(offset_, "data count section required");
  if (data >= m.data_count.value_or(0)) return unknown("data segment", data);
  return {};
}

Result<void> InstrChecker::checkElemIndex(uint32_t elem) const {
  if (elem >= env_.module->elems.size()) return unknown("elem segment", elem);
  return {};
}

// Every "*" opcode of opcodes.def has a case; tests/validate checks none reaches the default.
Result<void> InstrChecker::checkSpecial(const decode::Instr& in, const decode::InstrReader& r) {
  switch (in.op) {
    case Opcode::Unreachable: setUnreachable(); return {};
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
    case Opcode::Try: return checkBlock(in);
    case Opcode::Else: return checkElse();
    case Opcode::End: return checkEnd();
    case Opcode::Br:
    case Opcode::BrIf:
    case Opcode::BrTable:
    case Opcode::Return: return checkBranch(in, r);
    case Opcode::Call:
    case Opcode::CallIndirect:
    case Opcode::ReturnCall:
    case Opcode::ReturnCallIndirect:
    case Opcode::CallRef:
    case Opcode::ReturnCallRef: return checkCall(in);
    case Opcode::Throw:
    case Opcode::ThrowRef:
    case Opcode::TryTable: return checkException(in, r);
    case Opcode::Catch:
    case Opcode::CatchAll:
    case Opcode::Delegate:
    case Opcode::Rethrow: return checkLegacyException(in);
    case Opcode::Drop: {
      STRATA_TRY(pop());
      return {};
    }
    case Opcode::Select:
    case Opcode::SelectT: return checkSelect(in, r);
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee: return checkVariable(in);
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: return checkGlobal(in);
    case Opcode::TableGet:
    case Opcode::TableSet:
    case Opcode::TableGrow:
    case Opcode::TableSize:
    case Opcode::TableFill: return checkTable(in);
    case Opcode::TableCopy:
    case Opcode::TableInit:
    case Opcode::MemoryInit:
    case Opcode::MemoryCopy: return checkBulk(in);
    case Opcode::RefNull:
    case Opcode::RefIsNull:
    case Opcode::RefFunc:
    case Opcode::RefEq:
    case Opcode::RefAsNonNull:
    case Opcode::RefI31:
    case Opcode::I31GetS:
    case Opcode::I31GetU:
    case Opcode::AnyConvertExtern:
    case Opcode::ExternConvertAny: return checkRef(in);
    case Opcode::BrOnNull:
    case Opcode::BrOnNonNull: return checkRefBranch(in);
    case Opcode::StructNew:
    case Opcode::StructNewDefault:
    case Opcode::StructGet:
    case Opcode::StructGetS:
    case Opcode::StructGetU:
    case Opcode::StructSet: return checkStruct(in);
    case Opcode::ArrayNew:
    case Opcode::ArrayNewDefault:
    case Opcode::ArrayNewFixed:
    case Opcode::ArrayGet:
    case Opcode::ArrayGetS:
    case Opcode::ArrayGetU:
    case Opcode::ArraySet:
    case Opcode::ArrayLen: return checkArray(in);
    case Opcode::ArrayNewData:
    case Opcode::ArrayNewElem:
    case Opcode::ArrayFill:
    case Opcode::ArrayCopy:
    case Opcode::ArrayInitData:
    case Opcode::ArrayInitElem: return checkArrayBulk(in);
    case Opcode::RefTest:
    case Opcode::RefTestNull:
    case Opcode::RefCast:
    case Opcode::RefCastNull: return checkCast(in);
    case Opcode::BrOnCast:
    case Opcode::BrOnCastFail: return checkBrOnCast(in);
    default: break;
  }
  return invalid(offset_, "validator has no rule for this instruction");
}

// --- blocks and branches -------------------------------------------------------------------

Result<void> InstrChecker::checkBlock(const decode::Instr& in) {
  BlockSig sig = STRATA_TRY(blockSig(in.block));
  if (in.op == Opcode::If) STRATA_TRY(pop(ValType::i32()));
  STRATA_CHECK(popAll(sig.paramTypes()));
  FrameKind kind = in.op == Opcode::Loop ? FrameKind::Loop
                   : in.op == Opcode::If ? FrameKind::If
                   : in.op == Opcode::Try ? FrameKind::Try
                                          : FrameKind::Block;
  pushFrame(kind, sig);
  return {};
}

Result<void> InstrChecker::checkElse() {
  if (ctrls_.back().kind != FrameKind::If) return malformed(offset_, "else without matching if");
  ControlFrame f = STRATA_TRY(popFrame());
  pushFrame(FrameKind::Else, f.sig);
  return {};
}

Result<void> InstrChecker::checkEnd() {
  ControlFrame f = STRATA_TRY(popFrame());
  // spec 3.3.8.x: an `if` without `else` passes its parameters through the missing branch.
  if (f.kind == FrameKind::If && !types_.isSubtype(f.sig.paramTypes(), f.sig.resultTypes()))
    return mismatch();
  if (f.kind == FrameKind::Try) {
    // legacy exceptions: a try without handlers behaves like a block.
  }
  if (!ctrls_.empty()) pushAll(f.sig.resultTypes());
  return {};
}

Result<void> InstrChecker::checkBranch(const decode::Instr& in, const decode::InstrReader& r) {
  switch (in.op) {
    case Opcode::Br: {
      const ControlFrame* f = STRATA_TRY(label(in.idx));
      STRATA_CHECK(popAll(f->labelTypes()));
      setUnreachable();
      return {};
    }
    case Opcode::BrIf: {
      const ControlFrame* f = STRATA_TRY(label(in.idx));
      STRATA_TRY(pop(ValType::i32()));
      STRATA_CHECK(popAll(f->labelTypes()));
      pushAll(f->labelTypes());
      return {};
    }
    case Opcode::BrTable: {
      STRATA_TRY(pop(ValType::i32()));
      const std::vector<uint32_t>& targets = r.brTargets();
      const ControlFrame* def = STRATA_TRY(label(targets.back()));
      size_t arity = def->labelTypes().size();
      // spec appendix: every target needs the default's arity and must accept the operands;
      // each is checked by popping and re-pushing the actual (possibly Bot) operand types.
      bool record = std::exchange(record_, false);
      for (uint32_t t : targets) {
        const ControlFrame* f = STRATA_TRY(label(t));
        std::span<const ValType> ts = f->labelTypes();
        if (ts.size() != arity) return mismatch();
        scratch_.clear();
        for (size_t i = ts.size(); i-- > 0;) scratch_.push_back(STRATA_TRY(pop(ts[i])));
        for (auto it = scratch_.rbegin(); it != scratch_.rend(); ++it) vals_.push_back(*it);
      }
      record_ = record;
      STRATA_CHECK(popAll(def->labelTypes()));
      setUnreachable();
      return {};
    }
    default:  // Return
      STRATA_CHECK(popAll(std::span(func_type_->results)));
      setUnreachable();
      return {};
  }
}

Result<void> InstrChecker::checkSelect(const decode::Instr& in, const decode::InstrReader& r) {
  if (in.op == Opcode::SelectT) {
    const std::vector<ValType>& ts = r.selectTypes();
    if (ts.size() != 1) return fail("invalid result arity");
    if (!types_.valid(ts[0])) return fail("unknown type");
    STRATA_TRY(pop(ValType::i32()));
    STRATA_TRY(pop(ts[0]));
    STRATA_TRY(pop(ts[0]));
    push(ts[0]);
    return {};
  }
  // spec 3.3.4: untyped select only chooses between numeric or vector values of one type.
  STRATA_TRY(pop(ValType::i32()));
  ValType t1 = STRATA_TRY(pop());
  ValType t2 = STRATA_TRY(pop());
  auto plain = [](ValType t) { return t.kind != ValKind::Ref; };
  if (!plain(t1) || !plain(t2)) return mismatch();
  if (t1.kind != t2.kind && t1.kind != ValKind::Bot && t2.kind != ValKind::Bot) return mismatch();
  push(t1.kind == ValKind::Bot ? t2 : t1);
  return {};
}

// --- variables -----------------------------------------------------------------------------

Result<void> InstrChecker::checkVariable(const decode::Instr& in) {
  if (in.idx >= locals_.size()) return unknown("local", in.idx);
  ValType t = locals_[in.idx];
  if (in.op == Opcode::LocalGet) {
    if (!local_init_[in.idx]) return fail("uninitialized local");
    push(t);
    return {};
  }
  STRATA_TRY(pop(t));
  if (!local_init_[in.idx]) {
    local_init_[in.idx] = 1;
    init_marks_.push_back(in.idx);
  }
  if (in.op == Opcode::LocalTee) push(t);
  return {};
}

Result<void> InstrChecker::checkGlobal(const decode::Instr& in) {
  const ir::Module& m = *env_.module;
  uint32_t limit = const_expr_ ? visible_globals_ : uint32_t(m.globals.size());
  if (in.idx >= limit) return unknown("global", in.idx);
  const ir::GlobalType& g = m.globals[in.idx].type;
  if (in.op == Opcode::GlobalGet) {
    // spec 3.3.10: constant expressions may only read immutable globals.
    if (const_expr_ && g.mut) return fail("constant expression required");
    push(g.type);
    return {};
  }
  if (!g.mut) return fail("global is immutable (immutable global)");
  STRATA_TRY(pop(g.type));
  return {};
}

}  // namespace strata::validate
