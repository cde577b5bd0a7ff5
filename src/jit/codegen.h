// The baseline tier's single-pass code generator: a FuncValidator consumer that emits x86-64
// for one function while the validator reads it (docs/jit.md is the essay).
//
// In short. The operand stack is virtual: each entry is in a register, a constant not yet
// materialised, a compare result still in the flags, or in memory at an rbp-relative address
// (its own stack slot, or a local's home when `local.get` emitted nothing). Registers are taken
// from a pool and freed when their entry is consumed; when the pool is empty the deepest
// register entry is spilled. At every control-flow join (block, loop, if, else, end, branch)
// the entries are made canonical (each in its own stack slot), so the labels need no register
// state. Traps jump to out-of-line stubs emitted after the function's body.
#pragma once

#include <asmjit/x86.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "decode/instr.h"
#include "jit/emitter.h"
#include "jit/externs.h"
#include "jit/loop_scan.h"
#include "jit/stubs.h"
#include "ir/module.h"
#include "support/error.h"
#include "support/flat_stack.h"
#include "support/thread_scratch.h"
#include "validate/func_validator.h"
#include "validate/module_env.h"
#include "vm/code_image.h"
#include "vm/compiler.h"

namespace strata::jit {

namespace x86 = asmjit::x86;

// What every function of a module shares while the module is compiled.
struct ModuleState {
  const ir::Module* module = nullptr;
  const ir::Features* features = nullptr;  // the module's (the loop scan decodes with them)
  vm::CompileOptions options;
  Emitter* a = nullptr;
  asmjit::Label got;          // call slots: one code pointer per defined function (data page)
  asmjit::Label trap_tramp;   // jumps to the process-wide trap stub (stubs.h)
  // Slots every call of the module gives at least (kMinArgSlots, or what its tail calls need up
  // to kTailSlots: compileModule compiles such a module again), and the need seen.
  uint32_t tail_slots = 0;
  uint32_t tail_need = 0;
  // Addresses outside the image (the thunks, the trap stub) are read from slots on the data
  // page, after the call slots (`call [rip + slot]`): the code holds no absolute address, so an
  // artifact maps it anywhere and fills the slots at load (docs/artifacts.md). externs[k] is
  // the extern id of slot k (externId), extern_slot its inverse (-1: no slot yet).
  // The module is assembled in chunks (compiler.cc), each with its own extern slots: `ext`
  // labels the chunk's first, which follow the call slots and earlier chunks' extern slots.
  uint32_t num_defined = 0;
  asmjit::Label ext;
  std::vector<uint32_t> externs;
  std::vector<int32_t> extern_slot;
  // The data-page slot holding extern id `id`'s address, added on first use.
  x86::Mem externSlot(uint32_t id);
  // The chunk's call and fault sites, function after function, and where each function's end
  // (sites_end[k] for the chunk's k-th function): the functions' infos borrow their rows once
  // the chunk is done (the vector may move while it grows). One array written once, where a
  // scratch array per thread and a copy per function wrote every site twice into fresh pages
  // (ed25519: 5,000 sites, ~20 page faults of the compile's ~35).
  std::vector<vm::CodeSite>* sites = nullptr;
  std::vector<uint32_t> sites_end;
};



class FuncCompiler {
 public:
  // The generator tracks value kinds on its own stack: the validator need not record types.
  static constexpr bool kWantsTypes = false;

  FuncCompiler(ModuleState& ms, uint32_t func_index, vm::FuncCodeInfo& info);
  ~FuncCompiler();
  FuncCompiler(const FuncCompiler&) = delete;
  FuncCompiler& operator=(const FuncCompiler&) = delete;
  void onLocals(std::span<const ir::ValType> locals);
  void onInstr(const decode::Instr& in, const validate::InstrContext& c);
  void onEnd();
  [[gnu::noinline]] void recordWasmOffset(uint64_t wasm);  // a row of the optional pc -> wasm map
  Result<void> status() const { return error_; }

