// The type checker behind FuncValidator: the operand and control stacks of the spec's validation
// algorithm (spec appendix "Validation Algorithm", 3.0) and the typing rule of every instruction.
//
// Why a class separate from FuncValidator: the checking does not depend on the consumer, so it is
// compiled once here instead of once per consumer; FuncValidator<Consumer> (func_validator.h) is
// the loop that reads instructions, calls check() and hands the result to its consumer.
//
// Shape of the algorithm: `vals_` holds the operand types; each control frame records the stack
// height at its entry, its label and result types and whether the rest of the block is dead
// (`unreachable`). In dead code popping below the frame's height yields the bottom type (Bot /
// kBotHeap) that matches anything, which makes the stack polymorphic (spec 3.3.8). Non-defaultable
// locals (typed function references) start uninitialised; local.set/tee mark them and the marks
// are undone when the enclosing block ends (spec 3.3.x "local initialization").
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "decode/instr.h"
#include "ir/opcodes.h"
#include "ir/types.h"
#include "support/byte_reader.h"
#include "support/error.h"
#include "support/flat_stack.h"
#include "support/thread_scratch.h"
#include "validate/module_env.h"

namespace strata::validate {

enum class FrameKind : uint8_t { Function, Block, Loop, If, Else, TryTable, Try, Catch, CatchAll };

// A block's parameter and result types. Multi-value block types point into the module's type
// list; a single result lives in `single` so no allocation is needed.
struct BlockSig {
  const ir::ValType* params = nullptr;
  const ir::ValType* results = nullptr;
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  ir::ValType single{};
  std::span<const ir::ValType> paramTypes() const { return {params, num_params}; }
  std::span<const ir::ValType> resultTypes() const {
    return {results ? results : &single, num_results};
  }
};

struct ControlFrame {
  FrameKind kind = FrameKind::Block;
  bool unreachable = false;
  uint32_t height = 0;       // operand stack height at entry, below the block's parameters
  uint32_t init_height = 0;  // local-initialisation marks made before the block
  BlockSig sig;
  // spec 3.3.8: a branch to a loop re-enters it with its parameters, to others exits with results.
  std::span<const ir::ValType> labelTypes() const {
    return kind == FrameKind::Loop ? sig.paramTypes() : sig.resultTypes();
  }
};

// The single-byte instructions InstrChecker::checkFast decodes and checks itself, by opcode
// byte (instr_checker.cc builds the table from ir/opcodes.def).
struct FastOp {
  // Up to Numeric: checked inline (checkFast). After it: the next most frequent instructions of
  // compiled C (constants of any length, blocks, ends, branches, loads and stores, globals,
  // calls), checked out of line (checkFastMore, instr_checker_fast.cc).
  enum Class : uint8_t {
    None, LocalGet, LocalSet, LocalTee, I32Const, I64Const, Numeric,
    F32Const, F64Const, Block, Loop, If, End, Br, BrIf, Drop, Select, GlobalGet, GlobalSet, Call, Load, Store
  };
  Class cls = None;
  ir::Opcode op{};
  ir::Feature feature{};
  uint8_t num_params = 0;  // Numeric: one or two operands, one result, no immediate
  ir::ValKind params[2]{};  // Store: params[1] is the stored value's kind
  ir::ValKind result{};     // Load: the loaded value's kind
  uint8_t align_log2 = 0;   // Load, Store: the natural alignment (naturalAlignLog2)
};
extern const std::array<FastOp, 256> kFastOps;
// The features of every instruction kFastOps takes (one bit per ir::Feature): a checker whose
// module has them all never asks per instruction (every standard feature set has them).
extern const uint64_t kFastOpFeatures;

class InstrChecker {
 public:
  explicit InstrChecker(const ModuleEnv& env)
      : env_(env), types_(env.types), fast_ok_((env.features.bits() & kFastOpFeatures) == kFastOpFeatures) {
    swapArrays();
  }
  ~InstrChecker() { swapArrays(); }
  InstrChecker(const InstrChecker&) = delete;
  InstrChecker& operator=(const InstrChecker&) = delete;

  // A function body: `locals` are the parameters followed by the declared locals.
  // `body_bytes` bounds the nesting (two bytes at least per block): see support::reserveDeep.
  void beginFunction(std::span<const ir::ValType> locals, const ir::FuncType& type, size_t body_bytes = 0);
  // A constant expression of type `result` (spec 3.3.10); only globals below `visible_globals`
  // may be read (imports, or with GC the globals defined before).
  void beginConstExpr(ir::ValType result, uint32_t visible_globals);

  // Checks one instruction; r supplies its variable-length immediates.
  Result<void> check(const decode::Instr& in, const decode::InstrReader& r);

