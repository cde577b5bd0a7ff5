// WebAssembly -> LLVM IR (docs/llvm.md "The translation"). One ModuleTranslator per module; one
// FuncTranslator per body, a FuncValidator consumer like the other tiers' generators, so that
// decoding and typing stay written once.
//
// Shape of the IR:
//   - every defined function i is two LLVM functions, emitted next to each other: `w<i>`, its
//     entry in the baseline tier's native convention (vmctx in rdi, arguments and results in
//     16-byte slots above the return address, first result also in rax/xmm0: docs/jit.md),
//     and `f<i>`, the body, in LLVM's `tailcc` convention with the vmctx and the parameters as
//     arguments (so return_call between bodies is a real tail call);
//   - a call between functions of the module calls `f<j>` directly; a call through a funcref
//     (imports, call_indirect, call_ref) calls the body directly when the funcref belongs to
//     this instance (same vmctx: the body table gives the address), else its array call;
//   - locals and label values are allocas (SROA/mem2reg make them SSA);
//   - every instruction carries a debug location whose line is its wasm offset: the object's
//     line table gives the code image its pc -> wasm offset map (traps, backtraces, explore);
//   - traps call the shared trap stub's C form (jit/stubs.h trap_c) in a cold block; memory
//     accesses of 32-bit memories rely on guard pages (the fault's pc is looked up in the line
//     table: vm::ImageKind::ModuleLines).
#pragma once

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <array>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "decode/instr.h"
#include "ir/module.h"
#include "llvm/plugin_api.h"
#include "support/error.h"
#include "validate/func_validator.h"
#include "validate/module_env.h"

namespace strata::llvmtier {

// Metadata kind marking the calls that observe a function's load accumulator (FuncTranslator::
// accumulate; emit.cc dropAccumulators removes them and what only they used).
inline constexpr const char* kAccSinkMD = "strata.acc";
// Name of the alias-scope domain whose scopes name linear-memory accesses by wasm offset (an
// access's scope survives into the machine instruction's memory operand, even when the load
// is folded into the instruction that uses it: emit.cc gives that instruction the access's
// line, so a fault's pc maps to the access, not to its neighbour).
inline constexpr const char* kAccessDomain = "strata.access";
// The metadata on the load of a memory's base when the memory is 32-bit under guard pages
// (no bounds checks), !{i32 memory index}: addresses.cc widens the loop addresses of such
// memories only, and gives the bases it makes the same metadata.
inline constexpr const char* kGuard32MD = "strata.g32";
// The metadata on the entry's stack-limit compare (FuncTranslator::checkStack), which
// emit.cc drops in leaf functions after optimization.
inline constexpr const char* kStackCheckMD = "strata.stack_check";
// Whether `call` may go deeper on the stack and so needs the stack check before it (translate.cc
// placeStackCheck, emit.cc dropLeafStackChecks): any call but an inline asm, an intrinsic (an
// operation; a gc.statepoint, though, wraps a real call) and a trap stub (it does not return).
bool callsOut(const llvm::CallBase& call);

// A load of the field at `offset` of a runtime structure (8-byte aligned; invariant: never
// changes while code runs).
llvm::LoadInst* loadAt(llvm::IRBuilderBase& b, llvm::Value* base, uint64_t offset, llvm::Type* t, bool invariant,
                       const llvm::Twine& name = "");
// The VMMemory of memory `mem`, and its current length in bytes, read through vmctx (also
// for addresses.cc, which checks a loop's range against the length).
llvm::Value* loadMemoryPtr(llvm::IRBuilderBase& b, llvm::Value* vmctx, uint32_t mem);
llvm::Value* loadMemoryLength(llvm::IRBuilderBase& b, llvm::Value* vmctx, uint32_t mem);

class ModuleTranslator {
 public:
  ModuleTranslator(llvm::LLVMContext& ctx, llvm::Module& m, const validate::ModuleEnv& env, const PluginRequest& req);
  // Declares every function, translates the bodies of defined functions [begin, end) and
  // builds their entries; the batch starting at 0 defines the body table.
  Result<void> run(uint32_t begin, uint32_t end);

