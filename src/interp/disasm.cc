// Bytecode listings (disasm.h): handler addresses are mapped back to names through the tables.
#include "interp/disasm.h"

#include <fmt/core.h>

#include <map>

#include "interp/atomics.h"
#include "interp/dispatch.h"
#include "interp/pairs.h"
#include "interp/rows.h"

namespace strata::interp {

namespace {

constexpr const char* kHandNames[] = {
#define STRATA_X(name, op) #name,
    STRATA_INTERP_HANDLERS(STRATA_X)
#undef STRATA_X
};
constexpr const char* kFormNames[] = {"", "/Imm", "/BrIf", "/BrIfImm", "/BrUnless", "/BrUnlessImm"};

struct Decoded {
  std::string name;
  uint32_t size = 8;
};

// Handler address -> name and instruction size.
const std::map<const void*, Decoded>& reverseTable() {
  static const std::map<const void*, Decoded> table = [] {
    std::map<const void*, Decoded> t;
    const HandlerTables& h = handlerTables();
    for (unsigned i = 0; i < unsigned(H::Count); ++i) t[h.hand[i]] = {kHandNames[i], 8 + kHandOpBytes[i]};
    for (unsigned op = 0; op < ir::kNumOpcodes; ++op)
      for (unsigned f = 0; f < kNumForms; ++f)
        if (hasForm(ir::Opcode(op), Form(f)))
          t[h.gen[op * kNumForms + f]] = {std::string(row(ir::Opcode(op)).text) + kFormNames[f],
                                          layoutOf(ir::Opcode(op), Form(f)).size};
    for (unsigned op = 0; op < ir::kNumOpcodes; ++op)
      if (atomicInfo(ir::Opcode(op)).op != AtomicOp::None)
        t[h.atomic[op]] = {std::string(row(ir::Opcode(op)).text), uint32_t(8 + sizeof(OpAtomic))};
    for (unsigned i = 0; i < kNumPairs; ++i) {
      const PairInfo& p = kPairs[i];
      t[h.pair[i]] = {fmt::format("{}{}+{}{}@{}", row(p.op1).text, kFormNames[unsigned(p.f1)], row(p.op2).text,
                                  kFormNames[unsigned(p.f2)], p.pos),
                      pairLayout(p).size};
    }
    for (unsigned i = 0; i < kNumIncrHandlers; ++i) {
      unsigned j = i % (kNumIncr * kIncrForms);
      t[h.incr[i]] = {fmt::format("{}+{}{}", i == j ? "i32.add/Imm" : "i32.add", row(kIncrOps[j / kIncrForms]).text,
                                  kFormNames[unsigned(Form::BrIf) + j % kIncrForms]),
                      IncrLayout::size};
    }
    return t;
  }();
  return table;
}

template <class Fn>
void walk(const FuncCode& f, Fn fn) {
  const auto& table = reverseTable();
  const uint8_t* code = f.code.data();
  uint32_t pc = 0;
  while (pc + 8 <= f.code.size()) {
    auto it = table.find(rd<const void*>(code + pc));
    if (it == table.end()) {
      fn(pc, std::string("?"), uint32_t(f.code.size() - pc));
      return;
    }
    uint32_t size = it->second.size;
    if (it->second.name == "BrTable") size += 4 * (rd<OpBrTable>(code + pc + 8).count + 1);
    if (it->second.name == "BrTableG") size += 4 * (rd<OpBrTableG>(code + pc + 8).count + 1);
    if (it->second.name == "InitPool") size += 8 * rd<OpInitPool>(code + pc + 8).count;
    fn(pc, it->second.name, size);
    pc += size;
  }
}

}  // namespace

std::string disassemble(const FuncCode& f) {
  std::string out;
  walk(f, [&](uint32_t pc, const std::string& name, uint32_t size) {
    out += fmt::format("{:#06x} {}", pc, name);
    for (uint32_t at = pc + 8; at + 4 <= pc + size; at += 4) {
      int32_t w = rd<int32_t>(f.code.data() + at);
      out += fmt::format(" {}", w);
    }
    out += '\n';
  });
  // The exception handler table (docs/exceptions.md), innermost first.
  for (const HandlerRange& h : f.handlers) {
    out += fmt::format("handler [{:#06x}, {:#06x}) depth {}", h.begin, h.end, h.depth);
    if (h.delegate != kNoDelegate) out += fmt::format(" delegate {}", h.delegate);
    for (uint32_t i = h.first; i < h.first + h.count; ++i) {
      const CatchEntry& c = f.catches[i];
      std::string tag = c.tag == kCatchAll ? std::string("all") : fmt::format("tag {}", c.tag);
      out += fmt::format(" | {}{} -> {:#06x}", tag, c.store_exn ? " ref" : "", c.target);
    }
    out += '\n';
  }
  return out;
}

std::vector<std::string> handlerNames(const FuncCode& f) {
  std::vector<std::string> names;
  walk(f, [&](uint32_t, const std::string& name, uint32_t) { names.push_back(name); });
  return names;
}

std::string handlerName(const void* address) {
  auto it = reverseTable().find(address);
  return it == reverseTable().end() ? std::string("?") : it->second.name;
}

}  // namespace strata::interp
