// Constant-expression evaluation as a FuncValidator consumer.
#include "runtime/const_eval.h"

#include <fmt/core.h>

#include <vector>

#include "runtime/store_impl.h"
#include "validate/func_validator.h"

namespace strata::runtime {

namespace {

class ConstEval {
 public:
  static constexpr bool kWantsTypes = false;

  explicit ConstEval(const InstanceObj& instance) : inst_(instance) {}

  void onLocals(std::span<const ir::ValType>) {}
  void onEnd() {}
  void onInstr(const decode::Instr& in, const validate::InstrContext&) {
    using ir::Opcode;
    vm::RawVal v{};
    switch (in.op) {
      case Opcode::I32Const: v.i32 = uint32_t(in.i32); break;
      case Opcode::I64Const: v.i64 = uint64_t(in.i64); break;
      case Opcode::F32Const: v.i32 = in.f32_bits; break;
      case Opcode::F64Const: v.i64 = in.f64_bits; break;
      case Opcode::V128Const: std::memcpy(v.v128, in.v128.data(), 16); break;
      case Opcode::RefNull: v.ref = nullptr; break;
      case Opcode::RefFunc: v.ref = inst_.vm_funcs[in.idx]; break;
      case Opcode::GlobalGet: v = inst_.vm_globals[in.idx]->value; break;
      // extended-const (spec 3.3.10 since 3.0): i32/i64 add, sub, mul wrap around.
      case Opcode::I32Add: return binary(&vm::RawVal::i32, [](uint32_t a, uint32_t b) { return a + b; });
      case Opcode::I32Sub: return binary(&vm::RawVal::i32, [](uint32_t a, uint32_t b) { return a - b; });
      case Opcode::I32Mul: return binary(&vm::RawVal::i32, [](uint32_t a, uint32_t b) { return a * b; });
      case Opcode::I64Add: return binary(&vm::RawVal::i64, [](uint64_t a, uint64_t b) { return a + b; });
      case Opcode::I64Sub: return binary(&vm::RawVal::i64, [](uint64_t a, uint64_t b) { return a - b; });
      case Opcode::I64Mul: return binary(&vm::RawVal::i64, [](uint64_t a, uint64_t b) { return a * b; });
      // The VM represents host references the same way in both hierarchies.
      case Opcode::AnyConvertExtern:
      case Opcode::ExternConvertAny: return;
      case Opcode::End: return;
      default:
        if (!unsupported_) unsupported_ = in.op;
        return;
    }
    stack_.push_back(v);
  }

  Result<vm::RawVal> result() const {
    if (unsupported_) {
      return makeError(ErrorKind::Uninstantiable, kNoOffset,
                       fmt::format("unsupported constant expression: {}", ir::opcodeText(*unsupported_)));
    }
    return stack_.empty() ? vm::RawVal{} : stack_.back();
  }

 private:
  // Pops b, replaces a with f(a, b) in the lane `field` (i32 or i64).
  template <class T, class F>
  void binary(T vm::RawVal::*field, F f) {
    if (stack_.size() < 2) return;
    T b = stack_.back().*field;
    stack_.pop_back();
    stack_.back().*field = f(stack_.back().*field, b);
  }

  const InstanceObj& inst_;
  std::vector<vm::RawVal> stack_;
  std::optional<ir::Opcode> unsupported_;
};

}  // namespace

Result<vm::RawVal> evalConst(const InstanceObj& instance, const ir::ConstExpr& expr, ir::ValType type) {
  const ModuleImpl& m = *instance.module;
  ConstEval eval(instance);
  validate::FuncValidator<ConstEval> reader(m.env, expr, type, uint32_t(m.ir->globals.size()), eval);
  STRATA_CHECK(reader.run());
  return eval.result();
}

}  // namespace strata::runtime