  // --- the virtual operand stack ---
  enum class Loc : uint8_t { Reg, Const, Mem, Flags };
  enum class Cls : uint8_t { Gpr, Xmm };
  struct Val {
    Loc loc = Loc::Mem;
    ir::ValKind kind = ir::ValKind::I32;
    uint8_t reg = 0;                      // Reg
    x86::CondCode cc = x86::CondCode::kE; // Flags: the value is 1 when cc holds
    int32_t disp = 0;                     // Mem: rbp-relative address
    uint64_t imm = 0, imm_hi = 0;         // Const (imm_hi: high half of a v128)
  };

 private:
  // Bindings local -> register of the local cache that hold at a label (docs/jit.md "The local
  // cache"): for a block or if, the intersection of what every edge into its end had; for a
  // loop, what its head started with, which every back edge re-establishes. Bounded: a subset
  // is always safe.
  struct CacheState {
    static constexpr size_t kMax = 16;
    uint8_t n = 0;
    bool all = true;  // no edge met yet (the identity of the intersection)
    std::array<uint32_t, kMax> local{};
    std::array<int8_t, kMax> reg{};
  };

  struct Ctrl {
    enum Kind : uint8_t { Function, Block, Loop, If } kind = Block;
    bool dead_entry = false;  // opened in dead code: nothing of it is emitted
    bool has_else = false;
    // A branch jumps to the label (the end of a block or if): code after the end is reachable
    // even when the body's fallthrough is not (as the interpreter decides, so both charge fuel
    // for the same instructions).
    mutable bool targeted = false;
    uint32_t height = 0;      // where its results (or a loop's parameters) go
    uint32_t base = 0;        // where its own operands start (height, + saved if-parameters)
    // The validator's block signature (types in the module, a single result inline): copied,
    // not turned into vectors, since a block push is on the compiler's hottest path.
    validate::BlockSig sig;
    asmjit::Label label;      // branch target: the end, or a loop's head
    asmjit::Label else_label;
    CacheState at_label;      // the caches the label's code may assume
    CacheState at_else;       // an if's caches at its conditional jump (the else arm's start)
    int32_t outer_loop = -1;  // a loop: the enclosing loop's index in ctrls_ (innermost_loop_)
    uint32_t dead_saved = 0;  // a loop: dead_saved_'s size at its head (restored at its end)
    bool dirty_bindings = false;  // a loop: its bound locals are written back (no calls in it)
    // A loop with dirty_bindings: bit i set when at_label's binding i may have a stale home in
    // the loop: a local the body writes, or one dirty at the head already (every label that
    // keeps the bindings takes those dirty).
    uint16_t stale_bindings = 0;
    // A block or if opened with a loop of dirty_bindings innermost (or a loop with calls whose
    // bindings held there): that loop's index in ctrls_.
    // Every edge into its end (and an if's else) makes the loop's bindings hold, and leaves them
    // dirty in a loop without calls, so a branch inside such a loop stores nothing the loop
    // keeps in registers ("Loop bindings" in docs/jit.md). -1: the label keeps only what its
    // edges agree on.
    int32_t keep_loop = -1;
    uint32_t head_at = 0;         // a loop: its head's code offset
    int32_t table_entries = -1;   // a block or if: first jump-table entry to patch at its end
    int32_t try_index = -1;       // a try_table: its entry in tries_
    int32_t legacy = -1;          // a legacy try: its entry in legacy_
    size_t numParams() const { return sig.num_params; }
    size_t numResults() const { return sig.num_results; }
    ir::ValKind param(size_t k) const { return sig.paramTypes()[k].kind; }
    ir::ValKind result(size_t k) const { return sig.resultTypes()[k].kind; }
    size_t numLabelValues() const { return kind == Loop ? numParams() : numResults(); }
  };
  // A jump-table entry that goes straight to a block's end, written when the end is bound:
  // where its 4 bytes are, the table's offset they count from, and the next such entry of the
  // same block (-1: none).
  struct TableEntry {
    uint32_t at;
    uint32_t table_at;
    int32_t next;
  };
  struct TrapStub {
    asmjit::Label label;
    uint32_t kind;  // vm::TrapKind, or kPropagate; kDynamic: the kind is in eax (thunk result - 1)
    uint32_t wasm;
  };
  static constexpr uint32_t kDynamic = 0xfe;
  // The out-of-line half of a write barrier (writeBarrier): records the object in register
  // `reg` in the remembered set and jumps back.
  struct BarrierStub {
    asmjit::Label label, back;
    uint32_t reg;
  };