  llvm::LLVMContext& ctx;
  llvm::Module& m;
  const validate::ModuleEnv& env;
  const ir::Module& wm;
  const PluginRequest& req;
  llvm::Type *i1, *i8, *i16, *i32, *i64, *f32, *f64, *v128, *ptr, *void_t;
  std::vector<llvm::Function*> bodies, entries;  // by defined-function index
  llvm::GlobalVariable* body_table = nullptr;    // i64 offsets of the bodies from the table
  // Wasm offsets of the loads to make volatile: those LLVM deleted in a first compilation
  // (a deleted load would not trap out of bounds, as wasm's does).
  std::set<uint32_t> keep_loads;
  // The bodies' convention: LLVM's tailcc when the module has return_call* (its tail calls are
  // guaranteed only there), else fastcc (tailcc's callee pops an 8-byte area on every return,
  // which every caller then pushes back: `ret 8` + `sub rsp, 8` per call). plugin.cc decides.
  llvm::CallingConv::ID body_cc = llvm::CallingConv::Tail;
  llvm::DIBuilder di;
  llvm::DIFile* file = nullptr;
  llvm::DICompileUnit* cu = nullptr;
  llvm::DISubroutineType* di_type = nullptr;

  llvm::Type* valType(ir::ValType t) const;
  llvm::Type* valType(ir::ValKind k) const;
  llvm::Type* resultType(std::span<const ir::ValType> results) const;
  // One field of a several-result struct (floats as integers: translate.cc), and the
  // conversions to and from it.
  llvm::Type* resultElem(ir::ValType t) const;
  llvm::Value* packResult(llvm::IRBuilderBase& b, llvm::Value* v) const;
  llvm::Value* unpackResult(llvm::IRBuilderBase& b, llvm::Value* v, ir::ValType t) const;
  llvm::FunctionType* bodyType(const ir::FuncType& ft) const;
  // The extern slot holding extern id `id`'s address (jit/externs.h), as a global the linker
  // (emit.cc) places on the image's data page.
  llvm::GlobalVariable* externSlot(uint32_t id);
  // The alias-scope list naming the linear-memory access at wasm offset `offset` (kAccessDomain).
  llvm::MDNode* accessScope(uint32_t offset);
  // Whether memory `mem` needs explicit bounds checks (memory64, the explicit mode, pages
  // smaller than the OS page).
  bool explicitBounds(uint32_t mem) const;

 private:
  void buildEntry(uint32_t def);
  std::map<uint32_t, llvm::GlobalVariable*> externs_;
  llvm::MDNode* access_domain_ = nullptr;
};

class FuncTranslator {
 public:
  static constexpr bool kWantsTypes = true;
  FuncTranslator(ModuleTranslator& mt, uint32_t func_index);
  void onLocals(std::span<const ir::ValType> locals);
  void onInstr(const decode::Instr& in, const validate::InstrContext& c);
  void onEnd();
  Result<void> status() const { return error_; }

 private:
  enum class Kind : uint8_t { Function, Block, Loop, If };
  struct Frame {
    Kind kind = Kind::Block;
    bool dead_entry = false;  // opened in dead code: nothing of it is translated
    bool has_else = false;
    std::vector<ir::ValType> params, results;
    std::vector<llvm::AllocaInst*> vars;  // the label's values (a loop's params, else results)
    llvm::BasicBlock* label = nullptr;    // branch target: the end, or a loop's head
    llvm::BasicBlock* else_bb = nullptr;
    size_t height = 0;                    // stack height below the parameters
    std::vector<llvm::Value*> if_params;  // an if's parameters, for its else arm
    // Exception handling (translate_exn.cc): a try_table or legacy try whose body (do part) is
    // being translated has a dispatch block, where an exception thrown in it goes.
    llvm::BasicBlock* dispatch = nullptr;
    bool legacy = false;
    bool in_catch = false;                 // legacy: a catch body (the do part has ended)
    llvm::BasicBlock* tail = nullptr;      // legacy: the end of the clause tests so far
    std::vector<llvm::Value*> below;       // the stack under the try
    llvm::AllocaInst* exn_slot = nullptr;  // legacy: the caught exception, for rethrow
    llvm::BasicBlock* clause_bb = nullptr; // legacy: the catch body in progress: its entry from
    llvm::BasicBlock* body_bb = nullptr;   // the dispatch (filled at the body's end), the body
    int64_t clause_tag = -1;               // -1: catch_all
    std::vector<llvm::AllocaInst*> payload;
    bool rethrown = false, nested = false;
    std::span<const ir::ValType> labelTypes() const { return kind == Kind::Loop ? params : results; }
  };

