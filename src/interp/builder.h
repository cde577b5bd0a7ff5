// The bytecode builder: a FuncValidator consumer that translates one validated function body
// into interpreter bytecode (bytecode.h) in a single pass.
//
// The essay. The frame is an array of slots: parameters, declared locals, then one home slot
// range per operand-stack position (8 bytes, 16 for v128), so the validator's stack height at
// an instruction fixes where each operand lives. The builder keeps a virtual operand stack of
// Entries: a value is either in its home slot (Home), still in a local (Local: `local.get`
// emitted nothing) or a constant not yet written anywhere (Const). Consumers name the slot
// directly, so `local.get`s disappear and binary ops with a constant operand use an immediate.
//
// Deferring reads of locals is only sound while the local is unchanged: `local.set x` first
// copies every Local(x) entry into its home slot, and every block boundary materialises all
// Local entries (code inside the block may run conditionally, so a copy made there would not
// happen on every path). Constants never change, so they survive blocks, except as a loop's or
// an if's parameters, which branches write into home slots.
//
// Peepholes on the last instruction (`last_`): when `local.set`/`local.tee` follows an
// instruction that wrote the top of the stack, its destination is patched to the local; when
// `br_if`/`if` consumes the i32 result of a numeric instruction, the instruction is rewound and
// re-emitted in its branching form (compare-and-branch, also through an i32.eqz); a numeric op
// consuming the previous one's result becomes a superinstruction when the pair is listed
// (pairs.h); a load or store of an address just computed by i32.add (or shl+add) computes it
// itself (MemMode::X). Each rewind drops only the last instruction, whose operands no
// instruction emitted since can have changed. Bound labels end the window.
//
// Constants used inside loops get slots of a constant pool filled on entry (LoopConstants);
// a loop that starts with its exit test gets the test repeated, negated, at its back edge.
//
// Control: each block records the stack height at entry; branches move their label's values
// into the block's home slots (only if they are elsewhere) and jump; forward jumps are patched
// when the block ends. Dead code (after br, return, unreachable) emits nothing.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decode/instr.h"
#include "interp/bytecode.h"
#include "interp/dispatch.h"
#include "ir/module.h"
#include "support/error.h"
#include "validate/func_validator.h"
#include "validate/module_env.h"
#include "vm/compiler.h"

namespace strata::interp {

// What every function of a module shares during translation.
struct ModuleCtx {
  const ir::Module* module = nullptr;
  const validate::ModuleEnv* env = nullptr;
  vm::CompileOptions options;
  HandlerTables tables;
  std::vector<FuncCode>* funcs = nullptr;  // defined functions, by index - imported count
  const std::vector<SigInfo>* sigs = nullptr;  // by type index (function types only)
};

// Pre-pass over a body: the distinct scalar constants that occur inside loops. The builder
// reserves that many frame slots (up to kMaxPool) for a constant pool, filled once on entry, so
// a constant operand inside a loop is read from its slot instead of being stored every
// iteration (see Builder::use).
struct LoopConstants {
  static constexpr bool kWantsTypes = false;
  std::vector<bool> is_loop;
  uint32_t loops = 0;
  std::vector<uint64_t> values;
  void onLocals(std::span<const ir::ValType>) {}
  void onInstr(const decode::Instr& in, const validate::InstrContext& c);
  void onEnd();
};

class Builder {
 public:
  static constexpr bool kWantsTypes = true;
  static constexpr uint32_t kMaxPool = 32;

  // `loop_constants`: LoopConstants::values of the body.
  Builder(const ModuleCtx& mc, uint32_t func_index, FuncCode& out, size_t loop_constants = 0);

  void onLocals(std::span<const ir::ValType> locals);
  void onInstr(const decode::Instr& in, const validate::InstrContext& c);
  void onEnd();
  // An instruction the tier does not implement (GC) makes the whole
  // module fail to compile.
  Result<void> status() const { return error_; }

  // --- what the opcode visitors use (builder_*.cc) ---
  enum class Kind : uint8_t { Home, Local, Const };
  struct Entry {
    Kind kind = Kind::Home;
    bool wide = false;  // v128: two slots
    Slot slot = 0;      // where the value is (Home: == home; Local: the local's slot)
    Slot home = 0;      // the home slot of the entry's stack position
    bool ref = false;   // of reference type (typePushed): a GC root while Home
    uint64_t c[2] = {0, 0};  // Const bits
    uint32_t bytes() const { return wide ? 16 : 8; }
  };

