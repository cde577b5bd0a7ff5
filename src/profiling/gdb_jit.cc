// The GDB JIT interface (GDB manual, "JIT Compilation Interface"): the debugger puts a
// breakpoint on __jit_debug_register_code and, each time it is hit, reads the entry that
// __jit_debug_descriptor points at: an object file in this process's memory, which it loads
// like a shared library's symbols. Both names, the layouts and the action codes are GDB's
// contract; the symbols must be global and the function must not be inlined or folded away.
//
// Per code image the object is a minimal ELF64 relocatable: a .text section of type NOBITS at
// the image's address (gdb reads the code itself from memory), a symbol table with one STT_FUNC
// per wasm function, and the string tables. Where the tier kept a pc -> wasm offset map
// (FuncCodeInfo::wasm_map), also DWARF (dwarf_lines.h): a line table whose line numbers are
// wasm byte offsets, and a compile unit with a subprogram per function, so gdb shows
// `func () at module.wasm:OFFSET` and `info line` answers. No call frame information: gdb
// unwinds through the tier's frames by their prologue (push rbp; mov rbp, rsp).
//
// Addresses, as gdb 13 reads such an object (checked by trying both): it takes the sections'
// addresses as final (no layout of its own, since .text has a nonzero address) and relocates
// nothing. A symbol's value is relative to its section in any ET_REL object, so gdb adds
// .text's address to it; DWARF addresses are used as written, so they are absolute (a line
// table relative to .text gave gdb no lines at all).
#include <elf.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "profiling/dwarf_lines.h"
#include "profiling/gdb_jit.h"
#include "profiling/profiling.h"
#include "profiling/symbols.h"

extern "C" {

// gdb's breakpoint goes here; the asm keeps the call from being optimized out.
[[gnu::noinline, gnu::used]] void __jit_debug_register_code() { __asm__ volatile("" ::: "memory"); }

[[gnu::used]] jit_descriptor __jit_debug_descriptor = {1, 0, nullptr, nullptr};

}  // extern "C"