  // The most frequent instructions (local.get/set/tee with a one-byte index, i32/i64.const with
  // a one-byte immediate, numeric instructions of one or two operands and no immediate, about
  // three quarters of a compiled C program's) in live code and with operands of the exact
  // types: decoded from `br` into `in` and checked here, as reader.next + check would, without
  // their general paths (each ~100 instructions of the host per wasm instruction). False, with
  // nothing read or changed, for anything else: the caller then takes the general path, which
  // also gives every error. Not while recording types (setRecordTypes), nor once done().
  [[gnu::always_inline]] bool checkFast(ByteReader& br, decode::Instr& in) {
    if (!fast_) return false;
    const ControlFrame& frame = ctrls_.back();  // the caller's loop stops when done()
    size_t left = br.remaining();
    if (left == 0) return false;
    const uint8_t* p = br.pos();
    const FastOp& f = kFastOps[p[0]];
    if (f.cls == FastOp::None) return false;  // and every feature is on (fast_ok_)
    if (f.cls > FastOp::Numeric) return checkFastMore(br, in, f);
    if (frame.unreachable) return false;
    size_t height = vals_.size();
    uint8_t imm = left >= 2 ? p[1] : 0x80;
    switch (f.cls) {
      case FastOp::LocalGet:
        if (imm >= 0x80 || imm >= locals_.size() || !local_init_[imm]) return false;
        vals_.push_back(locals_[imm]);
        break;
      case FastOp::LocalSet:
      case FastOp::LocalTee:
        if (imm >= 0x80 || imm >= locals_.size() || height <= frame.height || !(vals_.back() == locals_[imm]) ||
            !local_init_[imm])
          return false;
        if (f.cls == FastOp::LocalSet) vals_.pop_back();
        break;
      case FastOp::I32Const:
      case FastOp::I64Const:
        if (imm >= 0x80) return checkFastMore(br, in, f);
        // A one-byte signed LEB128: seven bits, the top one the sign.
        if (f.cls == FastOp::I32Const) {
          in.i32 = int32_t(uint32_t(imm) << 25) >> 25;
          vals_.push_back(ir::ValType::i32());
        } else {
          in.i64 = int64_t(uint64_t(imm) << 57) >> 57;
          vals_.push_back(ir::ValType::i64());
        }
        break;
      case FastOp::Numeric: {
        if (height - frame.height < f.num_params) return false;
        ir::ValType* top = vals_.data() + height - f.num_params;
        if (top[0].kind != f.params[0] || (f.num_params == 2 && top[1].kind != f.params[1])) return false;
        top[0] = ir::ValType{f.result, false, {}};
        if (f.num_params == 2) vals_.pop_back();
        break;
      }
      default: return false;
    }
    in.op = f.op;
    in.offset = br.offset();
    if (f.cls != FastOp::Numeric) in.idx = imm;
    br.advance(f.cls == FastOp::Numeric ? 1 : 2);
    offset_ = in.offset;
    reachable_before_ = true;
    depth_before_ = uint32_t(ctrls_.size());
    height_before_ = uint32_t(height);
    return true;
  }
  bool done() const { return ctrls_.empty(); }
  // checkFast's out-of-line classes (and constants longer than a byte), same contract.
  bool checkFastMore(ByteReader& br, decode::Instr& in, const FastOp& f);

  // What the last check() saw, for consumers (see InstrContext in func_validator.h).
  void setRecordTypes(bool on) {
    record_ = on;
    fast_ = !record_ && !const_expr_ && fast_ok_;
  }
  bool reachableBefore() const { return reachable_before_; }
  uint32_t depthBefore() const { return depth_before_; }
  uint32_t heightBefore() const { return height_before_; }
  uint32_t height() const { return uint32_t(vals_.size()); }
  std::span<const ir::ValType> popped() const { return popped_; }  // bottom first
  std::span<const ir::ValType> pushed() const { return pushed_; }
  std::span<const ControlFrame> frames() const { return ctrls_; }

 private:
  // Errors at the current instruction's offset.
  std::unexpected<Error> fail(const char* msg) const { return invalid(offset_, msg); }
  std::unexpected<Error> mismatch() const { return fail("type mismatch"); }
  // "unknown global 3": the reference interpreter's wording, which the suite matches.
  std::unexpected<Error> unknown(const char* space, uint64_t index) const;
  // "type mismatch: block requires [i32] but stack has [i64 i32]" (reference interpreter wording).
  std::unexpected<Error> stackMismatch(const char* what, std::span<const ir::ValType> required,
                                       std::span<const ir::ValType> actual) const;

  // Operand stack (spec appendix: push_val, pop_val, pop_vals).
  void push(ir::ValType t);
  void pushAll(std::span<const ir::ValType> ts);
  Result<ir::ValType> pop();
  Result<ir::ValType> pop(ir::ValType expect);
  Result<void> popAll(std::span<const ir::ValType> ts);
  Result<ir::ValType> popRef();  // any reference; Bot comes back as (ref null bot)
  void setUnreachable();

