// Constant-expression evaluation: the one-instruction expressions off the decoder, the others as a
// FuncValidator consumer.
#include "runtime/const_eval.h"

#include <fmt/core.h>

#include <cstring>
#include <optional>
#include <vector>

#include "decode/instr.h"
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
      // GC constant instructions (spec 3.3.10 since 3.0; docs/gc.md).
      case Opcode::RefI31:
        if (!stack_.empty()) stack_.back().ref = reinterpret_cast<void*>(vm::makeI31(stack_.back().i32));
        return;
      case Opcode::StructNew:
      case Opcode::StructNewDefault:
      case Opcode::ArrayNew:
      case Opcode::ArrayNewDefault:
      case Opcode::ArrayNewFixed: return allocate(in);
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
    if (out_of_memory_) return makeError(ErrorKind::Uninstantiable, kNoOffset, "out of memory: the GC heap limit is reached");
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

  // Pops the operands of an allocating constant instruction and pushes the new object.
  void allocate(const decode::Instr& in) {
    using ir::Opcode;
    const vm::GcType* rtt = inst_.module->gc_types[in.idx];
    bool is_struct = rtt->kind == vm::GcType::Kind::Struct;
    size_t nvals = in.op == Opcode::StructNew ? rtt->fields.size()
                   : in.op == Opcode::ArrayNewFixed ? in.idx2
                   : in.op == Opcode::ArrayNew ? 2 : in.op == Opcode::ArrayNewDefault ? 1 : 0;
    if (stack_.size() < nvals) return;
    std::vector<vm::RawVal> vals(stack_.end() - nvals, stack_.end());
    stack_.resize(stack_.size() - nvals);
    uint32_t length = in.op == Opcode::ArrayNewFixed ? in.idx2 : is_struct ? 0 : vals.back().i32;
    vm::GcObject* obj = inst_.store->heap->allocate(rtt, length);
    if (!obj) {
      out_of_memory_ = true;
      stack_.push_back(vm::RawVal{});
      return;
    }
    const auto& f = rtt->fields;
    if (in.op == Opcode::StructNew) {
      for (size_t i = 0; i < f.size(); ++i) std::memcpy(obj->payload() + f[i].offset, vals[i].v128, f[i].bytes);
    } else if (in.op == Opcode::ArrayNewFixed || in.op == Opcode::ArrayNew) {
      for (uint32_t i = 0; i < length; ++i) {
        const vm::RawVal& v = in.op == Opcode::ArrayNew ? vals[0] : vals[i];
        std::memcpy(obj->payload() + uint64_t(i) * f[0].bytes, v.v128, f[0].bytes);
      }
    }
    vm::RawVal r{};
    r.ref = obj;
    stack_.push_back(r);
  }

  const InstanceObj& inst_;
  bool out_of_memory_ = false;
  std::vector<vm::RawVal> stack_;
  std::optional<ir::Opcode> unsupported_;
};

// The common constant expressions, one instruction then `end` (nearly every global's initial
// value and segment offset), read straight off the decoder: the module was validated when it
// was created, and the validator is otherwise the largest code an instantiation runs for the
// first time in a process (issue 12's start-up). Anything else goes through ConstEval.
std::optional<vm::RawVal> evalSimple(const InstanceObj& instance, const ir::ConstExpr& expr) {
  const ModuleImpl& m = *instance.module;
  if (uint64_t(expr.span.offset) + expr.span.size > m.ir->bytes.size()) return std::nullopt;
  decode::InstrReader in(ByteReader({m.ir->bytes.data() + expr.span.offset, expr.span.size}, expr.span.offset),
                         m.engine->config().features);
  decode::Instr first, end;
  if (!in.next(first) || !in.next(end) || end.op != ir::Opcode::End || !in.atEnd()) return std::nullopt;
  vm::RawVal v{};
  switch (first.op) {
    case ir::Opcode::I32Const: v.i32 = uint32_t(first.i32); return v;
    case ir::Opcode::I64Const: v.i64 = uint64_t(first.i64); return v;
    case ir::Opcode::F32Const: v.i32 = first.f32_bits; return v;
    case ir::Opcode::F64Const: v.i64 = first.f64_bits; return v;
    case ir::Opcode::RefNull: return v;
    case ir::Opcode::RefFunc:
      if (first.idx >= instance.vm_funcs.size()) return std::nullopt;
      v.ref = instance.vm_funcs[first.idx];
      return v;
    case ir::Opcode::GlobalGet:
      if (first.idx >= instance.vm_globals.size()) return std::nullopt;
      return instance.vm_globals[first.idx]->value;
    default: return std::nullopt;
  }
}

}  // namespace

Result<vm::RawVal> evalConst(const InstanceObj& instance, const ir::ConstExpr& expr, ir::ValType type) {
  if (std::optional<vm::RawVal> v = evalSimple(instance, expr)) return *v;
  const ModuleImpl& m = *instance.module;
  ConstEval eval(instance);
  validate::FuncValidator<ConstEval> reader(m.env, expr, type, uint32_t(m.ir->globals.size()), eval);
  STRATA_CHECK(reader.run());
  return eval.result();
}

}  // namespace strata::runtime