  // translate.cc: control, locals, globals, helpers
  void control(const decode::Instr& in, const validate::InstrContext& c);
  void pushFrame(Kind kind, const validate::InstrContext& c);
  void branchTo(uint32_t depth);  // stores the label's values, jumps
  void endFrame();
  void emitReturn();
  llvm::AllocaInst* entryAlloca(llvm::Type* t, const llvm::Twine& name = "");
  void unsupported(const decode::Instr& in, const char* what);
  bool dead() const { return dead_; }
  void setDead() { dead_ = true; }
  llvm::Value* pop() { llvm::Value* v = stack_.back(); stack_.pop_back(); return v; }
  void push(llvm::Value* v) { stack_.push_back(v); }
  // Traps with `kind` when cond holds (cold path); the detail reaches the message
  // (UninitializedElement's index).
  void trapIf(llvm::Value* cond, uint32_t kind, llvm::Value* detail = nullptr);
  void trapAlways(uint32_t kind, llvm::Value* detail = nullptr);
  void trapAlways(llvm::Value* kind, llvm::Value* detail = nullptr);  // kind known at run time
  llvm::Value* loadField(llvm::Value* base, uint32_t offset, llvm::Type* t, bool invariant, const llvm::Twine& name = "");
  llvm::Value* storeCtx();
  void checkStack();
  void placeStackCheck();  // onEnd: the entry's stack check moved to where calls need it
  void checkEpoch();
  void chargeFuel();
  void patchFuel();

  // translate_ops.cc: numeric rows
  bool numeric(const decode::Instr& in, const validate::InstrContext& c);
  bool conversion(const decode::Instr& in);
  // translate_simd.cc: SIMD rows as vector IR (relaxed SIMD excepted)
  bool simd(const decode::Instr& in);
  void thunk(const decode::Instr& in, const validate::InstrContext& c);
  // v, hidden from LLVM's folding (an empty asm over an xmm register).
  llvm::Value* opaqueValue(llvm::Value* v);
  llvm::Value* truncChecked(llvm::Value* x, bool to64, bool is_signed);
  void canonicalizeNan();  // the value on top (translate.cc)
  llvm::Value* canonicalNan(llvm::Value* x);
  // A constant operand LLVM would fold as an identity (x + -0, x * 1...), made opaque.
  llvm::Value* opaqueIdentity(llvm::Value* v);
  llvm::Value* wasmMinMax(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y);

