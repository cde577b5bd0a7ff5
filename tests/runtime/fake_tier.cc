// The fake tier: a minimal consumer of FuncValidator and an evaluator recursing natively.
#include "fake_tier.h"

#include <cstring>
#include <vector>

#include "strata/engine.h"
#include "validate/func_validator.h"
#include "vm/builtins.h"
#include "vm/trap.h"

namespace strata::runtime_test {

namespace {

using ir::Opcode;

struct Op {
  Opcode op;
  uint64_t imm = 0;
  uint64_t imm2 = 0;
  uint32_t offset = 0;
};

struct FakeFunc {
  const ir::Module* module = nullptr;
  uint32_t index = 0;
  uint32_t nlocals = 0;
  std::vector<Op> ops;
};

// Per-store activations, so that a fault (which skips our frames) can be unwound.
struct Activation {
  const FakeFunc* func;
  const void* native_frame;
  uint32_t offset;
};
struct StoreState {
  std::vector<Activation> stack;
};

struct Builder {
  static constexpr bool kWantsTypes = false;
  FakeFunc& f;
  void onLocals(std::span<const ir::ValType> locals) { f.nlocals = uint32_t(locals.size()); }
  void onInstr(const decode::Instr& in, const validate::InstrContext&) {
    Op op{in.op, uint64_t(in.idx), uint64_t(in.idx2), uint32_t(in.offset)};
    if (in.op == Opcode::I32Const) op.imm = uint32_t(in.i32);
    if (in.op == Opcode::I64Const) op.imm = uint64_t(in.i64);
    if (in.op == Opcode::I32Load || in.op == Opcode::I32Store) op.imm = in.mem.offset;
    f.ops.push_back(op);
  }
  void onEnd() {}
};

bool raise(vm::VMContext* ctx, vm::TrapKind kind) {
  ctx->store_ctx->trap->raise(kind);
  return false;
}

StoreState& stateOf(vm::VMContext* ctx) {
  auto& slot = ctx->store_ctx->tier_state[0];
  if (!slot) {
    slot = new StoreState;
    static_cast<StoreState*>(slot)->stack.reserve(1 << 20);
    ctx->store_ctx->tier_state_free[0] = [](void* p) { delete static_cast<StoreState*>(p); };
    ctx->store_ctx->tier_unwind[0] = [](void* p, vm::TrapRecord* trap, const void* entry_sp) {
      auto& st = static_cast<StoreState*>(p)->stack;
      while (!st.empty() && st.back().native_frame < entry_sp) {
        trap->frames.push_back({st.back().func->module, st.back().func->index, st.back().offset});
        st.pop_back();
      }
    };
  }
  return *static_cast<StoreState*>(slot);
}

// Fixed-size operand storage: nothing on the call path allocates, because a native stack
// overflow may fault anywhere in it and the runtime longjmps out of the handler.
struct Stack {
  uint64_t v[32];
  size_t n = 0;
  void push_back(uint64_t x) { v[n++] = x; }
  uint64_t back() const { return v[n - 1]; }
  void pop_back() { --n; }
  size_t size() const { return n; }
  uint64_t operator[](size_t i) const { return v[i]; }
};

bool callTyped(vm::VMContext* ctx, const vm::VMFuncRef* f, const ir::FuncType& t, Stack& stack) {
  vm::RawVal vals[8];
  for (size_t i = t.params.size(); i-- > 0;) {
    vals[i] = vm::RawVal{};
    vals[i].i64 = stack.back();
    stack.pop_back();
  }
  if (!f->array_call(f, ctx, vals, std::max<size_t>({t.params.size(), t.results.size(), 1}))) return false;
  for (size_t i = 0; i < t.results.size(); ++i) stack.push_back(vals[i].i64);
  return true;
}

bool step(vm::VMContext* ctx, const Op& op, Stack& stack, uint64_t* locals) {
  const ir::Module& m = *static_cast<const ir::Module*>(ctx->module);
  auto pop = [&] { uint64_t v = stack.back(); stack.pop_back(); return v; };
  switch (op.op) {
    case Opcode::I32Const:
    case Opcode::I64Const: stack.push_back(op.imm); return true;
    case Opcode::LocalGet: stack.push_back(locals[op.imm]); return true;
    case Opcode::LocalSet: locals[op.imm] = pop(); return true;
    case Opcode::Drop: pop(); return true;
    case Opcode::I32Add: { uint32_t b = uint32_t(pop()), a = uint32_t(pop()); stack.push_back(uint32_t(a + b)); return true; }
    case Opcode::I32Sub: { uint32_t b = uint32_t(pop()), a = uint32_t(pop()); stack.push_back(uint32_t(a - b)); return true; }
    case Opcode::I32DivS: {
      int32_t b = int32_t(pop()), a = int32_t(pop());
      if (b == 0) return raise(ctx, vm::TrapKind::IntegerDivideByZero);
      if (a == INT32_MIN && b == -1) return raise(ctx, vm::TrapKind::IntegerOverflow);
      stack.push_back(uint32_t(a / b));
      return true;
    }
    case Opcode::I32Load: {
      uint64_t ea = uint64_t(uint32_t(pop())) + op.imm;
      uint32_t v;
      std::memcpy(&v, ctx->memory0_base + ea, 4);  // guard pages: faults beyond the memory
      stack.push_back(v);
      return true;
    }
    case Opcode::I32Store: {
      uint32_t v = uint32_t(pop());
      uint64_t ea = uint64_t(uint32_t(pop())) + op.imm;
      std::memcpy(ctx->memory0_base + ea, &v, 4);
      return true;
    }
    case Opcode::MemorySize: stack.push_back(ctx->memories[op.imm]->length >> 16); return true;
    case Opcode::MemoryGrow: stack.push_back(uint32_t(ctx->builtins->memory_grow(ctx, uint32_t(op.imm), uint32_t(pop())))); return true;
    case Opcode::TableGet: {
      uint64_t i = uint32_t(pop());
      vm::VMTable* t = ctx->tables[op.imm];
      if (i >= t->length) return raise(ctx, vm::TrapKind::TableOutOfBounds);
      stack.push_back(reinterpret_cast<uintptr_t>(t->elements[i]));
      return true;
    }
    case Opcode::Call: return callTyped(ctx, ctx->funcs[op.imm], m.funcType(uint32_t(op.imm)), stack);
    case Opcode::CallIndirect: {
      uint64_t i = uint32_t(pop());
      vm::VMTable* t = ctx->tables[op.imm2];
      if (i >= t->length) return raise(ctx, vm::TrapKind::UndefinedElement);
      auto* f = static_cast<vm::VMFuncRef*>(t->elements[i]);
      if (!f) return raise(ctx, vm::TrapKind::UninitializedElement);
      if (f->type_id != ctx->type_ids[op.imm]) return raise(ctx, vm::TrapKind::IndirectCallTypeMismatch);
      return callTyped(ctx, f, m.types[op.imm].func, stack);
    }
    case Opcode::Unreachable: return raise(ctx, vm::TrapKind::Unreachable);
    case Opcode::End: return true;
    default: return raise(ctx, vm::TrapKind::Host);
  }
}

template <bool kCheckStack>
bool run(const vm::VMFuncRef* callee, vm::VMContext* caller, vm::RawVal* vals, size_t nvals) {
  const auto& f = *static_cast<const FakeFunc*>(callee->code);
  vm::VMContext* ctx = callee->vmctx;
  char marker;
  if (kCheckStack && reinterpret_cast<uintptr_t>(&marker) < ctx->store_ctx->limits.stack_limit) {
    ctx->store_ctx->trap->raise(vm::TrapKind::CallStackExhausted);
    return false;
  }
  const ir::FuncType& type = f.module->funcType(f.index);
  uint64_t locals[16] = {};
  Stack stack;
  for (size_t i = 0; i < type.params.size(); ++i) locals[i] = vals[i].i64;
  StoreState& st = stateOf(ctx);
  st.stack.push_back({&f, &marker, 0});
  for (const Op& op : f.ops) {
    st.stack.back().offset = op.offset;
    if (!step(ctx, op, stack, locals)) {
      auto& trap = *ctx->store_ctx->trap;
      trap.frames.push_back({f.module, f.index, op.offset});
      st.stack.pop_back();
      return false;
    }
  }
  st.stack.pop_back();
  for (size_t i = 0; i < type.results.size(); ++i) {
    vals[i] = vm::RawVal{};
    vals[i].i64 = stack[stack.size() - type.results.size() + i];
  }
  return true;
}

class FakeCompiled : public vm::CompiledModule {
 public:
  FakeCompiled(std::vector<FakeFunc> funcs, uint32_t imported, bool checks)
      : funcs_(std::move(funcs)), imported_(imported), checks_(checks) {}
  void initFuncRef(uint32_t func_index, vm::VMFuncRef& ref) const override {
    ref.array_call = checks_ ? run<true> : run<false>;
    ref.code = &funcs_[func_index - imported_];
  }
  std::string_view tierName() const override { return "fake"; }
  size_t codeBytes() const override { return 0; }

 private:
  std::vector<FakeFunc> funcs_;
  uint32_t imported_;
  bool checks_;
};

class FakeCompiler : public vm::Compiler {
 public:
  explicit FakeCompiler(bool checks) : checks_(checks) {}
  std::string_view name() const override { return "fake"; }
  Result<std::shared_ptr<const vm::CompiledModule>> compile(const ir::Module& m, const validate::ModuleEnv& env,
                                                            const vm::CompileOptions&) const override {
    std::vector<FakeFunc> funcs;
    for (uint32_t i = m.num_imported_functions; i < m.functions.size(); ++i) {
      FakeFunc f;
      f.module = &m;
      f.index = i;
      Builder b{f};
      validate::FuncValidator<Builder> v(env, i, b);
      STRATA_CHECK(v.run());
      funcs.push_back(std::move(f));
    }
    return std::make_shared<FakeCompiled>(std::move(funcs), m.num_imported_functions, checks_);
  }

 private:
  bool checks_;
};

}  // namespace

void registerFakeTiers() {
  Engine::registerTier("fake", [] { return std::make_unique<FakeCompiler>(true); });
  Engine::registerTier("fake-nocheck", [] { return std::make_unique<FakeCompiler>(false); });
}

}  // namespace strata::runtime_test