  enum class FrameKind : uint8_t { Function, Block, Loop, If };
  struct Fixup {
    uint32_t at;   // the branching instruction's first byte
    uint32_t rel;  // where its Rel field is
  };
  struct Ctrl {
    FrameKind kind = FrameKind::Block;
    bool dead_entry = false;  // opened in dead code: nothing of it is emitted
    bool has_else = false;
    size_t height = 0;  // stack entries below the block's parameters
    Slot home = 0;      // home slot of stack position `height`
    std::vector<ir::ValType> params, results;
    uint32_t loop_pc = 0;
    std::vector<Fixup> fixups;  // forward branches to the end
    bool has_else_fixup = false;
    Fixup else_fixup{};
    std::vector<Entry> saved;   // an if's parameters, restored at else
    // Exception handling (builder_exceptions.cc). try_table: its handler's index in handlers_.
    // Legacy try: `try_begin` starts the `do` part; once a catch started, `in_catch` and the
    // handler index, and `exn_slot` holds the caught exception (for rethrow) below the
    // catch's payload.
    bool legacy_try = false;
    bool in_catch = false;
    bool rethrown = false;         // the current catch body rethrows its exception
    bool rethrown_nested = false;  // ... from inside a handler of its own
    int handler = -1;
    uint32_t try_begin = 0;
    Slot exn_slot = 0;
    // A loop whose first instruction is a conditional exit (`while (c) ...`): the back edge
    // repeats that test, negated, so each iteration dispatches one branch instead of two.
    struct HeadExit {
      bool valid = false;
      uint32_t size = 0;               // bytes of the exit instruction at loop_pc
      uint32_t rel_at = 0;             // its Rel field, from its first byte
      const void* negated = nullptr;   // the handler testing the opposite
      size_t target = 0;               // index in ctrls_ of the frame it exits to
    } head;
    std::span<const ir::ValType> labelTypes() const { return kind == FrameKind::Loop ? params : results; }
  };

  // A condition a branch consumes: a slot, or a numeric instruction rewound for fusion.
  struct Cond {
    bool fused = false;
    bool invert = false;  // branch on the opposite (an i32.eqz folded into the condition)
    Slot slot = 0;
    ir::Opcode op{};
    Form form = Form::Plain;  // Plain or Imm of `op`
    Slot a = 0, b = 0;
    uint64_t imm = 0;
  };

 private:
  friend struct Visitors;

  // --- code emission ---
  uint32_t pos() const { return uint32_t(code_.size()); }
  uint32_t begin(const void* handler);  // starts an instruction; returns its first byte
  template <class Op>
  uint32_t emit(H h, const Op& op) {
    assert(kHandOpBytes[unsigned(h)] == kOpBytes<Op> && "operand struct differs from bytecode.h's list");
    uint32_t at = begin(tables_.hand[unsigned(h)]);
    append(&op, kOpBytes<Op>);
    hand_ = {h, at};
    return at;
  }
  // Whether the last instruction is hand-written handler h, ends at pos() and no label lies
  // after its start: a peephole may then merge it into the next instruction. Its operands:
  template <H h>
  bool justEmitted() const {
    return hand_.h == h && hand_.at + 8 + kOpBytes<OpOf<h>> == pos() && label_pos_ <= hand_.at;
  }
  template <H h>
  OpOf<h> lastOperands() const {
    return rd<OpOf<h>>(code_.data() + hand_.at + 8);
  }
  void append(const void* p, size_t n);
  template <class T>
  void patch(uint32_t at, const T& v) {
    wr(code_.data() + at, v);
  }
  void patchRel(const Fixup& f, uint32_t target) {
    patch<Rel>(f.rel, Rel(int64_t(target) - int64_t(f.at)));
    label_pos_ = std::max(label_pos_, target);
  }
  // Emits a generated instruction (rows.h layout); `tail` points at its lane/shuffle/immediate.
  uint32_t emitGen(ir::Opcode op, Form form, Slot dst, std::span<const Slot> args, const void* tail);
  void rewind(uint32_t at);  // drops the code from `at` on
  // Bytes emitted since the window opened may not be rewound or patched (a label was bound).
  void closeWindow() { last_ = {}; }
  void setLast(uint32_t at, Slot dst);  // the instruction at `at` wrote dst as its first field

  // --- virtual operand stack ---
  Slot homeAt(size_t height) const;
  void push(Entry e);
  Entry pushHome(bool wide);
  Entry pop();
  Entry& top(size_t i = 0) { return stack_[stack_.size() - 1 - i]; }
  static bool isWide(ir::ValType t) { return t.kind == ir::ValKind::V128; }
  Slot localSlot(uint32_t i) const { return local_slots_[i]; }

