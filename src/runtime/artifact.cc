// Compiled artifacts (docs/artifacts.md): a module's machine code and what loading it needs, in
// an ELF64 relocatable file that `objdump -d` and `readelf` read, mapped back without compiling.
//
//   ELF header
//   .strata    the header below, then the function table and the extern slot ids
//   .text      the code image's code, at a page-aligned file offset (mapped, never copied)
//   .wasm      the module's binary (decoded again at load: types, imports, segments, names)
//   .symtab / .strtab / .shstrtab   one symbol per function, for tools
//   section headers
//
// Nothing is trusted before the checksum (xxh3-128's low half over the whole file with its own
// field zeroed) matches; then every setting that changes code must equal the loading engine's.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "decode/decoder.h"
#include "runtime/artifact_key.h"
#include "runtime/build_id.h"
#include "runtime/module_impl.h"
#include "strata/module.h"
#include "support/byte_reader.h"
#include "support/cpu_features.h"
#include "support/file_mapping.h"
#include "support/hash.h"
#include "support/populate.h"

namespace strata {

using runtime::ModuleImpl;

namespace {

constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'C', 'W'};
constexpr uint32_t kFormatVersion = 5;  // 4: stack-map rows among the sites; 5: write barriers (docs/gc.md "Generations")
constexpr size_t kPage = 4096;

// The fixed part of .strata. Every field little-endian, as the host writes it (x86-64 only).
struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t header_bytes;    // sizeof(Header): a layout change is a version change
  uint64_t checksum;        // xxh3-128's low half of the file with these 8 bytes zeroed
  char build_id[48];        // STRATA_BUILD_ID of the writer
  char tier[16];
  uint64_t features;        // ir::Features bits
  uint8_t bounds_checks;    // vm::BoundsChecks
  uint8_t nan_canonicalization, consume_fuel, epoch_interruption;
  uint32_t num_funcs;
  uint64_t cpu_features;    // support::CpuFeature bits the code needs (CodeArtifact::cpu_features)
  uint64_t code_offset, code_bytes, data_bytes;
  uint64_t wasm_offset, wasm_bytes;
  uint64_t table_bytes;     // function table and extern ids, after this header
  uint32_t num_externs;
  uint32_t reserved;
};
static_assert(sizeof(Header) == 168);

// ELF64 (System V gABI), only what this file needs.
struct ElfHeader {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct ElfSection {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
};
struct ElfSymbol {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
};
static_assert(sizeof(ElfHeader) == 64 && sizeof(ElfSection) == 64 && sizeof(ElfSymbol) == 24);
constexpr uint32_t kShtProgbits = 1, kShtSymtab = 2, kShtStrtab = 3;
constexpr uint64_t kShfAlloc = 2, kShfExec = 4;
enum Section : uint16_t { kNull, kStrata, kText, kWasm, kSymtab, kStrtab, kShstrtab, kNumSections };

struct Writer {
  std::vector<uint8_t> out;
  template <class T>
  void put(const T& v) {
    auto* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
  }
  void bytes(std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); }
  void align(size_t to) { out.resize((out.size() + to - 1) / to * to, 0); }
};

struct Reader {
  std::span<const uint8_t> in;
  size_t at = 0;
  bool ok = true;
  template <class T>
  T get() {
    T v{};
    if (in.size() - at < sizeof v) {
      ok = false;
      return v;
    }
    std::memcpy(&v, in.data() + at, sizeof v);
    at += sizeof v;
    return v;
  }
};

// xxh3-128's low half: the code cache's key is xxh3-128 too (code_cache.cc), and a warm
// start then runs one hash function's code, not two (each is cold code at every start).
uint64_t checksum(std::span<const uint8_t> file, size_t field) {
  static constexpr uint8_t kZero[8] = {};
  return support::xxh3_128({file.first(field), kZero, file.subspan(field + 8)}).low;
}

void copyName(char* dst, size_t n, std::string_view s) {
  std::memset(dst, 0, n);
  std::memcpy(dst, s.data(), std::min(n - 1, s.size()));
}

