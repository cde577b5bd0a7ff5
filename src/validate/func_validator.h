// The one function-body reader: decodes locals and instructions, type-checks every instruction
// and hands the typed instruction stream to a consumer (V8's design: validator, tiers and the
// constant-expression evaluator share one reader; see docs in the class comment).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "decode/instr.h"
#include "ir/module.h"
#include "support/byte_reader.h"
#include "support/error.h"
#include "validate/instr_checker.h"
#include "validate/module_env.h"

namespace strata::validate {

// What the validator knows about one instruction when it calls Consumer::onInstr.
struct InstrContext {
  bool reachable = true;      // false in dead code (after br, return, unreachable, throw...)
  uint32_t depth = 0;         // control frames open before the instruction (function frame = 1)
  uint32_t height_before = 0; // operand stack height before and after the instruction
  uint32_t height_after = 0;
  // Operand types popped and pushed, bottom of the stack first. In dead code they may contain
  // ValKind::Bot / kBotHeap. Filled only when Consumer::kWantsTypes is true.
  std::span<const ir::ValType> popped;
  std::span<const ir::ValType> pushed;
  // Control frames after the instruction (innermost last): label types and heights.
  std::span<const ControlFrame> frames;
  // br_table targets, typed-select types and try_table catch clauses of this instruction.
  const decode::InstrReader* reader = nullptr;
};

// The consumer interface, by example. Every hook is called after the instruction passed its
// checks, so a consumer only ever sees valid code. Empty inline hooks compile away.
//   static constexpr bool kWantsTypes   whether InstrContext::popped/pushed are filled
//   void onLocals(std::span<const ir::ValType> locals)   params then declared locals
//   void onInstr(const decode::Instr&, const InstrContext&)
//   void onEnd()                                           after the body's final `end`
struct NullConsumer {
  static constexpr bool kWantsTypes = false;
  void onLocals(std::span<const ir::ValType>) {}
  void onInstr(const decode::Instr&, const InstrContext&) {}
  void onEnd() {}
};

// spec 5.5.13 leaves the number of locals unbounded below 2^32; like production engines we cap
// it (V8's kV8MaxWasmFunctionLocals) so a body cannot make us allocate gigabytes.
inline constexpr uint64_t kMaxLocals = 50000;

template <class Consumer>
class FuncValidator {
 public:
  // Function `func_index` (a defined function) of env.module.
  FuncValidator(const ModuleEnv& env, uint32_t func_index, Consumer& consumer)
      : env_(env), consumer_(consumer), checker_(env),
        bytes_(env.module->span(env.module->functions[func_index].body)),
        base_(env.module->functions[func_index].body.offset),
        type_(&env.module->funcType(func_index)), last_body_(func_index + 1 == env.module->functions.size()) {}

  // A constant expression (spec 3.3.10) of type `result`; only globals below visible_globals
  // may be read. The constant evaluator of the runtime is a consumer of this form.
  FuncValidator(const ModuleEnv& env, const ir::ConstExpr& expr, ir::ValType result, uint32_t visible_globals,
                Consumer& consumer)
      : env_(env), consumer_(consumer), checker_(env), bytes_(env.module->span(expr)), base_(expr.span.offset),
        const_result_(result), visible_globals_(visible_globals) {}

  Result<void> run() {
    ByteReader br(bytes_, base_);
    if (type_) {
      STRATA_CHECK(readLocals(br));
      checker_.beginFunction(locals_, *type_, bytes_.size());
      consumer_.onLocals(std::span<const ir::ValType>(locals_));
    } else {
      checker_.beginConstExpr(const_result_, visible_globals_);
    }
    checker_.setRecordTypes(Consumer::kWantsTypes);
    decode::InstrReader reader(br, env_.features);
    decode::Instr in;
    InstrContext ctx;  // every field is set again for each instruction
    ctx.reader = &reader;
    while (!checker_.done()) {
      if (!checker_.checkFast(reader.bytes(), in)) {
        if (reader.atEnd()) return unclosed(reader.offset());
        STRATA_CHECK(reader.next(in));
        STRATA_CHECK(checker_.check(in, reader));
      }
      ctx.reachable = checker_.reachableBefore();
      ctx.depth = checker_.depthBefore();
      ctx.height_before = checker_.heightBefore();
      ctx.height_after = checker_.height();
      if constexpr (Consumer::kWantsTypes) {
        ctx.popped = checker_.popped();
        ctx.pushed = checker_.pushed();
      }
      ctx.frames = checker_.frames();
      consumer_.onInstr(in, ctx);
    }
    if (!reader.atEnd()) return malformed(reader.offset(), "section size mismatch");
    consumer_.onEnd();
    return {};
  }

  std::span<const ir::ValType> locals() const { return locals_; }

 private:
  // spec 5.4.x: the body must close every block. The reference interpreter reads on past a body
  // that lacks its `end`, and the suite expects what it then meets: the end of the input
  // ("unexpected end of section or function"), the next section after the last body, whose id
  // byte it takes for `end` ("section size mismatch"), or the next body ("END opcode expected").
  std::unexpected<Error> unclosed(uint64_t at) const {
    const ir::Module& m = *env_.module;
    if (!type_ || base_ + bytes_.size() >= m.bytes.size()) return malformed(at, "unexpected end of section or function");
    if (last_body_) return malformed(at, "section size mismatch");
    return malformed(at, "END opcode expected");
  }

  // Locals (spec 5.5.13): vec((n, valtype)) after the parameters.
  Result<void> readLocals(ByteReader& br) {
    locals_.assign(type_->params.begin(), type_->params.end());
    uint32_t groups = STRATA_TRY(br.readVarU32());
    uint64_t total = locals_.size();
    for (uint32_t i = 0; i < groups; ++i) {
      uint32_t n = STRATA_TRY(br.readVarU32());
      uint64_t at = br.offset();
      ir::ValType t = STRATA_TRY(decode::readValType(br, env_.features));
      total += n;
      if (total > kMaxLocals) return malformed(at, "too many locals");
      if (!env_.types.valid(t)) return invalid(at, "unknown type");
      locals_.insert(locals_.end(), n, t);
    }
    return {};
  }

  const ModuleEnv& env_;
  Consumer& consumer_;
  InstrChecker checker_;
  std::span<const uint8_t> bytes_;
  uint64_t base_ = 0;
  const ir::FuncType* type_ = nullptr;  // null for constant expressions
  bool last_body_ = false;
  ir::ValType const_result_{};
  uint32_t visible_globals_ = 0;
  std::vector<ir::ValType> locals_;
};

}  // namespace strata::validate