  // Puts a value in a slot: Const entries are written to their home; returns the slot.
  Slot use(Entry& e);
  void moveTo(Slot dst, const Entry& e);  // copy / constant store into dst (no-op if already there)
  void materialize(Entry& e);             // Local/Const -> Home
  void materializeLocal(Slot local_slot);  // every Local entry of that local -> Home
  void materializeLocals();               // every Local entry -> Home
  void materializeTop(size_t n);          // the top n entries -> Home
  bool aliases(Slot local_slot) const;

  // --- control ---
  void enterDead() { dead_ = true; closeWindow(); }
  void bind(Ctrl& c);  // patches forward branches to here
  bool valuesInPlace(const Ctrl& target, size_t n) const;
  void moveValues(const Ctrl& target, size_t n);  // top n -> target's home slots
  void moveToBase(size_t n);                      // top n -> [0, ...) (return, tail calls)
  void emitJump(Ctrl& target);                    // Br to the label (fixup or loop header)
  void emitBranch(uint32_t depth);                // br: moves + jump, or a return
  void emitReturn();
  Cond takeCond();  // pops an i32 condition, fusing it with the instruction that produced it
  // Emits a branch to `target` taken when cond is non-zero (or zero, with `negate`); returns a
  // fixup when `target` is null (the caller binds it).
  Fixup emitCondBranch(const Cond& c, bool negate, Ctrl* target);
  void branchIf(const Cond& c, bool negate, uint32_t depth);
  void emitInterruptChecks();

  // --- visitors (builder_control.cc, builder_ops.cc) ---
  void visit(const decode::Instr& in, const validate::InstrContext& c);
  void visitDead(const decode::Instr& in);
  void blockSig(const decode::BlockType& bt, std::vector<ir::ValType>& params, std::vector<ir::ValType>& results) const;
  void visitBlock(const decode::Instr& in);
  void visitElse();
  void visitEnd();
  void visitBr(const decode::Instr& in);
  void visitBrIf(const decode::Instr& in);
  void visitBrTable(const decode::Instr& in, const validate::InstrContext& c);
  void visitNumeric(const decode::Instr& in);
  void visitConst(const decode::Instr& in);
  void visitLocal(const decode::Instr& in);
  void visitGlobal(const decode::Instr& in);
  void visitSelect(const decode::Instr& in, const validate::InstrContext& c);
  void visitCall(const decode::Instr& in);
  void visitMemory(const decode::Instr& in);
  void visitLane(const decode::Instr& in);
  void visitMemoryMisc(const decode::Instr& in);
  void popThree(OpBulk& o);  // (d, x, n) operands of the bulk instructions
  void visitTable(const decode::Instr& in);
  void visitRef(const decode::Instr& in);
  void visitWide(const decode::Instr& in);
  void visitAtomic(const decode::Instr& in);
  void visitException(const decode::Instr& in, const validate::InstrContext& c);
  void visitTryTable(const decode::Instr& in, const validate::InstrContext& c);
  void visitCatch(const decode::Instr& in);
  void visitDelegate(const decode::Instr& in);
  void visitThrow(const decode::Instr& in);
  void visitGc(const decode::Instr& in);  // builder_gc.cc
  void visitBrOnCast(const decode::Instr& in);
  Slot takeConsecutive(size_t n);  // pops n operands left in consecutive slots: the first one's
  // A handler range starting here: no fusion may reach back over it (its first instruction
  // must stay where the range says).
  void markLabel() {
    label_pos_ = std::max(label_pos_, pos());
    closeWindow();
  }
  // At a block's end: closes a try_table's range; moves a legacy catch's results down over
  // the caught exception's slot to the block's home.
  void endHandlers(Ctrl& c);
  void endCatchBody(const Ctrl& c);
  void finishHandlers();  // onEnd: the handler tables into FuncCode, innermost first
  void unsupported(const decode::Instr& in);

  // --- GC roots (builder_gc.cc; docs/gc.md "Roots" 1, bytecode.h GcSite) ---
  // Types the entries the instruction just pushed from the validator's record of them.
  void typePushed(std::span<const ir::ValType> pushed);
  // site_slots_ = the home slots of the Home reference entries below the top `skip` entries
  // (taken before a safepoint instruction pops its operands).
  void liveRefs(size_t skip);
  // The instruction at [at, pos()) is a safepoint with site_slots_; sig and args for a call
  // that may reach a host function (its arguments' RawVals).
  void addSite(uint32_t at, const SigInfo* sig = nullptr, Slot args = 0);
  std::vector<Slot> site_slots_;