  Emitter& a() { return *ms_.a; }
  static Cls clsOf(ir::ValKind k) { return k == ir::ValKind::F32 || k == ir::ValKind::F64 || k == ir::ValKind::V128 ? Cls::Xmm : Cls::Gpr; }
  static bool is64(ir::ValKind k) { return k == ir::ValKind::I64 || k == ir::ValKind::Ref; }

  // Frame layout (docs/jit.md "Frame"): parameters in the caller's argument area above the
  // return address, then the vmctx, declared locals and one 16-byte slot per stack position.
  int32_t localDisp(uint32_t i) const;
  int32_t slotDisp(size_t pos) const { return -16 - 16 * int32_t(num_decl_) - 16 * int32_t(pos + 1); }
  x86::Mem slot(int32_t disp, uint32_t size = 0) const { return x86::ptr(x86::rbp, disp, size); }

  // Registers.
  x86::Gp gp(uint8_t id, bool wide) const { return wide ? x86::Gp(x86::gpq(id)) : x86::Gp(x86::gpd(id)); }
  x86::Gp allocGpr(uint32_t avoid = 0);
  x86::Xmm allocXmm(uint32_t avoid = 0);
  void take(Cls c, uint8_t id) { (c == Cls::Gpr ? gpr_used_ : xmm_used_) |= 1u << id; }
  void release(const Val& v);
  void spillOne(Cls c, uint32_t avoid);
  void evict(Cls c, uint8_t id);  // frees a specific register (moves or spills its entry)

  // Stack entries.
  void push(Val v) { stack_.push_back(v); }
  void pushReg(ir::ValKind k, uint8_t reg) {
    Val v;
    v.loc = Loc::Reg;
    v.kind = k;
    v.reg = reg;
    take(clsOf(k), reg);
    stack_.push_back(v);
  }
  void pushConst(ir::ValKind k, uint64_t lo, uint64_t hi = 0);
  void pushMem(ir::ValKind k, int32_t disp) {  // a value at an rbp-relative address (a local's home: an alias)
    Val v;
    v.loc = Loc::Mem;
    v.kind = k;
    v.disp = disp;
    stack_.push_back(v);
  }
  void pushFlags(x86::CondCode cc) {  // an i32 that is 1 when cc holds, still in the flags
    Val v;
    v.loc = Loc::Flags;
    v.kind = ir::ValKind::I32;
    v.cc = cc;
    stack_.push_back(v);
  }
  Val pop();
  Val& top(size_t i = 0) { return stack_[stack_.size() - 1 - i]; }
  void materializeFlags() {  // a Flags top entry -> register (asked before most instructions)
    if (!stack_.empty() && stack_.back().loc == Loc::Flags) materializeTop();
  }
  void materializeTop();
  // The entry in some register (which it keeps). Inline for an entry already in one (about half
  // the calls), which then costs no call into the general form's saved registers.
  x86::Gp toGpr(Val& v, uint32_t avoid = 0) { return v.loc == Loc::Reg ? x86::Gp(x86::gpq(v.reg)) : toGprSlow(v, avoid); }
  x86::Gp toGprSlow(Val& v, uint32_t avoid);
  x86::Xmm toXmm(Val& v, uint32_t avoid = 0) { return v.loc == Loc::Reg ? x86::xmm(v.reg) : toXmmSlow(v, avoid); }
  x86::Xmm toXmmSlow(Val& v, uint32_t avoid);
  void storeTo(const Val& v, int32_t disp);    // writes the value to an rbp-relative address
  // 8 bytes of a constant to m: one store of a sign-extended imm32 where the bits allow it.
  void storeImm64(const asmjit::x86::Mem& m, uint64_t bits);
  void spillEntry(size_t pos);                 // entry pos -> its own slot
  void spillAll();                             // every entry canonical (join points)
  void spillRegs();                            // registers and flags to slots (before calls)
  void spillAliasesOf(int32_t disp);           // entries reading a local's home -> own slots