Error refused(std::string_view why) {
  return Error{ErrorKind::Malformed, kNoOffset, fmt::format("compiled artifact refused: {}", why)};
}

// The header a module compiled by `engine` would carry (without sizes and checksum).
Header expectedHeader(const Engine& engine) {
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.format_version = kFormatVersion;
  h.header_bytes = sizeof(Header);
  copyName(h.build_id, sizeof h.build_id, STRATA_BUILD_ID);
  copyName(h.tier, sizeof h.tier, engine.config().tier);
  vm::CompileOptions o = engine.impl().compileOptions();
  h.features = o.features.bits();
  h.bounds_checks = uint8_t(o.bounds);
  h.nan_canonicalization = o.nan_canonicalization;
  h.consume_fuel = o.consume_fuel;
  h.epoch_interruption = o.epoch_interruption;
  return h;
}

// Every field that must equal the loading engine's, with the message naming the first that does not.
Result<void> checkCompatible(const Header& h, const Engine& engine) {
  Header e = expectedHeader(engine);
  auto str = [](const char* s, size_t n) { return std::string(s, strnlen(s, n)); };
  if (std::memcmp(h.build_id, e.build_id, sizeof h.build_id) != 0)
    return std::unexpected(refused(fmt::format("written by Strata {}, this is Strata {}", str(h.build_id, sizeof h.build_id),
                                               str(e.build_id, sizeof e.build_id))));
  if (std::memcmp(h.tier, e.tier, sizeof h.tier) != 0)
    return std::unexpected(refused(fmt::format("compiled by tier {}, the engine runs tier {}", str(h.tier, sizeof h.tier),
                                               str(e.tier, sizeof e.tier))));
  if (h.features != e.features) return std::unexpected(refused("compiled with other enabled features"));
  if (h.bounds_checks != e.bounds_checks) return std::unexpected(refused("compiled with another bounds-checks mode"));
  if (h.nan_canonicalization != e.nan_canonicalization)
    return std::unexpected(refused("compiled with another NaN canonicalization setting"));
  if (h.consume_fuel != e.consume_fuel) return std::unexpected(refused("compiled with another fuel setting"));
  if (h.epoch_interruption != e.epoch_interruption)
    return std::unexpected(refused("compiled with another epoch interruption setting"));
  if (uint64_t missing = h.cpu_features & ~support::hostCpu().bits)
    return std::unexpected(refused(fmt::format("needs CPU features this host lacks: {}", support::cpuFeatureNames(missing))));
  return {};
}

// The module's bytes as an artifact keeps them: all of them up to the end of the last section
// that is not a custom section, then of the custom sections after it only `name` (function names
// for backtraces and symbols). The sections dropped are those a compiler appends (DWARF
// `.debug_*`, `producers`, `target_features`): in Sightglass's noop, 45 KB of its 51 KB, which
// every load checksummed and decoded again (issue 12: a .cwasm starts within 1 ms of a native
// program). Nothing before the cut moves, so code offsets (traps, backtraces) are unchanged.
std::vector<uint8_t> artifactWasm(std::span<const uint8_t> wasm) {
  ByteReader r(wasm);
  size_t core_end = wasm.size();
  std::vector<std::span<const uint8_t>> names;  // `name` sections after the last core section
  if (!r.skip(8)) return {wasm.begin(), wasm.end()};
  while (!r.atEnd()) {
    size_t start = r.offset();
    auto id = r.readU8();
    if (!id) return {wasm.begin(), wasm.end()};
    auto size = r.readVarU32();
    if (!size || r.remaining() < *size) return {wasm.begin(), wasm.end()};  // the decoder's to report
    size_t payload = r.offset();
    (void)r.skip(*size);
    if (*id != 0) {
      core_end = r.offset();
      names.clear();
      continue;
    }
    ByteReader name(wasm.subspan(payload, *size));
    auto len = name.readVarU32();
    if (len && name.remaining() >= *len && std::string_view(reinterpret_cast<const char*>(name.pos()), *len) == "name")
      names.push_back(wasm.subspan(start, r.offset() - start));
  }
  std::vector<uint8_t> out(wasm.begin(), wasm.begin() + std::min(core_end, wasm.size()));
  if (core_end == wasm.size()) return out;
  for (std::span<const uint8_t> n : names) out.insert(out.end(), n.begin(), n.end());
  return out;
}

}  // namespace

