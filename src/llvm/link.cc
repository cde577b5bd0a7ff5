// Strata's linker for the llvm tier: the relocatable objects of a module's batches (plugin.cc)
// -> one position-independent image (docs/llvm.md "The image"). Why a linker of our own rather
// than JITLink: the image must be bytes Strata maps itself (the same path as a compiled artifact
// read from disk), the objects need only pc-relative relocations, and the line table must come
// out beside the code.
//
// Layout: object after object, in batch order (so the output does not depend on how many
// threads compiled the batches), each as its .text then its other allocated read-only sections;
// then stubs for the C library calls LLVM may emit; then, on the data page, the extern slots
// (jit/externs.h). Symbols: a reference resolves within its own object first, then to a global
// symbol of another batch (a body, the body table), then to an extern slot.
#include <fmt/core.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/StackMapParser.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>

#include "jit/externs.h"
#include "llvm/emit.h"

namespace strata::llvmtier {

namespace {

using Elf = llvm::object::ELF64LEObjectFile;

std::optional<uint32_t> externOf(llvm::StringRef name) {
  if (name.consume_front("ext.")) {
    uint32_t id = 0;
    if (name.getAsInteger(10, id)) return std::nullopt;
    return id;
  }
  if (name == "memcpy") return jit::kExternMemcpy;
  if (name == "memmove") return jit::kExternMemmove;
  if (name == "memset") return jit::kExternMemset;
  return std::nullopt;
}

template <class T>
T take(llvm::Expected<T> v, T fallback) {
  if (v) return *v;
  llvm::consumeError(v.takeError());
  return fallback;
}

struct Placed {
  std::map<uint64_t, uint64_t> section_at;  // section index -> image offset
  uint64_t text_index = ~uint64_t(0);
};

class Linker {
 public:
  Linker(std::vector<const Elf*> objs, uint32_t ndef, uint32_t nimp)
      : objs_(std::move(objs)), placed_(objs_.size()), ndef_(ndef), nimp_(nimp), w_at_(ndef, kNone), f_at_(ndef, kNone),
        f_end_(ndef, 0) {}

  Result<PluginOutput> run() {
    for (size_t k = 0; k < objs_.size(); ++k) STRATA_CHECK(place(k));
    for (size_t k = 0; k < objs_.size(); ++k) collectSymbols(k);
    for (size_t k = 0; k < objs_.size(); ++k) STRATA_CHECK(relocate(k));
    finishData();
    STRATA_CHECK(functions());
    for (size_t k = 0; k < objs_.size(); ++k) lines(k);
    for (size_t k = 0; k < objs_.size(); ++k) STRATA_CHECK(stackMaps(k));
    for (vm::FuncCodeInfo& f : out_.funcs) {
      std::sort(f.wasm_map.edit().begin(), f.wasm_map.edit().end());
      std::stable_sort(f.sites.edit().begin(), f.sites.edit().end(),
                       [](const vm::CodeSite& a, const vm::CodeSite& b) { return a.pc < b.pc; });
    }
    return std::move(out_);
  }