  // Control stack (push_ctrl, pop_ctrl, labels).
  void pushFrame(FrameKind kind, const BlockSig& sig);
  Result<ControlFrame> popFrame();
  Result<const ControlFrame*> label(uint32_t depth) const;
  Result<BlockSig> blockSig(const decode::BlockType& bt) const;

  Result<void> checkFixed(const decode::Instr& in, const ir::OpcodeInfo& info);
  Result<void> checkImmediates(const decode::Instr& in, const ir::OpcodeInfo& info);
  Result<void> checkMemArg(const decode::Instr& in);
  Result<void> checkDataIndex(uint32_t data) const;
  Result<void> checkConstAllowed(const decode::Instr& in) const;
  Result<void> checkSpecial(const decode::Instr& in, const decode::InstrReader& r);

  // Hand-typed instruction groups (instr_checker.cc unless noted).
  Result<void> checkBlock(const decode::Instr& in);
  Result<void> checkElse();
  Result<void> checkEnd();
  Result<void> checkBranch(const decode::Instr& in, const decode::InstrReader& r);
  Result<void> checkSelect(const decode::Instr& in, const decode::InstrReader& r);
  Result<void> checkVariable(const decode::Instr& in);
  Result<void> checkGlobal(const decode::Instr& in);
  // instr_checker_ref.cc
  Result<void> checkCall(const decode::Instr& in);
  Result<void> checkReturnTypes(const ir::FuncType& callee);
  Result<void> checkTable(const decode::Instr& in);
  Result<void> checkBulk(const decode::Instr& in);
  Result<void> popCopyOperands(ir::ValType dst, ir::ValType src);
  Result<void> popInitOperands(ir::ValType dst);
  Result<void> checkRef(const decode::Instr& in);
  Result<void> checkRefBranch(const decode::Instr& in);
  Result<void> checkException(const decode::Instr& in, const decode::InstrReader& r);
  Result<void> checkLegacyException(const decode::Instr& in);
  // instr_checker_gc.cc
  Result<void> checkStruct(const decode::Instr& in);
  Result<void> checkArray(const decode::Instr& in);
  Result<void> checkArrayBulk(const decode::Instr& in);
  Result<void> checkCast(const decode::Instr& in);
  Result<void> checkBrOnCast(const decode::Instr& in);
  Result<const ir::StructType*> structType(uint32_t index) const;
  Result<const ir::ArrayType*> arrayType(uint32_t index) const;
  Result<void> checkElemIndex(uint32_t elem) const;

  const ModuleEnv& env_;
  const TypeContext& types_;
  uint64_t offset_ = 0;
  bool const_expr_ = false;
  uint32_t visible_globals_ = 0;

  // The stacks' memory is kept in a scratch of the thread (support/thread_scratch.h), so that
  // validating function after function does not grow them into fresh memory each time. The
  // checker holds them as its own members while it lives (swapArrays: taken at construction,
  // given back at destruction), not as references into the scratch: every access through a
  // reference was one more load, in the loop that runs for every instruction, which the
  // compiler cannot hoist past the consumer's calls.
  struct Arrays {
    support::FlatStack<ir::ValType> vals;
    std::vector<ir::ValType> scratch, locals, popped, pushed;
    std::vector<ControlFrame> ctrls;
    std::vector<uint8_t> local_init;
    std::vector<uint32_t> init_marks;
  };
  void swapArrays() {
    Arrays& a = arrays_holder_.get();
    vals_.swap(a.vals);
    scratch_.swap(a.scratch);
    locals_.swap(a.locals);
    popped_.swap(a.popped);
    pushed_.swap(a.pushed);
    ctrls_.swap(a.ctrls);
    local_init_.swap(a.local_init);
    init_marks_.swap(a.init_marks);
  }
  ThreadScratch<Arrays> arrays_holder_;
  // The operand stack: pushed and popped for nearly every instruction (checkFast inlines them
  // into FuncValidator::run), so a FlatStack, whose growth stays out of line.
  support::FlatStack<ir::ValType> vals_;
  std::vector<ir::ValType> scratch_;  // br_table's operands, reused across instructions
  std::vector<ControlFrame> ctrls_;
  size_t max_depth_ = 0;  // the current body's bound on ctrls_ (beginFunction)
  std::vector<ir::ValType> locals_;
  std::vector<uint8_t> local_init_;
  std::vector<uint32_t> init_marks_;
  const ir::FuncType* func_type_ = nullptr;
  ir::ValType const_result_{};

  ir::ValType last_popped_{};
  bool record_ = false;
  // checkFast may take instructions: no types recorded, not a constant expression, and the
  // module has every feature of kFastOps (else the general path says which one is off).
  bool fast_ = false;
  bool fast_ok_ = false;
  bool reachable_before_ = true;
  uint32_t depth_before_ = 0;
  uint32_t height_before_ = 0;
  std::vector<ir::ValType> popped_;
  std::vector<ir::ValType> pushed_;
};

}  // namespace strata::validate