std::string runtime::artifactKeyPrefix(const Engine& engine) {
  Header h = expectedHeader(engine);
  // An artifact's own CPU bits depend on the compiling host, so the host's stand in for them,
  // with the target CPU the code was made for (not in the header: an artifact loads wherever
  // its extensions are present, whatever CPU it was tuned for).
  h.cpu_features = support::hostCpu().bits;
  std::string target = engine.impl().compileOptions().target_cpu;
  return std::string(reinterpret_cast<const char*>(&h), sizeof h) + "target-cpu=" + target;
}

bool Module::isArtifact(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

std::string Module::artifactTier(std::span<const uint8_t> head) {
  // The writer puts .strata, whose first bytes are the header, right after the ELF header.
  static_assert(sizeof(ElfHeader) + sizeof(Header) <= kArtifactHeadBytes);
  if (!isArtifact(head) || head.size() < sizeof(ElfHeader) + sizeof(Header)) return {};
  Header h;
  std::memcpy(&h, head.data() + sizeof(ElfHeader), sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) return {};
  return std::string(h.tier, strnlen(h.tier, sizeof h.tier));
}

Result<std::vector<uint8_t>> Module::serialize() const {
  const ir::Module& m = *impl_->ir;
  if (!m.text_map.empty())
    return makeError(ErrorKind::Unsupported, kNoOffset, "compiled artifacts are written from binary modules (encode the text first)");
  vm::CodeArtifact art = STRATA_TRY(impl_->compiled->artifact());
  Header h = expectedHeader(engine());
  h.cpu_features = art.cpu_features;
  h.num_funcs = uint32_t(art.funcs.size());
  h.num_externs = uint32_t(art.externs.size());
  h.code_bytes = art.code.size();
  h.data_bytes = art.data_bytes;
  std::vector<uint8_t> wasm = artifactWasm(m.bytes);
  h.wasm_bytes = wasm.size();

  // The table (format 3): one fixed record per function, then every function's sites, then
  // every function's pc map, each in function order. A load reads the records in one sequential
  // pass and borrows the rest in place; the records carry each function's body (offset and size
  // in `.wasm`) so that the load need not walk the code section to find them.
  Writer table;
  for (const vm::FuncCodeInfo& f : art.funcs) {
    const ir::ByteSpan body = f.func_index < m.functions.size() ? m.functions[f.func_index].body : ir::ByteSpan{};
    table.put(f.func_index);
    table.put(f.start);
    table.put(f.size);
    table.put(uint32_t(f.sites.size()));
    table.put(uint32_t(f.wasm_map.size()));
    table.put(body.offset);
    table.put(body.size);
  }
  for (const vm::FuncCodeInfo& f : art.funcs)
    for (const vm::CodeSite& s : f.sites) {
      table.put(s.pc);
      table.put(s.wasm);
      table.put(uint8_t(s.kind));
      table.put(uint8_t(s.trap));
      table.put(uint16_t(0));
    }
  for (const vm::FuncCodeInfo& f : art.funcs)
    for (auto [pc, wasm] : f.wasm_map) {
      table.put(pc);
      table.put(wasm);
    }
  for (uint32_t id : art.externs) table.put(id);
  h.table_bytes = table.out.size();

  // Symbols and their names (the name section's, else wasm-function[N]).
  Writer strtab, symtab;
  strtab.out.push_back(0);
  symtab.put(ElfSymbol{});
  for (const vm::FuncCodeInfo& f : art.funcs) {
    auto it = m.names.functions.find(f.func_index);
    std::string name = it != m.names.functions.end() ? it->second : fmt::format("wasm-function[{}]", f.func_index);
    ElfSymbol s{};
    s.name = uint32_t(strtab.out.size());
    s.info = (1 << 4) | 2;  // STB_GLOBAL, STT_FUNC
    s.shndx = kText;
    s.value = f.start;
    s.size = f.size;
    symtab.put(s);
    strtab.bytes({reinterpret_cast<const uint8_t*>(name.data()), name.size()});
    strtab.out.push_back(0);
  }
  const char* names[kNumSections] = {"", ".strata", ".text", ".wasm", ".symtab", ".strtab", ".shstrtab"};
  Writer shstr;
  uint32_t name_at[kNumSections];
  for (int i = 0; i < kNumSections; ++i) {
    name_at[i] = uint32_t(shstr.out.size());
    shstr.bytes({reinterpret_cast<const uint8_t*>(names[i]), std::strlen(names[i]) + 1});
  }

  Writer f;
  f.out.resize(sizeof(ElfHeader));
  uint64_t strata_at = f.out.size();
  f.put(h);  // sizes and offsets are written again below
  f.bytes(table.out);
  uint64_t strata_size = f.out.size() - strata_at;
  f.align(kPage);
  h.code_offset = f.out.size();
  f.bytes(art.code);
  h.wasm_offset = f.out.size();
  f.bytes(wasm);
  f.align(8);
  uint64_t sym_at = f.out.size();
  f.bytes(symtab.out);
  uint64_t str_at = f.out.size();
  f.bytes(strtab.out);
  uint64_t shstr_at = f.out.size();
  f.bytes(shstr.out);
  f.align(8);
  uint64_t sh_at = f.out.size();
  ElfSection sec[kNumSections] = {};
  auto set = [&](Section i, uint32_t type, uint64_t flags, uint64_t off, uint64_t size, uint64_t align) {
    sec[i].name = name_at[i];
    sec[i].type = type;
    sec[i].flags = flags;
    sec[i].offset = off;
    sec[i].size = size;
    sec[i].addralign = align;
  };
  set(kStrata, kShtProgbits, 0, strata_at, strata_size, 8);
  set(kText, kShtProgbits, kShfAlloc | kShfExec, h.code_offset, h.code_bytes, kPage);
  set(kWasm, kShtProgbits, 0, h.wasm_offset, h.wasm_bytes, 1);
  set(kSymtab, kShtSymtab, 0, sym_at, symtab.out.size(), 8);
  sec[kSymtab].link = kStrtab;
  sec[kSymtab].info = 1;  // first global symbol
  sec[kSymtab].entsize = sizeof(ElfSymbol);
  set(kStrtab, kShtStrtab, 0, str_at, strtab.out.size(), 1);
  set(kShstrtab, kShtStrtab, 0, shstr_at, shstr.out.size(), 1);
  for (const ElfSection& s : sec) f.put(s);

  ElfHeader eh{};
  const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /*64-bit*/, 1 /*little-endian*/, 1 /*EV_CURRENT*/};
  std::memcpy(eh.ident, ident, 16);
  eh.type = 1;      // ET_REL
  eh.machine = 62;  // EM_X86_64
  eh.version = 1;
  eh.shoff = sh_at;
  eh.ehsize = sizeof(ElfHeader);
  eh.shentsize = sizeof(ElfSection);
  eh.shnum = kNumSections;
  eh.shstrndx = kShstrtab;
  std::memcpy(f.out.data(), &eh, sizeof eh);
  std::memcpy(f.out.data() + strata_at, &h, sizeof h);
  h.checksum = checksum(f.out, strata_at + offsetof(Header, checksum));
  std::memcpy(f.out.data() + strata_at, &h, sizeof h);
  return std::move(f.out);
}

