// Function listings (disasm.h). Zydis decodes and formats the x86-64 in Intel syntax; a
// formatter hook names branch targets and rip-relative operands by where they point in the
// code image (this function's offsets, another function, the image's data pages).
#include "cli/disasm.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "cli/objdump.h"
#include "cli/zydis_api.h"
#include "decode/instr.h"
#include "strata/engine.h"
#include "support/byte_reader.h"
#include "vm/trap.h"

namespace strata::cli {

namespace {

// One line of the listing: an instruction, a word of a jump table, or a byte that decodes to
// nothing (or to an instruction that would run into a known instruction start).
struct Decoded {
  enum Kind : uint8_t { Insn, TableWord, Bad } kind = Bad;
  uint32_t pc = 0;  // offset from the function's first byte
  uint32_t len = 1;
  uint32_t table = 0;  // TableWord: where its table starts (entries are relative to it)
  bool ok = false;     // kind == Insn
  ZydisDecodedInstruction in{};
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT]{};
};

// The function being listed, for the formatter hook (passed as its user data).
struct Where {
  const vm::CodeImage* image;
  const vm::FuncCodeInfo* f;
};

std::string nameAddress(const Where& w, uint64_t addr) {
  auto base = uintptr_t(w.image->base());
  uint64_t start = base + w.f->start;
  if (addr >= start && addr < start + w.f->size) return fmt::format("0x{:04x}", addr - start);
  if (w.image->contains(addr)) {
    if (const vm::FuncCodeInfo* g = w.image->funcAt(addr)) {
      uint64_t off = addr - (base + g->start);
      return off ? fmt::format("func {}+0x{:x}", g->func_index, off) : fmt::format("func {}", g->func_index);
    }
    return fmt::format("image+0x{:x}", addr - base);
  }
  auto data = uintptr_t(w.image->data());
  if (addr >= data && addr < data + w.image->dataBytes()) return fmt::format("data+0x{:x}", addr - data);
  return fmt::format("0x{:x}", addr);
}

ZyanStatus printAddressAbs(const ZydisFormatter*, ZydisFormatterBuffer* buffer, ZydisFormatterContext* ctx) {
  ZyanU64 addr = 0;
  ZYAN_CHECK(zydis()->ZydisCalcAbsoluteAddress(ctx->instruction, ctx->operand, ctx->runtime_address, &addr));
  std::string text = nameAddress(*static_cast<const Where*>(ctx->user_data), addr);
  ZYAN_CHECK(zydis()->ZydisFormatterBufferAppend(buffer, ZYDIS_TOKEN_SYMBOL));
  ZyanString* out = nullptr;
  ZYAN_CHECK(zydis()->ZydisFormatterBufferGetString(buffer, &out));
  ZyanStringView view;
  ZYAN_CHECK(zydis()->ZyanStringViewInsideBuffer(&view, text.c_str()));
  return zydis()->ZyanStringAppend(out, &view);
}

// Where code certainly starts or data lies, so that bytes the decoder misreads (a jump table in
// the code) cannot swallow the instructions after them.
struct Layout {
  std::vector<uint32_t> starts;                        // wasm instruction starts, sorted
  std::vector<std::pair<uint32_t, uint32_t>> tables;  // [begin, end) of jump tables
};

uint32_t nextStart(const Layout& l, uint32_t pc, uint32_t size) {
  auto it = std::upper_bound(l.starts.begin(), l.starts.end(), pc);
  uint32_t next = it == l.starts.end() ? size : std::min(*it, size);
  for (const auto& [b, e] : l.tables)
    if (b > pc) next = std::min(next, b);
  return next;
}

std::vector<Decoded> decodeAll(const uint8_t* code, uint32_t size, const Layout& layout) {
  ZydisDecoder decoder;
  zydis()->ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  std::vector<Decoded> out;
  for (uint32_t pc = 0; pc < size;) {
    Decoded d;
    d.pc = pc;
    auto table = std::find_if(layout.tables.begin(), layout.tables.end(),
                              [&](const auto& t) { return pc >= t.first && pc < t.second; });
    if (table != layout.tables.end()) {
      d.kind = Decoded::TableWord;
      d.table = table->first;
      d.len = std::min<uint32_t>(4, table->second - pc);
    } else {
      uint32_t limit = nextStart(layout, pc, size);
      d.ok = ZYAN_SUCCESS(zydis()->ZydisDecoderDecodeFull(&decoder, code + pc, limit - pc, &d.in, d.ops));
      d.kind = d.ok ? Decoded::Insn : Decoded::Bad;
      d.len = d.ok ? d.in.length : 1;
    }
    pc += d.len;
    out.push_back(d);
  }
  return out;
}

// Jump tables (br_table): a rip-relative `lea` of an address inside the function takes the
// address of data, not code. Each word is the distance from the table to a landing between the
// lea and the table, or straight to a loop's head before it or a block's end after it: the
// first word that points outside the function or back into the table ends the table (as does
// the next wasm start).
Layout findLayout(const uint8_t* code, const vm::FuncCodeInfo& f) {
  Layout l;
  for (const auto& [pc, wasm] : f.wasm_map) l.starts.push_back(pc);
  std::sort(l.starts.begin(), l.starts.end());
  for (const Decoded& d : decodeAll(code, f.size, l)) {
    if (!d.ok || d.in.mnemonic != ZYDIS_MNEMONIC_LEA || d.ops[1].mem.base != ZYDIS_REGISTER_RIP) continue;
    ZyanU64 table = 0;
    if (!ZYAN_SUCCESS(zydis()->ZydisCalcAbsoluteAddress(&d.in, &d.ops[1], d.pc, &table)) || table <= d.pc || table >= f.size)
      continue;
    uint32_t end = uint32_t(table), limit = nextStart(l, end, f.size);
    for (int32_t delta = 0; end + 4 <= limit; end += 4) {
      std::memcpy(&delta, code + end, 4);
      int64_t to = int64_t(table) + delta;
      if (to < 0 || to >= int64_t(f.size) || (to >= int64_t(table) && to <= int64_t(end))) break;
    }
    if (end > table) l.tables.emplace_back(uint32_t(table), end);
  }
  return l;
}


// Index of the first trap stub: stubs follow the function's last ret or jmp (the epilogue of
// its final `end`, or a tail call) and each ends in a call, so none of them returns or jumps.
size_t firstStub(const std::vector<Decoded>& code, uint32_t last_wasm_pc) {
  for (size_t i = code.size(); i-- > 0 && code[i].pc >= last_wasm_pc;) {
    if (!code[i].ok) continue;
    ZydisMnemonic mn = code[i].in.mnemonic;
    if (mn == ZYDIS_MNEMONIC_RET || mn == ZYDIS_MNEMONIC_JMP) return i + 1;
  }
  return code.size();
}

// A stub passes its trap kind in edi and its wasm offset in esi (the trap entry's convention,
// code_image.h): returns the immediate `mov reg, imm` loads, if this instruction is one.
bool movImmTo(const Decoded& d, ZydisRegister reg, uint64_t& value) {
  if (!d.ok || d.in.mnemonic != ZYDIS_MNEMONIC_MOV || d.in.operand_count_visible != 2) return false;
  if (d.ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER || d.ops[0].reg.value != reg) return false;
  if (d.ops[1].type != ZYDIS_OPERAND_TYPE_IMMEDIATE) return false;
  value = d.ops[1].imm.value.u;
  return true;
}

std::string hexBytes(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += fmt::format("{}{:02x}", i ? " " : "", p[i]);
  return s;
}

}  // namespace

