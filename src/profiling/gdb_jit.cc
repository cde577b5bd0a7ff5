// The GDB JIT interface (GDB manual, "JIT Compilation Interface"): the debugger puts a
// breakpoint on __jit_debug_register_code and, each time it is hit, reads the entry that
// __jit_debug_descriptor points at: an object file in this process's memory, which it loads
// like a shared library's symbols. Both names, the layouts and the action codes are GDB's
// contract; the symbols must be global and the function must not be inlined or folded away.
//
// Per code image the object is a minimal ELF64 relocatable: a .text section of type NOBITS at
// the image's address (gdb reads the code itself from memory), a symbol table with one STT_FUNC
// per wasm function, and the string tables. No DWARF yet: gdb unwinds through the tier's frames
// by their prologue (push rbp; mov rbp, rsp), and line tables mapping pcs to wasm offsets are
// left for when a tier emits them.
#include <elf.h>

#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

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

// Section indices of the object.
enum : uint16_t { kNull, kText, kSymtab, kStrtab, kShstrtab, kSections };

// The ELF object describing `image`: header, then the symbol table, the two string tables,
// and the section headers last (8-byte aligned).
std::vector<uint8_t> elfObject(const vm::CodeImage& image) {
  std::vector<uint8_t> strtab{0}, shstrtab{0};
  std::vector<Elf64_Sym> syms(1);  // [0] is the undefined symbol
  for (const CodeSymbol& s : imageSymbols(image)) {
    Elf64_Sym sym{};
    sym.st_name = addString(strtab, s.name);
    sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    sym.st_shndx = kText;
    sym.st_value = s.start - uintptr_t(image.base());  // relocatable: relative to .text
    sym.st_size = s.size;
    syms.push_back(sym);
  }
  Elf64_Shdr sh[kSections] = {};
  sh[kText] = {addString(shstrtab, ".text"), SHT_NOBITS, SHF_ALLOC | SHF_EXECINSTR, uintptr_t(image.base()), 0,
               image.codeBytes(), 0, 0, 16, 0};
  sh[kSymtab] = {addString(shstrtab, ".symtab"), SHT_SYMTAB, 0, 0, 0, 0, kStrtab, 1, 8, sizeof(Elf64_Sym)};
  sh[kStrtab] = {addString(shstrtab, ".strtab"), SHT_STRTAB, 0, 0, 0, 0, 0, 0, 1, 0};
  sh[kShstrtab] = {addString(shstrtab, ".shstrtab"), SHT_STRTAB, 0, 0, 0, 0, 0, 0, 1, 0};

  std::vector<uint8_t> out(sizeof(Elf64_Ehdr));
  sh[kSymtab].sh_offset = out.size();
  sh[kSymtab].sh_size = syms.size() * sizeof(Elf64_Sym);
  for (const Elf64_Sym& s : syms) append(out, s);
  sh[kStrtab].sh_offset = out.size();
  sh[kStrtab].sh_size = strtab.size();
  out.insert(out.end(), strtab.begin(), strtab.end());
  sh[kShstrtab].sh_offset = out.size();
  sh[kShstrtab].sh_size = shstrtab.size();
  out.insert(out.end(), shstrtab.begin(), shstrtab.end());
  out.resize((out.size() + 7) & ~size_t(7));
  size_t shoff = out.size();
  for (const Elf64_Shdr& s : sh) append(out, s);

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
  eh.e_shnum = kSections;
  eh.e_shstrndx = kShstrtab;
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