 private:
  static std::unexpected<Error> unsupported(std::string what) { return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: link: " + what); }

  // .text first, then every other allocated read-only section (constant pools, the body
  // table), each at its alignment.
  Result<void> place(size_t k) {
    std::vector<uint8_t>& code = out_.code;
    std::vector<llvm::object::SectionRef> order;
    for (const llvm::object::SectionRef& s : objs_[k]->sections()) {
      auto flags = llvm::object::ELFSectionRef(s).getFlags();
      if (!(flags & llvm::ELF::SHF_ALLOC) || s.getSize() == 0) continue;
      if (take(s.getName(), llvm::StringRef()) == kStackMaps) continue;  // read by stackMaps()
      if (flags & llvm::ELF::SHF_WRITE) return unsupported("writable section");
      if (s.isText()) {
        if (placed_[k].text_index != ~uint64_t(0)) return unsupported("several text sections");
        placed_[k].text_index = s.getIndex();
        order.insert(order.begin(), s);
      } else {
        order.push_back(s);
      }
    }
    for (const llvm::object::SectionRef& s : order) {
      uint64_t align = std::max<uint64_t>(s.getAlignment().value(), 1);
      size_t at = (code.size() + align - 1) / align * align;
      code.resize(at, 0xcc);
      placed_[k].section_at[s.getIndex()] = at;
      if (s.isBSS()) {
        code.resize(at + s.getSize(), 0);
      } else {
        llvm::Expected<llvm::StringRef> bytes = s.getContents();
        if (!bytes) return unsupported(llvm::toString(bytes.takeError()));
        code.insert(code.end(), bytes->begin(), bytes->end());
      }
    }
    return {};
  }

  // The image offset of a symbol defined in object k.
  std::optional<int64_t> definedAt(size_t k, const llvm::object::SymbolRef& sym) const {
    llvm::object::section_iterator sec = take(sym.getSection(), objs_[k]->section_end());
    if (sec == objs_[k]->section_end()) return std::nullopt;
    auto it = placed_[k].section_at.find(sec->getIndex());
    if (it == placed_[k].section_at.end()) return std::nullopt;
    llvm::Expected<uint64_t> v = sym.getValue();
    if (!v) {
      llvm::consumeError(v.takeError());
      return std::nullopt;
    }
    return int64_t(it->second + *v);
  }

  // Global symbols (what batches reference in each other), and every w<i>/f<i> with its size
  // for the function table (local too: a module in one batch keeps its bodies internal).
  void collectSymbols(size_t k) {
    for (const llvm::object::ELFSymbolRef sym : objs_[k]->symbols()) {
      llvm::StringRef name = take(sym.getName(), llvm::StringRef());
      if (name.empty()) continue;
      std::optional<int64_t> at = definedAt(k, sym);
      if (!at) continue;
      if (sym.getBinding() == llvm::ELF::STB_GLOBAL) globals_[name.str()] = *at;
      if (name.size() < 2 || (name[0] != 'w' && name[0] != 'f')) continue;
      uint32_t i = 0;
      if (name.drop_front(1).getAsInteger(10, i) || i >= ndef_) continue;
      if (name[0] == 'w') {
        w_at_[i] = uint64_t(*at);
      } else {
        f_at_[i] = uint64_t(*at);
        f_end_[i] = uint64_t(*at) + sym.getSize();
      }
    }
  }

  int32_t slot(uint32_t id) {
    auto [it, fresh] = slot_of_.emplace(id, int32_t(out_.externs.size()));
    if (fresh) out_.externs.push_back(id);
    return it->second;
  }

  Result<void> relocate(size_t k) {
    const Elf& obj = *objs_[k];
    std::vector<uint8_t>& code = out_.code;
    for (const llvm::object::SectionRef& rs : obj.sections()) {
      llvm::Expected<llvm::object::section_iterator> target = rs.getRelocatedSection();
      if (!target) return unsupported(llvm::toString(target.takeError()));
      if (*target == obj.section_end()) continue;
      auto placed_at = placed_[k].section_at.find((*target)->getIndex());
      if (placed_at == placed_[k].section_at.end()) continue;  // debug sections: read by DWARFContext
      for (const llvm::object::RelocationRef& r : rs.relocations()) {
        llvm::object::ELFRelocationRef er(r);
        int64_t addend = llvm::cantFail(er.getAddend());
        size_t at = placed_at->second + r.getOffset();
        uint64_t type = r.getType();
        llvm::object::symbol_iterator sym = r.getSymbol();
        if (sym == obj.symbol_end()) return unsupported("relocation without symbol");
        std::optional<int64_t> s = definedAt(k, *sym);
        llvm::StringRef name = take(sym->getName(), llvm::StringRef());
        if (!s) {
          if (auto g = globals_.find(name.str()); g != globals_.end()) s = g->second;
        }
        if (!s) {
          std::optional<uint32_t> id = externOf(name);
          if (!id) return unsupported(fmt::format("undefined symbol {}", name.str()));
          if (type == llvm::ELF::R_X86_64_PC32) {
            // Extern slots live on the data page: its offset is known once the code's size
            // is, so these are applied by finishData.
            slot_rels_.push_back({at, slot(*id), addend});
            continue;
          }
          if (type != llvm::ELF::R_X86_64_PLT32)
            return unsupported(fmt::format("relocation {} against {}", type, name.str()));
          // A direct call to a C library function: through a stub after the code.
          auto [it, fresh] = plt_.emplace(name.str(), 0);
          if (fresh) {
            size_t stub = (code.size() + 15) / 16 * 16;
            code.resize(stub, 0xcc);
            it->second = uint32_t(stub);
            static const uint8_t kJmp[] = {0xff, 0x25, 0, 0, 0, 0};  // jmp [rip + disp32]
            code.insert(code.end(), kJmp, kJmp + 6);
            plt_fixups_.push_back({stub + 2, slot(*id), -4});  // disp32 counts from the jmp's end
          }
          s = it->second;
        }
        int64_t value = *s + addend - int64_t(at);
        switch (type) {
          case llvm::ELF::R_X86_64_PC32:
          case llvm::ELF::R_X86_64_PLT32: {
            if (value != int32_t(value)) return unsupported("pc32 out of range");
            auto v = int32_t(value);
            std::memcpy(code.data() + at, &v, 4);
            break;
          }
          case llvm::ELF::R_X86_64_PC64: std::memcpy(code.data() + at, &value, 8); break;
          default: return unsupported(fmt::format("relocation type {}", type));
        }
      }
    }
    return {};
  }

  void finishData() {
    std::vector<uint8_t>& code = out_.code;
    auto page = size_t(sysconf(_SC_PAGESIZE));
    // At least a page (a module without functions still gets an image: its extern table).
    size_t code_end = std::max(page, (code.size() + page - 1) / page * page);
    code.resize(code_end, 0xcc);
    for (const SlotRel& r : slot_rels_) {
      auto v = int32_t(int64_t(code_end) + 8 * r.slot + r.addend - int64_t(r.at));
      std::memcpy(code.data() + r.at, &v, 4);
    }
    for (const SlotRel& f : plt_fixups_) {
      auto v = int32_t(int64_t(code_end) + 8 * f.slot + f.addend - int64_t(f.at));
      std::memcpy(code.data() + f.at, &v, 4);
    }
    out_.data_bytes = std::max<size_t>(8 * out_.externs.size(), 8);
  }

  // The function table: w<i> and f<i> of each function, next to each other.
  Result<void> functions() {
    for (uint32_t i = 0; i < ndef_; ++i) {
      if (w_at_[i] == kNone || f_at_[i] == kNone || f_at_[i] < w_at_[i] || (i && w_at_[i] < f_end_[i - 1]))
        return unsupported(fmt::format("function {} not laid out as entry then body", nimp_ + i));
      vm::FuncCodeInfo f;
      f.func_index = nimp_ + i;
      f.start = uint32_t(w_at_[i]);
      f.size = uint32_t(f_end_[i] - w_at_[i]);
      out_.funcs.push_back(std::move(f));
    }
    return {};
  }

  // The line table: each row of a body, as (offset from the function's start, wasm offset).
  void lines(size_t k) {
    if (placed_[k].text_index == ~uint64_t(0)) return;
    uint64_t text_at = placed_[k].section_at[placed_[k].text_index];
    std::unique_ptr<llvm::DWARFContext> dwarf = llvm::DWARFContext::create(*objs_[k]);
    for (const std::unique_ptr<llvm::DWARFUnit>& cu : dwarf->compile_units()) {
      const llvm::DWARFDebugLine::LineTable* lt = dwarf->getLineTableForUnit(cu.get());
      if (!lt) continue;
      for (const llvm::DWARFDebugLine::Row& row : lt->Rows) {
        if (row.EndSequence || row.Line == 0) continue;
        uint64_t off = text_at + row.Address.Address;
        auto it = std::upper_bound(out_.funcs.begin(), out_.funcs.end(), off,
                                   [](uint64_t v, const vm::FuncCodeInfo& f) { return v < f.start; });
        if (it == out_.funcs.begin()) continue;
        vm::FuncCodeInfo& f = *std::prev(it);
        if (off >= uint64_t(f.start) + f.size || off < f_at_[f.func_index - nimp_]) continue;
        auto rel = uint32_t(off - f.start);
        if (!f.wasm_map.empty() && f.wasm_map.back().first == rel) f.wasm_map.edit().back().second = row.Line;
        else if (f.wasm_map.empty() || f.wasm_map.back().second != row.Line) f.wasm_map.emplace_back(rel, row.Line);
      }
    }
  }

  // The statepoints' stack maps (translate_calls.cc safepointCall) -> StackRefs rows of the
  // functions' sites, at each call's return address (docs/gc.md "Roots in machine-code
  // frames"). A statepoint's locations: calling convention, flags and the number of deopt
  // locations (constants), the deopt locations (none here), then a base and a derived location
  // per reference; every reference is spilled to a stack slot (LLVM puts no GC value in a
  // register across a call unless told to), addressed from rsp or rbp.
  Result<void> stackMaps(size_t k) {
    const Elf& obj = *objs_[k];
    for (const llvm::object::SectionRef& sec : obj.sections()) {
      if (take(sec.getName(), llvm::StringRef()) != kStackMaps) continue;
      llvm::Expected<llvm::StringRef> bytes = sec.getContents();
      if (!bytes) return unsupported(llvm::toString(bytes.takeError()));
      llvm::ArrayRef<uint8_t> data(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
      if (llvm::Error e = llvm::StackMapParser<llvm::endianness::little>::validateHeader(data))
        return unsupported("stack map: " + llvm::toString(std::move(e)));
      // Each function record's address is a relocation (the body's symbol, or its section's
      // plus an addend).
      std::map<uint64_t, int64_t> reloc_at;
      for (const llvm::object::SectionRef& rs : obj.sections()) {
        llvm::Expected<llvm::object::section_iterator> target = rs.getRelocatedSection();
        if (!target || *target == obj.section_end() || **target != sec) {
          if (!target) llvm::consumeError(target.takeError());
          continue;
        }
        for (const llvm::object::RelocationRef& r : rs.relocations()) {
          llvm::object::symbol_iterator sym = r.getSymbol();
          std::optional<int64_t> at = sym == obj.symbol_end() ? std::nullopt : definedAt(k, *sym);
          if (!at) return unsupported("stack map: unresolved function address");
          reloc_at[r.getOffset()] = *at + llvm::cantFail(llvm::object::ELFRelocationRef(r).getAddend());
        }
      }
      llvm::StackMapParser<llvm::endianness::little> p(data);
      if (p.getNumRecords() == 0) continue;
      auto record = p.records().begin();
      for (uint32_t i = 0; i < p.getNumFunctions(); ++i) {
        auto it = reloc_at.find(16 + 24 * uint64_t(i));  // header, then 24-byte function records
        if (it == reloc_at.end()) return unsupported("stack map: function without relocation");
        for (uint64_t n = p.getFunction(i).getRecordCount(); n > 0; --n, ++record)
          STRATA_CHECK(stackMapRecord(uint64_t(it->second) + record->getInstructionOffset(), *record));
      }
    }
    return {};
  }

  template <class Record>
  Result<void> stackMapRecord(uint64_t pc, const Record& rec) {
    auto f = std::upper_bound(out_.funcs.begin(), out_.funcs.end(), pc - 1,
                              [](uint64_t v, const vm::FuncCodeInfo& f) { return v < f.start; });
    if (f == out_.funcs.begin()) return unsupported("stack map: a call outside the functions");
    --f;
    using Kind = typename llvm::StackMapParser<llvm::endianness::little>::LocationKind;
    uint32_t n = rec.getNumLocations();
    if (n < 3 || rec.getLocation(2).getKind() != Kind::Constant) return unsupported("stack map: not a statepoint");
    std::set<uint32_t> slots;
    for (uint32_t l = 3 + rec.getLocation(2).getSmallConstant(); l < n; ++l) {
      auto loc = rec.getLocation(l);
      if (loc.getKind() == Kind::Register) return unsupported("stack map: a reference in a register");
      if (loc.getKind() != Kind::Indirect) continue;  // constants (null)
      if (loc.getDwarfRegNum() == kDwarfRsp) slots.insert(vm::SlotRef::fromSp(loc.getOffset()));
      else if (loc.getDwarfRegNum() == kDwarfRbp) slots.insert(vm::SlotRef::fromFp(loc.getOffset()));
      else return unsupported("stack map: a slot addressed from another register");
    }
    auto rel = uint32_t(pc - f->start);
    for (uint32_t slot : slots) f->sites.emplace_back(vm::CodeSite{rel, slot, vm::SiteKind::StackRefs, {}});
    return {};
  }

  static constexpr const char* kStackMaps = ".llvm_stackmaps";
  static constexpr uint16_t kDwarfRbp = 6, kDwarfRsp = 7;  // x86-64 DWARF register numbers

  struct SlotRel {
    size_t at;
    int32_t slot;
    int64_t addend;
  };

  std::vector<const Elf*> objs_;
  std::vector<Placed> placed_;
  uint32_t ndef_, nimp_;
  PluginOutput out_;
  std::map<std::string, int64_t> globals_;
  static constexpr uint64_t kNone = ~uint64_t(0);
  std::vector<uint64_t> w_at_, f_at_, f_end_;  // by defined-function index
  std::map<uint32_t, int32_t> slot_of_;  // extern id -> slot index
  std::map<std::string, uint32_t> plt_;  // C library name -> stub offset
  std::vector<SlotRel> slot_rels_, plt_fixups_;
};

}  // namespace

Result<PluginOutput> linkObjects(std::span<const std::vector<char>> objects, uint32_t ndef, uint32_t nimp) {
  std::vector<std::unique_ptr<llvm::object::ObjectFile>> files;
  std::vector<const Elf*> elfs;
  for (const std::vector<char>& bytes : objects) {
    llvm::MemoryBufferRef ref(llvm::StringRef(bytes.data(), bytes.size()), "module.o");
    llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>> obj = llvm::object::ObjectFile::createObjectFile(ref);
    if (!obj) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: " + llvm::toString(obj.takeError()));
    auto* elf = llvm::dyn_cast<Elf>(obj->get());
    if (!elf) return makeError(ErrorKind::Unsupported, kNoOffset, "llvm: not an ELF64 object");
    elfs.push_back(elf);
    files.push_back(std::move(*obj));
  }
  return Linker(std::move(elfs), ndef, nimp).run();
}

}  // namespace strata::llvmtier