std::string wasmText(const ir::Module& m, uint32_t func_index, uint32_t offset) {
  static const ir::Features kAll = ir::Features::everything();  // only displaying
  const ir::ByteSpan& body = m.functions[func_index].body;
  if (offset < body.offset || offset >= body.offset + body.size || body.offset + body.size > m.bytes.size())
    return "?";
  std::span<const uint8_t> rest(m.bytes.data() + offset, body.offset + body.size - offset);
  decode::InstrReader reader(ByteReader(rest, offset), kAll);
  decode::Instr in;
  return reader.next(in) ? renderInstr(in) : "?";
}

Result<Module> compileForListing(ir::Module m, const ir::Features& features, const std::string& tier,
                                 bool validated) {
  Config config;
  config.features = features;
  config.tier = tier;
  config.wasm_map = true;  // the listing interleaves the wasm instructions
  Engine engine = STRATA_TRY(Engine::create(config));
  return Module::fromIr(engine, std::make_shared<const ir::Module>(std::move(m)), validated);
}

MachineListing listMachineCode(const ir::Module& m, const vm::CodeImage& image, const vm::FuncCodeInfo& f) {
  MachineListing out;
  out.summary = fmt::format("{} bytes of x86-64 at image+0x{:x}", f.size, f.start);
  if (!zydis(&out.unavailable)) return out;
  ZydisFormatter formatter;
  zydis()->ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  zydis()->ZydisFormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
  zydis()->ZydisFormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_IMM_PADDING, ZYDIS_PADDING_DISABLED);
  zydis()->ZydisFormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_DISP_PADDING, ZYDIS_PADDING_DISABLED);
  auto hook = reinterpret_cast<const void*>(&printAddressAbs);
  zydis()->ZydisFormatterSetHook(&formatter, ZYDIS_FORMATTER_FUNC_PRINT_ADDRESS_ABS, &hook);
  Where where{&image, &f};

  const uint8_t* code = image.code(f);
  std::vector<Decoded> insns = decodeAll(code, f.size, findLayout(code, f));
  size_t stubs = firstStub(insns, f.wasm_map.empty() ? 0 : f.wasm_map.back().first);
  out.groups.emplace_back();
  if (!f.wasm_map.empty() && f.wasm_map.front().first > 0) out.groups.back().kind = MachineGroup::Prologue;
  size_t next_wasm = 0;
  uint64_t stub_kind = 0, stub_wasm = 0;
  bool has_kind = false, has_wasm = false;
  for (size_t i = 0; i < insns.size(); ++i) {
    const Decoded& d = insns[i];
    if (i == stubs) out.groups.emplace_back().kind = MachineGroup::TrapStubs;
    for (; next_wasm < f.wasm_map.size() && f.wasm_map[next_wasm].first <= d.pc; ++next_wasm) {
      uint32_t wasm = f.wasm_map[next_wasm].second;
      MachineGroup& g = out.groups.emplace_back();
      g.kind = MachineGroup::Wasm;
      g.wasm = wasm;
      g.wasm_text = wasmText(m, f.func_index, wasm);
    }
    MachineLine line;
    line.pc = d.pc;
    line.bytes = hexBytes(code + d.pc, d.len);
    line.text = "(bad)";
    if (d.ok) {
      char buf[256];
      zydis()->ZydisFormatterFormatInstruction(&formatter, &d.in, d.ops, d.in.operand_count_visible, buf, sizeof buf,
                                      uintptr_t(code) + d.pc, &where);
      line.text = buf;
    } else if (d.kind == Decoded::TableWord && d.len == 4) {
      int32_t delta = 0;
      std::memcpy(&delta, code + d.pc, 4);
      line.text = fmt::format("dd {}", delta);
      line.note = fmt::format("  ; jump table: 0x{:04x}", uint32_t(int64_t(d.table) + delta));
    }
    auto site = std::find_if(f.sites.begin(), f.sites.end(),
                             [&](const vm::CodeSite& s) { return s.kind == vm::SiteKind::Fault && s.pc == d.pc; });
    if (site != f.sites.end()) line.note = fmt::format("  ; may trap: {}", vm::trapMessage(site->trap));
    if (i >= stubs) {
      has_kind |= movImmTo(d, ZYDIS_REGISTER_EDI, stub_kind);
      has_wasm |= movImmTo(d, ZYDIS_REGISTER_ESI, stub_wasm);
      if (d.ok && d.in.mnemonic == ZYDIS_MNEMONIC_CALL) {
        const char* kind = has_kind ? vm::trapMessage(vm::TrapKind(stub_kind)) : "kind computed at run time";
        line.note = has_wasm ? fmt::format("  ; trap: {} at wasm 0x{:04x}", kind, stub_wasm)
                             : fmt::format("  ; trap: {}", kind);
        has_kind = has_wasm = false;
      }
    }
    out.groups.back().lines.push_back(std::move(line));
  }
  return out;
}