namespace {

// Loads an artifact from `file` (its bytes, which `backing` keeps alive and the module borrows:
// the wasm module's bytes, the sites and pc maps are read where they lie in the file, not
// copied; `fd` >= 0 when the bytes are a mapping of that file, whose code pages are then mapped
// rather than copied).
Result<Module> load(const Engine& engine, std::span<const uint8_t> file, std::shared_ptr<const void> backing, int fd) {
  Reader r{file};
  auto eh = r.get<ElfHeader>();
  if (!r.ok || !Module::isArtifact(file) || eh.shnum != kNumSections || eh.shoff > file.size() ||
      file.size() - eh.shoff < sizeof(ElfSection) * kNumSections)
    return std::unexpected(refused("not a Strata compiled artifact (or cut short)"));
  ElfSection strata_sec;
  std::memcpy(&strata_sec, file.data() + eh.shoff + sizeof(ElfSection) * kStrata, sizeof strata_sec);
  if (strata_sec.offset > file.size() || file.size() - strata_sec.offset < sizeof(Header))
    return std::unexpected(refused("not a Strata compiled artifact (or cut short)"));
  Header h;
  std::memcpy(&h, file.data() + strata_sec.offset, sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) return std::unexpected(refused("not a Strata compiled artifact"));
  if (h.format_version != kFormatVersion || h.header_bytes != sizeof(Header))
    return std::unexpected(refused(fmt::format("format version {}, this build reads {}", h.format_version, kFormatVersion)));
  if (h.checksum != checksum(file, strata_sec.offset + offsetof(Header, checksum)))
    return std::unexpected(refused("checksum mismatch (the file is corrupted or cut short)"));
  STRATA_CHECK(checkCompatible(h, engine));
  if (h.code_offset % kPage || h.code_offset > file.size() || file.size() - h.code_offset < h.code_bytes ||
      h.wasm_offset > file.size() || file.size() - h.wasm_offset < h.wasm_bytes ||
      file.size() - strata_sec.offset - sizeof(Header) < h.table_bytes)
    return std::unexpected(refused("section bounds"));

  vm::CodeArtifact art;
  std::span<const uint8_t> table = file.subspan(strata_sec.offset + sizeof(Header), h.table_bytes);
  // The sites and pc maps are borrowed from the file: they are laid out as the runtime's rows
  // are (12-byte sites, 8-byte pairs, little-endian, 4-byte aligned: the table starts 8-aligned
  // and every record is a multiple of 4).
  static_assert(sizeof(vm::CodeSite) == 12 && alignof(vm::CodeSite) == 4 && offsetof(vm::CodeSite, kind) == 8 &&
                offsetof(vm::CodeSite, trap) == 9);
  static_assert(sizeof(std::pair<uint32_t, uint32_t>) == 8 && alignof(std::pair<uint32_t, uint32_t>) == 4);
  if (reinterpret_cast<uintptr_t>(table.data()) % 4) return std::unexpected(refused("function table alignment"));
  constexpr size_t kRecord = 7 * 4;  // index, start, size, sites, map pairs, body offset, body size
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, table.data() + at, 4);
    return v;
  };
  // First the counts, so that every range is known to fit before any is made.
  uint64_t nsites = 0, nmap = 0;
  if (uint64_t(h.num_funcs) * kRecord > table.size()) return std::unexpected(refused("function table"));
  for (size_t i = 0, at = 0; i < h.num_funcs; ++i, at += kRecord) {
    nsites += u32(at + 12);
    nmap += u32(at + 16);
  }
  size_t sites_at = size_t(h.num_funcs) * kRecord;
  if (table.size() != sites_at + nsites * 12 + nmap * 8 + uint64_t(h.num_externs) * 4)
    return std::unexpected(refused("function table"));
  size_t map_at = sites_at + size_t(nsites) * 12, externs_at = map_at + size_t(nmap) * 8;
  auto* sites = reinterpret_cast<const vm::CodeSite*>(table.data() + sites_at);
  auto* pairs = reinterpret_cast<const std::pair<uint32_t, uint32_t>*>(table.data() + map_at);
  support::resizePopulated(art.funcs, h.num_funcs);
  for (size_t i = 0, at = 0; i < h.num_funcs; ++i, at += kRecord) {
    vm::FuncCodeInfo& f = art.funcs[i];
    f.func_index = u32(at);
    f.start = u32(at + 4);
    f.size = u32(at + 8);
    uint32_t ns = u32(at + 12), nm = u32(at + 16);
    f.sites = support::Rows<vm::CodeSite>::borrow({sites, ns});
    f.wasm_map = support::Rows<std::pair<uint32_t, uint32_t>>::borrow({pairs, nm});
    sites += ns;
    pairs += nm;
  }
  art.externs.resize(h.num_externs);
  for (size_t k = 0; k < h.num_externs; ++k) art.externs[k] = u32(externs_at + 4 * k);
  art.code = file.subspan(h.code_offset, h.code_bytes);
  art.data_bytes = h.data_bytes;
  art.fd = fd;
  art.file_offset = h.code_offset;
  art.backing = backing;

  // The module was validated when it was compiled: decoded again for its types, imports,
  // exports, segments and names (in place: its bytes stay in the file), not validated or
  // compiled, and its bodies taken from the table rather than found by walking the code
  // section (one scattered read per function: 0.2 ms of a 3,000-function module's load).
  auto impl = std::make_shared<ModuleImpl>();
  impl->engine = engine.shared();
  ir::Module m = STRATA_TRY(decode::decodeModuleInPlace(file.subspan(h.wasm_offset, h.wasm_bytes), std::move(backing),
                                                         engine.config().features, /*walk_bodies=*/false));
  // The bodies, read from the records where they lie (a vector of them would be fresh memory,
  // about 10 us a page here). Each defined function once (a body is never empty: it holds at
  // least its `end`), inside the module's bytes.
  if (h.num_funcs != m.functions.size() - m.num_imported_functions) return std::unexpected(refused("function table"));
  for (size_t i = 0, at = 0; i < h.num_funcs; ++i, at += kRecord) {
    uint32_t index = u32(at);
    ir::ByteSpan body{u32(at + 20), u32(at + 24)};
    if (index < m.num_imported_functions || index >= m.functions.size() || m.functions[index].body.size != 0 ||
        body.size == 0 || uint64_t(body.offset) + body.size > m.bytes.size())
      return std::unexpected(refused("function table"));
    m.functions[index].body = body;
  }
  impl->ir = std::make_shared<const ir::Module>(std::move(m));
  impl->env = STRATA_TRY(validate::ModuleEnv::create(*impl->ir, engine.config().features));
  impl->compiled = STRATA_TRY(engine.impl().compiler().load(*impl->ir, std::move(art)));
  impl->type_ids = engine.impl().types().intern(*impl->ir);
  return Module::fromShared(std::move(impl));
}

}  // namespace

Result<Module> Module::deserialize(const Engine& engine, std::span<const uint8_t> bytes) {
  // The caller's bytes may go once this returns: the module borrows from a copy of its own.
  auto copy = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  return load(engine, *copy, copy, -1);
}

Result<Module> Module::deserializeFile(const Engine& engine, const std::string& path) {
  // The whole file, mapped (FileMapping: its pages come in as the checksum reads them). The
  // mapping lives as long as the module (its wasm bytes, sites and pc maps are read in place);
  // the code gets a mapping of its own from the descriptor (read+execute, data pages after it).
  int fd = -1;
  auto mapping = support::FileMapping::open(path, &fd);
  if (!mapping) return makeError(ErrorKind::Resource, kNoOffset, mapping.error().message);
  if ((*mapping)->bytes().empty()) {
    if (fd >= 0) close(fd);
    return std::unexpected(refused("empty or unreadable file"));
  }
  // fd is -1 for a file that was read rather than mapped (a pipe): the code is then copied.
  auto r = load(engine, (*mapping)->bytes(), *mapping, fd);
  if (fd >= 0) close(fd);
  return r;
}

}  // namespace strata