  void emitCall(const ir::FuncType& ft, uint32_t type_index, const decode::Instr& in);
  MemMode memMode(uint32_t mem) const;
  bool mem64(uint32_t mem) const { return module_.memories[mem].type.limits.is64; }
  bool table64(uint32_t t) const { return module_.tables[t].type.limits.is64; }

  const ModuleCtx& mc_;
  const ir::Module& module_;
  HandlerTables tables_;
  FuncCode& out_;
  std::vector<uint8_t>& code_;
  const ir::FuncType* type_ = nullptr;
  Result<void> error_;

  std::vector<Slot> local_slots_;
  std::vector<ir::ValType> local_types_;
  Slot locals_end_ = 0;
  Slot pool_base_ = 0;       // the constant pool: [pool_base_, pool_base_ + 8 * pool_capacity_)
  uint32_t pool_capacity_ = 0;
  std::vector<std::pair<uint64_t, Slot>> pool_;  // constants given a pool slot
  uint32_t loop_depth_ = 0;
  bool poolSlot(uint64_t value, Slot& slot);
  void emitPool();  // prepends the instruction that fills the pool
  Slot max_bytes_ = 0;
  std::vector<Entry> stack_;
  std::vector<Ctrl> ctrls_;
  // Exception handlers (see bytecode.h HandlerRange), with their clauses, in creation order.
  struct PendingHandler {
    HandlerRange range;
    std::vector<CatchEntry> clauses;
  };
  std::vector<PendingHandler> handlers_;
  bool dead_ = false;
  uint64_t wasm_offset_ = 0;
  // Set by rewind() until the next wasm instruction: the offset of the rewound instruction,
  // which the fused form that replaces it reports (begin()).
  bool rewound_ = false;
  uint64_t rewound_wasm_ = 0;
  ir::Opcode cur_op_{};
  uint32_t fuel_at_ = 0;  // code offset of the last CheckFuel's cost
  uint32_t fuel_count_ = 0;
  bool has_fuel_ = false;

  // The instruction that may still be patched or rewound (see the essay).
  struct GenDesc {
    bool valid = false;  // a generated numeric instruction in Plain or Imm form
    uint32_t at = 0;
    ir::Opcode op{};
    Form form = Form::Plain;
    Slot a = 0, b = 0;
    uint64_t imm = 0;
  };
  struct Last {
    bool valid = false;
    uint32_t at = 0;      // its first byte
    uint32_t dst_at = 0;  // its dst field
    Slot dst = 0;
    GenDesc gen;          // the instruction itself, if generated
    GenDesc inner;        // for i32.eqz of a comparison's result: the comparison
    // An i32 address computation base + (index << shift) (i32.add, or shl+add), or base + k
    // (i32.add with a constant): a load or store of its result can compute it itself
    // (MemMode::X, MemMode::K).
    struct Addr {
      bool valid = false;
      Slot base = 0, index = 0;
      uint32_t shift = 0;
      bool konst = false;  // base + k: MemMode::K
      uint32_t k = 0;
      bool scaled = false;  // (base << shift) + k: MemMode::S, by a shl at `from` and an add
      uint32_t from = 0;
    } addr;
  } last_;
  // The hand-written instruction emitted last (emit() records it, begin() forgets it).
  struct LastHand {
    H h = H::Count;
    uint32_t at = 0;
  } hand_;
  // The furthest bytecode position any branch targets so far: no instruction may be fused with
  // one that starts before it (the label would land inside the fused instruction).
  uint32_t label_pos_ = 0;
  // The last i32.add emitted (`i = i + k` or `i = i + j`), with its destination as patched by
  // local.set/tee: a branch on a comparison of that destination right after can be one
  // increment-and-branch handler (pairs.h).
  struct Incr {
    bool valid = false;
    bool slot_add = false;  // k is a slot
    uint32_t at = 0, end = 0;
    Slot dst = 0, a = 0;
    uint32_t k = 0;
  } incr_;
  // The moves just emitted (a Copy64 or Copy2, justEmitted), which a call can carry; removes
  // them. Returns the number of moves (0, 1 or 2).
  int takeMoves(OpMove2& moves);
  // Emits the increment-and-branch of incr_ and the fused comparison c (pairs.h) if it applies.
  bool emitIncrBranch(const Cond& c, Form form, Fixup& f);
  bool fusesWithBranch() const { return last_.gen.valid && hasBranchForms(last_.gen.op); }
  static bool hasBranchForms(ir::Opcode op);
  // Emits the superinstruction of pairs.h for `last_.gen` followed by `op` whose operand `pos`
  // is its result, if listed; returns whether it did.
  bool emitPair(const decode::Instr& in, Form form, Entry* ops, uint64_t imm, Slot dst);
};

}  // namespace strata::interp