std::string disassembleFunction(const ir::Module& m, const vm::CodeImage& image, const vm::FuncCodeInfo& f) {
  MachineListing listing = listMachineCode(m, image, f);
  std::string out = listing.summary + "\n";
  if (!listing.unavailable.empty()) return out + fmt::format("  ;; {}\n", listing.unavailable);
  for (const MachineGroup& g : listing.groups) {
    if (g.kind == MachineGroup::Prologue) out += "  ;; prologue\n";
    if (g.kind == MachineGroup::TrapStubs) out += "  ;; trap stubs\n";
    if (g.kind == MachineGroup::Wasm) out += fmt::format("  ;; 0x{:04x} {}\n", g.wasm, g.wasm_text);
    for (const MachineLine& l : g.lines) out += fmt::format("  {:04x}  {:<24} {}{}\n", l.pc, l.bytes, l.text, l.note);
  }
  return out;
}

std::string describeFunction(const ir::Module& m, const vm::CompiledModule& compiled, uint32_t func_index) {
  auto name = m.names.functions.find(func_index);
  const vm::CodeImage* image = compiled.codeImage();
  const vm::FuncCodeInfo* f = image ? image->func(func_index) : nullptr;
  std::string body = f ? disassembleFunction(m, *image, *f) : compiled.describeFunction(func_index);
  size_t nl = std::min(body.find('\n'), body.size());
  return fmt::format("func {}{} ({}, {})\n{}", func_index,
                     name == m.names.functions.end() ? std::string() : " $" + name->second, compiled.tierName(),
                     body.substr(0, nl), nl < body.size() ? body.substr(nl + 1) : std::string());
}

}  // namespace strata::cli