  // Register cache of locals (docs/jit.md "The local cache"): after local.set/tee the value
  // stays in a register, so later reads in the same straight-line code use the register. A
  // number or vector local's home is written back only when needed (its cache is *dirty*): when
  // the cache is dropped, and at every edge into a label and before every call (flushCaches);
  // reference locals are written through, and so are the locals bound by an innermost loop
  // that makes calls. Label states hold clean bindings, but for the bindings of a loop without
  // calls, which its back edges leave dirty ("Loop bindings").
  // Inline: asked for nearly every operand read.
  int32_t localOfDisp(int32_t disp) const {
    if (disp >= 16) {
      int32_t i = (disp - 16) / 16;
      return i < int32_t(num_params_) ? i : -1;
    }
    int32_t j = (-disp - 16) / 16 - 1;
    return j >= 0 && j < int32_t(num_decl_) ? int32_t(num_params_) + j : -1;
  }
  int freeGpr(uint32_t avoid) const;  // a register free without evicting anything, or -1
  int freeXmmReg() const;             // likewise an xmm register
  int cacheOf(const Val& v) const {  // the register caching the local v reads, or -1
    if (v.loc != Loc::Mem) return -1;
    int32_t i = localOfDisp(v.disp);
    return i < 0 ? -1 : local_cache_[size_t(i)];
  }
  // The registers an operand about to be read occupies (its own or its local's cache): the
  // allocation of the other operand's register must leave them alone.
  uint32_t holdMask(const Val& v) const {
    int r = regOf(v);
    return r >= 0 ? 1u << r : 0;
  }
  // The register an operand's value is in (its own, or its local's cache), or -1: where a local's
  // value must be read while its home may be stale (write-back).
  int regOf(const Val& v) const { return v.loc == Loc::Reg ? v.reg : cacheOf(v); }
  void setCache(uint32_t local, int reg, bool dirty = false);  // reg holds the local's value
  void dropCache(uint32_t local);    // a dirty value is stored to the home first
  void forgetCache(uint32_t local) {  // no store: the value is dead or the home current
    if (local_cache_[local] >= 0) forgetCached(local);
  }
  void forgetCached(uint32_t local);
  void storeHome(uint32_t local);    // the cache register -> the home
  void loadHome(uint32_t local, uint8_t reg);  // the home -> reg (of the local's class)
  // Every dirty cache -> its home; keep_dirty: on one path only (a conditional branch's), the
  // compiler's state continues without the stores.
  void flushCaches(bool keep_dirty = false) {
    if (dirty_n_ != 0) flushDirty(keep_dirty, -1);  // none: the usual case, asked at every branch
  }
  // The flush of an edge into t: a back edge leaves the locals dead at the loop's head dirty
  // (their values die on the edge; the code after a conditional one still has them).
  void flushFor(const Ctrl& t, bool keep_dirty) {
    if (dirty_n_ != 0) flushDirty(keep_dirty, t.kind == Ctrl::Loop ? int32_t(&t - ctrls_.data()) : -1, t.keep_loop);
  }
  // Edges into a label that keeps a loop's bindings (Ctrl::keep_loop): the caches the edge
  // brings once the bindings are made to hold, bindings first (a label's state is bounded).
  CacheState edgeState(const CacheState& bindings) const;
  // The bindings made to hold in the compiler's own state (other caches in their registers
  // dropped, the locals moved or loaded): where the code after it goes on with them.
  void holdBindings(const CacheState& bindings);
  // At a label that keeps loop ctrls_[keep]'s bindings: those whose homes may be stale in the
  // loop are dirty (Ctrl::stale_bindings).
  void markBindingsDirty(int32_t keep);
  // The flush and the label state of an edge into t, a block or if (the caller jumps after).
  // With t.keep_loop, code is emitted to make the bindings hold, and the compiler's own state
  // is left as it is (the code after a conditional edge goes on with it).
  void edgeInto(Ctrl& t, bool keep_dirty);
  // An edge into block or if t whose kept bindings hold (edgeInPlace, or after edgeInto's
  // code): its caches met into the label's, the bindings first.
  void meetInPlace(Ctrl& t);
  void meetEdge(CacheState& s, const CacheState& bindings) const;
  // keep >= 0: the bindings of loop ctrls_[keep] held in their registers stay unstored (an edge
  // into a label that keeps them: Ctrl::keep_loop).
  void flushDirty(bool keep_dirty, int32_t loop, int32_t keep = -1);
  static int boundTo(const CacheState& s, uint32_t local);  // s's register for local, or -1
  int loopBound(uint32_t local) const {  // the innermost loop head's register for local, or -1
    return innermost_loop_ < 0 ? -1 : boundTo(ctrls_[size_t(innermost_loop_)].at_label, local);
  }
  void clearCaches();   // forgets every cache (flushed before, or dead code after)
  void retakeCaches();  // the register masks are the caches' alone (a block end with no join)
  bool dropOneCache(Cls c, uint32_t avoid);
  CacheState captureCaches() const;
  static void meet(CacheState& s, const CacheState& t);  // s = s intersected with t
  void meetNow(CacheState& s) const;                     // s = s intersected with the caches now
  void adoptCaches(const CacheState& s);       // at a label: the caches are s (registers free)
  bool cachesHold(const CacheState& s) const;
  void establishCaches(const CacheState& s);   // a back edge: moves and loads to make s hold
  // The register the innermost loop's head bound the local to, when it is free now (or is the
  // local's own cache), else -1: a value cached there needs no move on the back edge.
  int loopRegFor(uint32_t local) const;
  // The register to cache an integer local in without evicting anything: its loop register or
  // any free one, and only while another stays free; else -1.
  int cacheRegFor(uint32_t local) const {
    int c = loopRegFor(local);
    if (c < 0) c = freeGpr(0);
    return c >= 0 && freeGpr(1u << c) >= 0 ? c : -1;
  }