  // translate_mem.cc: memories, tables, references, globals
  bool memory(const decode::Instr& in, const validate::InstrContext& c);
  bool table(const decode::Instr& in, const validate::InstrContext& c);
  // translate_exn.cc (docs/exceptions.md "Machine code")
  void exceptionControl(const decode::Instr& in, const validate::InstrContext& c);  // try*, catch*, delegate
  bool exceptions(const decode::Instr& in, const validate::InstrContext& c);        // throw*, rethrow
  Frame* activeTry(size_t below_index);  // the innermost try under frame index below_index
  llvm::BasicBlock* handlerBlock(size_t below_index);
  llvm::BasicBlock* propagateBlock();
  void raise(llvm::Value* exn);          // an exception in flight to this function's handler
  void checkCallee(llvm::Value* ok);     // an array call's result: a trap, or an exception
  void finishCatch(Frame& t);
  void closeDispatch(Frame& t, size_t target);
  std::vector<llvm::Value*> payloadOf(llvm::Value* exn, uint32_t tag);
  void trapAt(llvm::Value* kind, llvm::Value* at);
  llvm::AllocaInst* exn_ = nullptr;      // the exception being dispatched
  llvm::AllocaInst* exn_at_ = nullptr;   // the wasm offset it was thrown or passed at
  llvm::BasicBlock* propagate_ = nullptr;
  // translate_gc.cc
  bool gc(const decode::Instr& in, const validate::InstrContext& c);
  void gcCall(const decode::Instr& in, const validate::InstrContext& c, bool consecutive);
  void structNewInline(const decode::Instr& in, const validate::InstrContext& c, uint32_t cls, uint32_t cell);
  void writeBarrier(llvm::Value* obj);  // after a reference was stored into obj (docs/gc.md "Generations")
  llvm::Value* castTest(llvm::Value* ref, uint32_t heap_bits, bool nullable);
  llvm::Type* storageType(const ir::FieldType& f);
  llvm::Value* loadStorage(const ir::FieldType& f, llvm::Value* at, bool sign);
  void storeStorage(const ir::FieldType& f, llvm::Value* v, llvm::Value* at);
  llvm::Value* address(uint32_t mem, llvm::Value* index, uint64_t offset, uint32_t size);
  llvm::Value* memoryBase(uint32_t mem);
  llvm::Value* memLoad(llvm::Type* t, llvm::Value* at);
  // Every linear-memory load's bits go into a per-function accumulator that each exit of the
  // function observes (a return, a tail call, a trap), so that no load is dead on any path
  // while LLVM optimizes: a load whose value a path does not use would be deleted there, and
  // with it its trap (jump threading copies a block into a predecessor, folds a comparison on
  // the copy and deletes the copy's loads: fuzzer seed 9608577). emit.cc removes the
  // accumulator after the optimizations, once the loads are volatile.
  void accumulate(llvm::Value* loaded);
  void makeAccumulator();
  void observeAccumulator();
  void memStore(llvm::Value* v, llvm::Value* at);
  llvm::Value* memoryLength(uint32_t mem);
  llvm::Value* globalAddr(uint32_t g);
  llvm::Value* tablePtr(uint32_t t);
  llvm::Value* memoryPtr(uint32_t mem);
  // Calls a runtime builtin (vm/builtins.h) by its offset in VMBuiltins.
  llvm::Value* callBuiltin(uint32_t offset, llvm::Type* result, llvm::ArrayRef<llvm::Value*> args);
  void checkBuiltin(llvm::Value* ok);
  std::array<llvm::Value*, 3> copyOperands(bool d64, bool s64);

  // translate_calls.cc: calls
  bool call(const decode::Instr& in, const validate::InstrContext& c);
  std::vector<llvm::Value*> popArgs(size_t n);
  void pushResults(llvm::Value* r, const ir::FuncType& ft);
  // A call through a VMFuncRef (never null here); tail: return its results.
  void callRef(llvm::Value* ref, const ir::FuncType& ft, bool tail);
  llvm::Value* callThroughArray(llvm::Value* ref, const ir::FuncType& ft, std::span<llvm::Value* const> args,
                                bool tail = false);
  // A call that may reach the collector (docs/gc.md "Roots in machine-code frames"): with
  // references live across it (the operand stack's, the locals', `keep`), a gc.statepoint
  // whose stack map names their slots; `exit`: the call leaves machine code (an allocation's
  // thunk, an array call), so the frame and stack pointers go to the store context first.
  // Returns the callee's result (null for void).
  llvm::Value* safepointCall(llvm::FunctionType* ft, llvm::Value* callee, llvm::ArrayRef<llvm::Value*> args,
                             llvm::CallingConv::ID cc, bool exit, llvm::ArrayRef<llvm::Value*> keep = {});

  ModuleTranslator& mt_;
  uint32_t func_index_;
  const ir::FuncType& type_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  llvm::DISubprogram* sp_ = nullptr;
  llvm::Value* vmctx_ = nullptr;
  llvm::BasicBlock* entry_ = nullptr;
  std::vector<llvm::AllocaInst*> locals_;
  std::vector<ir::ValType> local_types_;
  std::vector<llvm::Value*> stack_;
  std::vector<Frame> frames_;
  std::map<uint32_t, llvm::Value*> mem_base_;
  std::vector<llvm::AllocaInst*> accs_;  // the load accumulators (makeAccumulator)
  bool dead_ = false;
  uint32_t offset_ = 0;  // wasm offset of the instruction being translated
  llvm::Instruction* fuel_sub_ = nullptr;  // the last fuel charge (patched by patchFuel)
  llvm::Instruction* stack_cmp_ = nullptr;  // the entry's stack-limit compare (checkStack)
  uint64_t fuel_count_ = 0;                // instructions since it
  Result<void> error_;
};

}  // namespace strata::llvmtier