namespace strata::profiling {

namespace {

constexpr uint32_t kRegister = 1;
constexpr uint32_t kUnregister = 2;

#if defined(__aarch64__)
constexpr uint16_t kMachine = EM_AARCH64;
#else
constexpr uint16_t kMachine = EM_X86_64;
#endif

template <class T>
size_t append(std::vector<uint8_t>& out, const T& v) {
  size_t at = out.size();
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof v);
  return at;
}

uint32_t addString(std::vector<uint8_t>& table, std::string_view s) {
  auto at = uint32_t(table.size());
  table.insert(table.end(), s.begin(), s.end());
  table.push_back(0);
  return at;
}

// The symbol table: one STT_FUNC per function (or one for a stubs image), with values relative
// to .text as in any relocatable object; gdb adds .text's address.
std::vector<uint8_t> symbolTable(const vm::CodeImage& image, std::vector<uint8_t>& strtab, uint16_t text) {
  std::vector<uint8_t> out;
  append(out, Elf64_Sym{});  // [0] is the undefined symbol
  for (const CodeSymbol& s : imageSymbols(image)) {
    Elf64_Sym sym{};
    sym.st_name = addString(strtab, s.name);
    sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    sym.st_shndx = text;
    sym.st_value = s.start - uintptr_t(image.base());
    sym.st_size = s.size;
    append(out, sym);
  }
  return out;
}

struct Section {
  Elf64_Shdr header;
  std::vector<uint8_t> bytes;  // none for NOBITS
};

// The ELF object describing `image`: the header, each section's bytes in order (8-byte
// aligned), the section headers last. .shstrtab is the last section, so that it holds every
// name.
std::vector<uint8_t> elfObject(const vm::CodeImage& image) {
  std::vector<uint8_t> shstrtab{0}, strtab{0};
  std::vector<Section> sections(1);  // [0] is the null section
  auto add = [&](std::string_view name, uint32_t type, std::vector<uint8_t> bytes) {
    Elf64_Shdr h{};
    h.sh_name = addString(shstrtab, name);
    h.sh_type = type;
    h.sh_addralign = 1;
    sections.push_back({h, std::move(bytes)});
    return uint16_t(sections.size() - 1);
  };
  uint16_t text = add(".text", SHT_NOBITS, {});
  Elf64_Shdr& th = sections[text].header;
  th.sh_flags = SHF_ALLOC | SHF_EXECINSTR;
  th.sh_addr = uintptr_t(image.base());
  th.sh_size = image.codeBytes();
  th.sh_addralign = 16;
  uint16_t symtab = add(".symtab", SHT_SYMTAB, symbolTable(image, strtab, text));
  uint16_t strings = add(".strtab", SHT_STRTAB, std::move(strtab));
  Elf64_Shdr& sym = sections[symtab].header;
  sym.sh_link = strings;
  sym.sh_info = 1;  // the first global symbol
  sym.sh_addralign = 8;
  sym.sh_entsize = sizeof(Elf64_Sym);
  if (std::optional<DwarfSections> dwarf = dwarfLines(image)) {
    add(".debug_abbrev", SHT_PROGBITS, std::move(dwarf->abbrev));
    add(".debug_info", SHT_PROGBITS, std::move(dwarf->info));
    add(".debug_line", SHT_PROGBITS, std::move(dwarf->line));
  }
  uint16_t names = add(".shstrtab", SHT_STRTAB, {});
  sections[names].bytes = shstrtab;

  std::vector<uint8_t> out(sizeof(Elf64_Ehdr));
  for (Section& s : sections) {
    if (s.header.sh_type == SHT_NOBITS || s.header.sh_type == SHT_NULL) continue;
    out.resize((out.size() + 7) & ~size_t(7));
    s.header.sh_offset = out.size();
    s.header.sh_size = s.bytes.size();
    out.insert(out.end(), s.bytes.begin(), s.bytes.end());
  }
  out.resize((out.size() + 7) & ~size_t(7));
  size_t shoff = out.size();
  for (const Section& s : sections) append(out, s.header);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.e_type = ET_REL;
  eh.e_machine = kMachine;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = shoff;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = uint16_t(sections.size());
  eh.e_shstrndx = names;
  std::memcpy(out.data(), &eh, sizeof eh);
  return out;
}

class GdbJit final : public vm::CodeListener {
 public:
  void published(const vm::CodeImage& image) override {
    auto entry = std::make_unique<Entry>();
    entry->object = elfObject(image);
    entry->link.symfile_addr = reinterpret_cast<const char*>(entry->object.data());
    entry->link.symfile_size = entry->object.size();
    // The descriptor is shared with the debugger: one change at a time, then the call it breaks on.
    std::lock_guard lock(mutex_);
    jit_code_entry* link = &entry->link;
    link->next_entry = __jit_debug_descriptor.first_entry;
    if (link->next_entry) link->next_entry->prev_entry = link;
    __jit_debug_descriptor.first_entry = link;
    __jit_debug_descriptor.relevant_entry = link;
    __jit_debug_descriptor.action_flag = kRegister;
    __jit_debug_register_code();
    entries_[&image] = std::move(entry);
  }

  void released(const vm::CodeImage& image) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(&image);
    if (it == entries_.end()) return;
    jit_code_entry* link = &it->second->link;
    if (link->prev_entry) link->prev_entry->next_entry = link->next_entry;
    else __jit_debug_descriptor.first_entry = link->next_entry;
    if (link->next_entry) link->next_entry->prev_entry = link->prev_entry;
    __jit_debug_descriptor.relevant_entry = link;
    __jit_debug_descriptor.action_flag = kUnregister;
    __jit_debug_register_code();
    entries_.erase(it);
  }

 private:
  struct Entry {
    jit_code_entry link{};
    std::vector<uint8_t> object;
  };
  std::mutex mutex_;
  std::unordered_map<const vm::CodeImage*, std::unique_ptr<Entry>> entries_;
};

}  // namespace

void enableGdbJit() {
  static GdbJit* gdb = new GdbJit;  // lives until exit, as listeners must
  vm::addCodeListener(gdb);
}

}  // namespace strata::profiling