  // Control.
  void enterDead();
  void moveToLabel(const Ctrl& target, size_t n);   // top n values -> target's slots
  void emitBranch(uint32_t depth);
  void emitReturn();
  void emitEpilogue();
  x86::CondCode popCond();  // an i32 condition as flags: the branch is taken when cc holds
  bool edgeInPlace(const Ctrl& t) const;
  void branchIf(x86::CondCode cc, uint32_t depth);
  static constexpr uint32_t kBrTableChain = 3;  // br_table entries (default aside) compared in a chain
  void brTableChain(const std::vector<uint32_t>& targets);
  asmjit::Label trapLabel(uint32_t kind);
  void trapIf(x86::CondCode cc, uint32_t kind) { a().j(cc, trapLabel(kind)); }
  // Records the return address of the call just emitted, with its stack map: the operand
  // stack's reference slots, and `area_args`' reference arguments in the outgoing area (an
  // array call's RawVals) when given.
  void siteCall(const ir::FuncType* area_args = nullptr);
  // Before a call that may reach the collector: the frame and stack pointers to the store
  // context (vm::VMStoreContext::exit_fp), where the collector's walk of frames starts.
  void recordExit();
  void siteFault();   // records the next instruction as a guard-page access
  void checkInterrupt();  // epoch check (loop heads and entry) when enabled
  void chargeFuel();
  void patchFuel();

  // Visitors (codegen_control.cc, codegen_ops.cc, codegen_mem.cc).
  void visit(const decode::Instr& in, const validate::InstrContext& c);
  void visitDead(const decode::Instr& in);
  void visitBlock(const decode::Instr& in, const validate::InstrContext& ctx);
  void visitElse();
  void visitEnd();
  void visitBrTable(const decode::Instr& in, const validate::InstrContext& c);
  void visitSelect(const decode::Instr& in);
  void visitLocal(const decode::Instr& in);
  void visitGlobal(const decode::Instr& in);
  void visitCall(const decode::Instr& in);
  void callRef(x86::Gp ref, const ir::FuncType& ft, bool tail, bool args_passed = false);
  void loadCallee(const Val& v, int cache, const decode::Instr& in);
  void callDirect(uint32_t func_index, const ir::FuncType& ft, bool tail);
  void storeOut(const Val& v, int32_t at);
  void passArgs(const ir::FuncType& ft);
  bool tailFits(const ir::FuncType& ft) const;
  void spillParamAliases(size_t n);
  void takeResults(const ir::FuncType& ft);
  void reloadContext();
  void loadMemoryBase();
  bool visitNumeric(const decode::Instr& in);  // inline forms; false: not handled inline
  bool visitCompare(const decode::Instr& in);
  bool visitIntArith(const decode::Instr& in);
  bool visitFloat(const decode::Instr& in);
  bool visitConvert(const decode::Instr& in);
  void truncFloat(ir::Opcode op);
  void visitDivRem(const decode::Instr& in);
  bool divRemByConstant(const decode::Instr& in);
  bool visitSimd(const decode::Instr& in);  // codegen_simd.cc: SIMD rows emitted inline
  bool visitSimdInt(const decode::Instr& in);         // codegen_simd_int.cc
  bool visitSimdLanesFloat(const decode::Instr& in);  // codegen_simd.cc
  // SIMD operand helpers (codegen_simd.cc).
  std::pair<x86::Xmm, x86::Xmm> simdBinary(bool b_reg, Val& b);
  void simdSwapped(asmjit::InstId id, x86::Xmm xa, x86::Xmm xb);
  std::array<x86::Xmm, 3> simdTernary();
  void pushGprResult(ir::ValKind k, x86::Gp r);
  void popPushFlags(x86::CondCode cc);
  x86::Xmm simdShiftOperands(uint32_t mask, bool& is_const, uint32_t& n);
  void freeXmm(x86::Xmm t);
  void visitThunk(const decode::Instr& in);
  void pushAreaResult(ir::ValKind k);  // slot 0 of the outgoing area -> a register
  void canonicalizeNan(const decode::Instr& in);  // CompileOptions::nan_canonicalization
  void visitMemory(const decode::Instr& in);
  void visitMemoryMisc(const decode::Instr& in);
  void visitTable(const decode::Instr& in);
  void loadTable(asmjit::x86::Gp r, uint32_t t);
  void visitRef(const decode::Instr& in);
  bool visitGc(const decode::Instr& in);  // codegen_gc.cc; false: not a GC instruction
  // codegen_exn.cc (docs/exceptions.md "Machine code")
  void enterTry();  // the state a landing pad restores: every operand in its slot, no register
  void leaveArm(Ctrl& c);  // an if's first arm or a legacy try's part: on to the end's label
  void visitTryTable(const decode::Instr& in, const validate::InstrContext& ctx);
  void closeTry(const Ctrl& c);  // at a try_table's end: its handler rows
  void visitThrow(const decode::Instr& in);
  void propagateInline();        // the trap stub with kPropagate, from here (not a stub)
  void propagateIfFalse();       // al == 0 after an array call: the callee's trap or exception
  void emitHandlerTable();       // onEnd: the rows, after the code
  void visitLegacy(const decode::Instr& in, const validate::InstrContext& ctx);  // try, catch, ...
  void endCatchBody(Ctrl& c);    // a legacy catch body is complete: its landing pad
  void enterPad();
  void copyPayload(uint32_t tag, size_t height);
  void pushOwnSlot(ir::ValKind k);  // a value in the slot of its stack position
  void gcCall(const decode::Instr& in, size_t n, bool consecutive);
  void callGcThunk(const decode::Instr& in, size_t first, size_t n, bool consecutive);
  void structNewInline(const decode::Instr& in, const ir::StructType& st, uint32_t cls, uint32_t cell);
  void castCall(uint32_t heap_bits, bool nullable);
  void loadField(const ir::FieldType& f, bool sign, const x86::Mem& m);
  void storeField(const ir::FieldType& f, const x86::Mem& m);
  // After a reference was stored into the object in `obj` (docs/gc.md "Generations").
  void writeBarrier(const x86::Gp& obj);
  void emitBarrierStubs();
  void checkElement(const x86::Gp& r, const x86::Gp& i);
  x86::Mem memOperand(const decode::Instr& in, uint32_t size, x86::Gp& base_reg);
  void releaseMemTemps();
  void loadArg(const Val& v, x86::Gp reg, bool wide);
  void callBuiltin(size_t offset);
  void callExtern(uint32_t id);  // call [rip + the slot of extern id]
  uint32_t areaFor(const ir::FuncType& ft) const;
  void giveArea(const ir::FuncType& ft);           // r10d = the area this call gives
  void checkArea(const ir::FuncType& ft, asmjit::Label small);
  void tailStore(const ir::FuncType& ft);          // the arguments over this function's own
  static size_t slotsOf(const ir::FuncType& ft) { return std::max(ft.params.size(), ft.results.size()); }
  void unsupported(const decode::Instr& in);

  ModuleState& ms_;
  const ir::Module& module_;
  uint32_t func_index_;
  vm::FuncCodeInfo& info_;
  const ir::FuncType* type_ = nullptr;
  Result<void> error_;
  uint32_t code_start_ = 0;

  // The per-function arrays live in a scratch of the thread (support/thread_scratch.h): grown
  // into fresh pages for every function and module, their page faults were a fifth of the
  // compile time of a module with deeply nested blocks (shootout-switch).
  struct Scratch {
    std::vector<ir::ValKind> local_kinds;
    support::FlatStack<Val> stack;
    std::vector<Ctrl> ctrls;
    std::vector<TrapStub> stubs;
    std::vector<int8_t> local_cache;
    std::vector<uint8_t> local_dirty;
    std::vector<uint32_t> cached;
    std::vector<int32_t> dead_at;
    std::vector<std::pair<uint32_t, int32_t>> dead_saved;
    std::vector<uint32_t> loop_pick;
    LoopScanner loop_scan;
    std::vector<std::pair<uint32_t, uint32_t>> base_loads;
    std::vector<std::pair<uint32_t, uint32_t>> wasm_map;  // copied to the info at the end, at its size
    std::vector<uint32_t> landing_at;                     // br_table, by depth (visitBrTable)
    std::vector<int32_t> table_words;                     // br_table, its entries (visitBrTable)
    std::vector<TableEntry> table_entries;
  };
  // The arrays below are the compiler's own members while it lives, their memory taken from the
  // thread's scratch at construction and given back at destruction (swapScratch), so that each
  // access is one load from `this` rather than two through a reference into the scratch.
  void swapScratch();
  void clearArrays();
  ThreadScratch<Scratch> scratch_holder_;
  Scratch& scratch_ = scratch_holder_.get();
  std::vector<ir::ValKind> local_kinds_;
  uint32_t num_params_ = 0;
  uint32_t num_decl_ = 0;
  size_t max_height_ = 0;
  uint32_t max_out_ = 0;    // argument-area slots at the bottom of the frame (calls, thunks)
  // try_tables of the function: the body's code range and its clauses' landing pads; rows of
  // the handler table, innermost try_table first (written at each end).
  struct Try {
    uint32_t start = 0;
    std::vector<HandlerRow> pads;  // start/end filled at the end
  };
  std::vector<Try> tries_;
  std::vector<HandlerRow> handler_rows_;
  // Legacy try blocks (docs/exceptions.md): the do part's range; the catch body being compiled,
  // whose landing pad is emitted once the body is complete (it stores the exception in the
  // body's hidden slot only if a rethrow reads it).
  struct Legacy {
    uint32_t start = 0, end = 0;
    bool in_catch = false;
    HandlerRow clause{};
    asmjit::Label body;
    uint32_t height = 0;     // the try's height: the hidden slot, then the payload
    int32_t exn_disp = 0;    // the hidden slot
    bool rethrown = false;   // a rethrow reads the hidden slot
    bool nested = false;     // ... from inside a handler that may catch it (never freed then)
  };
  std::vector<Legacy> legacy_;
  uint32_t try_depth_ = 0;  // live try_tables open here: calls in them propagate inline
  int64_t handler_table_at_ = -1;  // the handler table's offset in the function, if any
  uint32_t frame_at_[2] = {0, 0};  // offsets of the two frame-size immediates to patch
  uint32_t check_at_ = 0, check_end_ = 0;  // the prologue's stack check, skipped by leaves
  bool makes_calls_ = false;               // a call other than to a trap stub was emitted
  uint32_t area_store_at_ = 0;             // the prologue's store of r10d (the given area)
  bool uses_area_ = false;                 // a tail call reads it (else the store is a nop)
  static constexpr uint64_t kLeafFrameMax = 4096;
  static constexpr int32_t kAreaDisp = -16;  // the frame's padding slot below the vmctx

  support::FlatStack<Val> stack_;
  std::vector<Ctrl> ctrls_;
  size_t max_depth_ = 0;  // bound on ctrls_ from the body's size (support::reserveDeep)
  std::vector<TrapStub> stubs_;
  std::vector<BarrierStub> barriers_;
  std::vector<TableEntry> table_entries_;
  void patchTableEntries(const Ctrl& c);  // c's label is bound here
  bool dead_ = false;
  uint32_t gpr_used_ = 0, xmm_used_ = 0;
  uint32_t mem_temps_ = 0;     // registers an access's address computation holds
  uint32_t mem_borrowed_ = 0;  // of those, a local's cache register (not released after)
  std::vector<int8_t> local_cache_;  // per local: caching register id, or -1
  std::vector<uint8_t> local_dirty_;  // per local: home older than its cache
  uint32_t dirty_n_ = 0;  // the dirty caches (flushCaches does nothing when there are none)
  std::vector<uint32_t> cached_;  // the locals with a cache (labels and calls drop them all)
  // Per local: the index in ctrls_ of the innermost open loop at whose head the local is dead
  // (LoopScanner::deadAtHead), or -1; dead_saved_ keeps the values a loop head replaced.
  std::vector<int32_t> dead_at_;
  std::vector<std::pair<uint32_t, int32_t>> dead_saved_;
  int32_t innermost_loop_ = -1;  // index in ctrls_ of the innermost live loop, or -1
  // The registers a loop head binds at most: the rest stay for the operand stack (rax, rcx,
  // rdx and rbx, last in the allocation order, and at least five xmm registers).
  static constexpr uint32_t kLoopGprs = 7, kLoopXmms = 9;
  // Declared locals zeroed by one store each up to this many, by `rep stosq` beyond.
  static constexpr uint32_t kZeroStoresMax = 32;
  // Instructions the function's loop scans may still read: each body is read once per loop
  // around it, so deep nests of long loops would cost the compile a multiple of the function.
  // Four times the body's bytes (about eight times its instructions) and then 256 per loop.
  uint64_t scan_budget_ = 0;
  void bindLoopLocals(const validate::InstrContext& ctx, int32_t loop);
  void closeLoop(const Ctrl& c);  // restores dead_at_'s entries the loop's head replaced
  std::vector<std::pair<uint32_t, uint32_t>> wasm_map_;
  std::vector<std::pair<uint32_t, uint32_t>> base_loads_;  // (offset, size) of each r14 load
  bool uses_memory_base_ = false;                          // some access reads r14
  uint32_t fuel_at_ = 0;     // the immediate of the last fuel charge
  uint32_t fuel_count_ = 0;  // instructions since it
  bool has_fuel_ = false;  // registers an access's address computation holds
  uint64_t wasm_offset_ = 0;
};

// Compiles a whole module into one image. Errors: Unsupported for instructions the tier does
// not implement yet (the caller falls back), Resource when code cannot be mapped.
struct CompiledCode {
  std::unique_ptr<vm::CodeImage> image;
  std::vector<uint32_t> externs;  // extern id of each slot after the call slots
};

Result<CompiledCode> compileModule(const ir::Module& module, const validate::ModuleEnv& env,
                                   const vm::CompileOptions& options);

}  // namespace strata::jit
